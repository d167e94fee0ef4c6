// `npm pack` of one workspace package into a directory, and the rules its tarball must follow.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { run } from "./workspace.mjs"

/**
 * Packs `pkg` (from workspacePackages()) into `destination`; resolves `{ tarball, files, output }` where
 * `files` are the paths inside the tarball, or `{ error }` when npm pack failed.
 */
export const pack = async (pkg, destination) => {
  const result = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", destination], {
    cwd: pkg.path
  })
  if (result.status !== 0) return { error: result.output }
  const start = result.output.indexOf("[")
  const json = JSON.parse(result.output.slice(start))[0]
  return { tarball: join(destination, json.filename), files: json.files.map((f) => f.path).sort(), output: "" }
}

/**
 * The paths every tarball may hold: the manifest, docs, the built JS with its types and maps, the TS source, and the
 * JS launchers under bin/ that a package's `bin` names (checked below to be exactly those).
 */
const allowed = [
  /^package\.json$/,
  /^README\.md$/,
  /^CHANGELOG\.md$/,
  /^LICENSE(\.md)?$/,
  /^dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)$/,
  /^src\/.+\.ts$/,
  /^bin\/[\w.-]+\.js$/
]
/** What must never ship, whatever `files` says. */
const forbidden = [
  /\.tsbuildinfo$/,
  /(^|\/)test\//,
  /\.test\.[cm]?[jt]sx?$/,
  /\.spec\.[cm]?[jt]sx?$/,
  /(^|\/)\.turbo\//
]

/** The targets of every `exports` entry (all conditions), with the leading "./" removed. */
const exportTargets = (exportsField) => {
  const targets = []
  const walk = (value) => {
    if (typeof value === "string") targets.push(value.replace(/^\.\//, ""))
    else if (value && typeof value === "object") for (const v of Object.values(value)) walk(v)
  }
  walk(exportsField)
  return targets
}

/** The problems of a packed file list (empty when it is what it should be). */
export const contentProblems = (pkg, files) => {
  const problems = []
  const set = new Set(files)
  for (const file of files) {
    if (forbidden.some((re) => re.test(file))) problems.push(`must not ship ${file}`)
    else if (!allowed.some((re) => re.test(file))) problems.push(`unexpected file ${file}`)
  }
  for (const target of exportTargets(pkg.pkg.exports)) {
    if (!set.has(target)) problems.push(`exports target ${target} is not in the tarball`)
  }
  for (const file of files.filter((f) => /^dist\/.+\.js$/.test(f))) {
    const stem = file.slice("dist/".length, -".js".length)
    if (!set.has(`dist/${stem}.d.ts`)) problems.push(`${file} has no .d.ts`)
    if (!set.has(`${file}.map`)) problems.push(`${file} has no source map`)
    if (!existsSync(join(pkg.path, "src", `${stem}.ts`)))
      problems.push(`${file} is stale: src/${stem}.ts does not exist`)
  }
  for (const file of files.filter((f) => /^src\/.+\.ts$/.test(f))) {
    const stem = file.slice("src/".length, -".ts".length)
    if (!set.has(`dist/${stem}.js`)) problems.push(`${file} was not built (no dist/${stem}.js)`)
  }
  const bins = Object.values(typeof pkg.pkg.bin === "string" ? { bin: pkg.pkg.bin } : (pkg.pkg.bin ?? {})).map((b) =>
    b.replace(/^\.\//, "")
  )
  for (const target of bins) if (!set.has(target)) problems.push(`bin ${target} is not in the tarball`)
  for (const file of files.filter((f) => f.startsWith("bin/") && !bins.includes(f))) {
    problems.push(`${file} is under bin/ but not a bin of package.json`)
  }
  if (!set.has("README.md")) problems.push("no README.md")
  if (!set.has("CHANGELOG.md")) problems.push("no CHANGELOG.md")
  if (!set.has("LICENSE")) problems.push("no LICENSE (package.json says MIT; the text must travel with it)")
  return problems
}

/** Where a README links to the repository: one absolute form, which a registry page resolves. */
export const repositoryBlob = "https://github.com/flight-hal/flight-hal/blob/main/"

/**
 * The problems of a package's manifest and README as a registry shows them: the fields npm and JSR pages link
 * from (repository with its directory, homepage, bugs, keywords, engines.node), and README links that a registry
 * page cannot follow (relative ones) or that point into the repository some other way than `repositoryBlob`.
 */
export const manifestProblems = (pkg, readme) => {
  const problems = []
  const manifest = pkg.pkg
  if (typeof manifest.repository?.url !== "string") problems.push("package.json: no repository.url")
  else if (manifest.repository.directory !== pkg.dir)
    problems.push(`package.json: repository.directory is not ${pkg.dir}`)
  if (typeof manifest.homepage !== "string") problems.push("package.json: no homepage")
  if (typeof manifest.bugs?.url !== "string") problems.push("package.json: no bugs.url")
  if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0) problems.push("package.json: no keywords")
  if (typeof manifest.engines?.node !== "string") problems.push("package.json: no engines.node")
  for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (!/^https?:\/\//.test(target)) problems.push(`README.md: relative link ${target}`)
    else if (
      /^https:\/\/github\.com\/flight-hal\/flight-hal(?=[/#?]|$)/.test(target) &&
      !target.startsWith(repositoryBlob)
    ) {
      problems.push(`README.md: ${target} (link into the repository as ${repositoryBlob}…)`)
    }
  }
  return problems
}
