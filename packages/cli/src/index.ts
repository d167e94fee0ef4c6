/**
 * @flight-hal/cli: the `flight-hal` command (demo with a live view, HTML report, inspect, profiles)
 * and its parts as functions: run the demo, render its report, dump and inspect a manager.
 *
 * @module
 */
export * from "./cli.ts"
export * from "./config-file.ts"
export * from "./demo.ts"
export * from "./dump.ts"
export * from "./inspect.ts"
export * from "./live-view.ts"
export * from "./model.ts"
export * from "./report.ts"
export * from "./summary.ts"
export * from "./timeline.ts"
export * from "./watch.ts"
