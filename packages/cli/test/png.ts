/**
 * A small PNG decoder for the report test: IHDR, the IDAT stream inflated with node:zlib, and the
 * five scanline filters. 8-bit RGB and RGBA only (what Chromium writes for screenshots).
 */
import { inflateSync } from "node:zlib"

export interface Image {
  readonly width: number
  readonly height: number
  /** RGBA, 4 bytes a pixel. */
  readonly rgba: Uint8Array
}

const paeth = (a: number, b: number, c: number): number => {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

export const decodePng = (file: Uint8Array): Image => {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const signature = [137, 80, 78, 71, 13, 10, 26, 10]
  if (!signature.every((byte, i) => file[i] === byte)) throw new Error("not a PNG")
  let offset = 8
  let width = 0
  let height = 0
  let colorType = 0
  const idat: Array<Uint8Array> = []
  while (offset < file.length) {
    const length = view.getUint32(offset)
    const type = String.fromCharCode(...file.subarray(offset + 4, offset + 8))
    const data = file.subarray(offset + 8, offset + 8 + length)
    if (type === "IHDR") {
      width = view.getUint32(offset + 8)
      height = view.getUint32(offset + 12)
      const depth = data[8]
      colorType = data[9] ?? 0
      if (depth !== 8 || (colorType !== 2 && colorType !== 6) || data[12] !== 0) {
        throw new Error(`unsupported PNG: depth ${depth}, color type ${colorType}, interlace ${data[12]}`)
      }
    } else if (type === "IDAT") idat.push(data)
    else if (type === "IEND") break
    offset += 12 + length
  }
  const channels = colorType === 6 ? 4 : 3
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const pixels = new Uint8Array(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] ?? 0
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? (pixels[y * stride + x - channels] ?? 0) : 0
      const up = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0
      const upLeft = y > 0 && x >= channels ? (pixels[(y - 1) * stride + x - channels] ?? 0) : 0
      const value = line[x] ?? 0
      const predicted =
        filter === 0
          ? 0
          : filter === 1
            ? left
            : filter === 2
              ? up
              : filter === 3
                ? (left + up) >> 1
                : paeth(left, up, upLeft)
      pixels[y * stride + x] = (value + predicted) & 0xff
    }
  }
  const rgba = new Uint8Array(width * height * 4)
  for (let i = 0; i < width * height; i++) {
    rgba[i * 4] = pixels[i * channels] ?? 0
    rgba[i * 4 + 1] = pixels[i * channels + 1] ?? 0
    rgba[i * 4 + 2] = pixels[i * channels + 2] ?? 0
    rgba[i * 4 + 3] = channels === 4 ? (pixels[i * channels + 3] ?? 255) : 255
  }
  return { width, height, rgba }
}

/** Distinct colours and the share of pixels that are not (near) white. */
export const colorStats = (image: Image): { readonly distinctColors: number; readonly nonWhiteShare: number } => {
  const colors = new Set<number>()
  let nonWhite = 0
  const { rgba } = image
  for (let i = 0; i < rgba.length; i += 4) {
    const r = rgba[i] ?? 0
    const g = rgba[i + 1] ?? 0
    const b = rgba[i + 2] ?? 0
    colors.add((r << 16) | (g << 8) | b)
    if (r < 240 || g < 240 || b < 240) nonWhite++
  }
  return { distinctColors: colors.size, nonWhiteShare: nonWhite / (image.width * image.height) }
}
