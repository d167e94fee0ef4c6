/**
 * Caller values that messages showed whole: the name `find` was given, in its ResourceNotFound, a key of a
 * config's custom type declaration, in its `unknown option`, and a custom type's name in `config.types.<name>`. Each is cut as every other caller value
 * (internal/show.ts: 64 characters, `…` and the length): a 1 MiB name gives a message of under 200 characters, and
 * a short one is shown as before.
 */
import { describe, expect, test } from "bun:test"
import { InvalidArgument, ResourceNotFound } from "@flight-hal/core"
import { Effect } from "effect"
import { createResourceManager, ResourceManager } from "../src/index.ts"
import { thrown } from "./support/thrown.ts"

const huge = "n".repeat(2 ** 20)

describe("find: the name in its ResourceNotFound is bounded", () => {
  test("the plain facade", () => {
    using manager = createResourceManager()
    const error = thrown(() => manager.find(huge))
    expect(error).toBeInstanceOf(ResourceNotFound)
    expect((error as ResourceNotFound).message.length).toBeLessThan(200)
    expect((error as ResourceNotFound).resource).toBe(`${"n".repeat(64)}… (1048576 characters)`)
    // a short name as before
    expect((thrown(() => manager.find("tex")) as ResourceNotFound).resource).toBe("tex")
  })

  test("the Effect service", async () => {
    const program = Effect.gen(function* () {
      const manager = yield* ResourceManager
      return yield* Effect.flip(manager.find(huge))
    })
    const error = await Effect.runPromise(Effect.provide(program, ResourceManager.layer({})))
    expect(error).toBeInstanceOf(ResourceNotFound)
    expect(error.message.length).toBeLessThan(200)
  })
})

describe("a key of a custom type's declaration is bounded in its InvalidArgument", () => {
  test("a 1 MiB option key of a type's declaration: unknown option cut", () => {
    const error = thrown(() => createResourceManager({ types: { Shader: { [huge]: 1 } } }))
    expect(error).toBeInstanceOf(InvalidArgument)
    expect((error as InvalidArgument).message.length).toBeLessThan(200)
    expect((error as InvalidArgument).argument).toBe("config.types.Shader")
  })

  test("a 1 MiB type name: its key in the argument cut", () => {
    const error = thrown(() => createResourceManager({ types: { [huge]: {} } }))
    expect(error).toBeInstanceOf(InvalidArgument)
    expect((error as InvalidArgument).message.length).toBeLessThan(300)
    expect((error as InvalidArgument).argument).toBe(`config.types.${"n".repeat(64)}… (1048576 characters)`)
  })

  test("short names and keys are shown as before", () => {
    const taken = thrown(() =>
      createResourceManager({ types: { Shader: { code: 0x80000010 }, Mesh: { code: 0x80000010 } } })
    )
    expect((taken as InvalidArgument).argument).toBe("config.types.Mesh")
    // @ts-expect-error: a misspelt option, as a caller without types may write it
    const option = thrown(() => createResourceManager({ types: { Shader: { cod: 1 } } }))
    expect((option as InvalidArgument).issue).toBe("unknown option cod")
  })
})
