/**
 * `profileToConfig(profile, options)` refuses, with `InvalidArgument` naming the key, the options its types leave
 * out because the profile sets them (`budgets`, `pools`, `profile`): plain JavaScript's `pools` and `budgets` were
 * dropped without a word and `profile` was copied into the config, where the manager ignored it (reported by a
 * user shipping one app to several platforms).
 */
import { describe, expect, test } from "bun:test"
import { InvalidArgument } from "@flight-hal/core"
import { dreamcast, profileToConfig } from "../src/index.ts"

describe("profileToConfig's options", () => {
  test("budgets, pools and profile are refused with InvalidArgument naming the key", () => {
    for (const [key, value] of [
      ["pools", []],
      ["budgets", {}],
      ["profile", "web"]
    ] as const) {
      let thrown: unknown
      try {
        profileToConfig(dreamcast, { [key]: value } as never)
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(InvalidArgument)
      expect((thrown as InvalidArgument).argument).toBe(`options.${key}`)
    }
  })

  test("the other options pass through; an explicit undefined for those keys is no option", () => {
    const config = profileToConfig(dreamcast, { hysteresisPercent: 2, pools: undefined } as never)
    expect(config.hysteresisPercent).toBe(2)
    expect(config.pools).toHaveLength(4)
    expect("profile" in config).toBe(false)
  })
})
