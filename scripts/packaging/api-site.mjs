// What `deno doc --html` does not do for a workspace of several packages, done after it (scripts/api-docs.mjs):
//   - the entry points: every export of each package's deno.json (`@flight-hal/resources/trace-file` included);
//   - the import paths: deno doc names a module by its path under the packages ("resources/src/index.ts") in
//     the Usage boxes, titles, breadcrumbs and search results; they become the package's specifier;
//   - the landing page: docs/api/index.html is an empty page with five symbols in a sidebar; it gets what each
//     package is, the main entry points (links checked: a link to a page deno doc did not write fails the
//     script), the diagrams of docs/diagrams/ (copied into docs/api/diagrams/) and the guides.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { root } from "./workspace.mjs"

const repository = "https://github.com/flight-hal/flight-hal/blob/main"

/** Every documented module: `{ file, specifier }` for each export of each ready package's deno.json. */
export const docEntries = (packages) =>
  packages.flatMap((p) =>
    Object.entries(p.deno?.exports ?? { ".": "./src/index.ts" }).map(([key, target]) => ({
      file: join(p.dir, target),
      specifier: key === "." ? p.pkg.name : `${p.pkg.name}/${key.replace(/^\.\//, "")}`
    }))
  )

/** The path deno doc names a module by: relative to the entries' common directory ("resources/src/index.ts"). */
const shortNames = (entries) => {
  const parts = entries.map((e) => e.file.split("/"))
  let common = 0
  while (parts.every((p) => p[common] === parts[0][common] && common < p.length - 1)) common++
  return entries.map((e, i) => ({ ...e, short: parts[i].slice(common).join("/") }))
}

const htmlEscape = (text) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;")
/** Text with `code` spans, as HTML. */
const prose = (text) => htmlEscape(text).replace(/`([^`]+)`/g, "<code>$1</code>")

/** How deno doc escapes a path in text: `/` as `&#x2F;`. */
const denoEscape = (text) => htmlEscape(text).replaceAll("/", "&#x2F;")

const filesUnder = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })

/** Replaces the module paths shown to readers with the packages' specifiers; returns the number of files changed. */
export const rewriteSpecifiers = (apiDir, entries) => {
  const named = shortNames(entries)
  let changed = 0
  for (const file of filesUnder(apiDir).filter((f) => f.endsWith(".html") || f.endsWith("search_index.js"))) {
    const before = readFileSync(file, "utf8")
    let after = before
    for (const { short, specifier } of named) {
      for (const shown of [short, denoEscape(short)]) {
        after = after
          .replaceAll(`&quot;${shown}&quot;`, `&quot;${specifier}&quot;`) // Usage boxes and their copy buttons
          .replaceAll(`>${shown}<`, `>${specifier}<`) // breadcrumbs
          .replaceAll(`<title>${shown} - `, `<title>${specifier} - `) // a module's page title
          .replaceAll(` - ${shown} - `, ` - ${specifier} - `) // a symbol's page title
          .replaceAll(`"file":"${shown}"`, `"file":"${specifier}"`) // search results
      }
    }
    if (after !== before) {
      writeFileSync(file, after)
      changed++
    }
  }
  return changed
}

/** The landing page's entry points: [package, [symbol page (`Name` or `Name.member`), what it is]…]. */
const entryPoints = [
  [
    "@flight-hal/resources",
    "Without Effect: the plain facade",
    [
      ["createResourceManager", "makes a manager from a config (budgets, pools, profile, drivers)"],
      ["PlainResourceManager.acquire", "acquires now or throws (NonBlocking, Emergency); `using` releases it"],
      ["PlainResourceManager.acquireAsync", "acquires or waits (Blocking, Timeout, an AbortSignal)"],
      ["PlainResourceManager.use", "acquires, runs a function, releases"],
      ["PlainResourceManager.share", "gives another driver a hold on a Shareable resource"],
      ["PlainResourceManager.snapshot", "usage, pressure, drivers and pools at a glance"]
    ]
  ],
  [
    "@flight-hal/resources",
    "With Effect: the service",
    [
      ["ResourceManager", "the service's key; ResourceManager.layer(config) builds it"],
      ["ResourceManagerService.acquire", "acquires; released when the Scope closes"],
      ["ResourceManagerService.use", "acquires, runs an Effect, releases (no Scope)"],
      ["ResourceManagerService.share", "another driver's hold, scoped"],
      ["ResourceManagerService.pressureEvents", "a Stream of pressure level changes"]
    ]
  ],
  [
    "@flight-hal/resources",
    "Refs, config and profiles",
    [
      ["ResourceRef", "a live resource as its holder sees it: handle, metadata, payload, release"],
      ["ResourceManagerConfig", "budgets, pools, profile, drivers, leaks, tracing"],
      ["profileToConfig", "a config from a platform profile (dreamcast, web, desktop, server)"],
      ["detectProfile", "a profile scaled to the memory the platform has"]
    ]
  ],
  [
    "@flight-hal/core",
    "Tables, metadata and errors",
    [
      ["ResourceMetadata", "what a resource is: type, size, alignment, priority, flags, dependencies"],
      ["ResourceBudget", "maxBytes, reservedBytes and the two pressure thresholds"],
      ["ResourceFlags", "combine, test and list ResourceFlag bits"],
      ["BudgetExceeded", "one of the typed errors: tag, category, code, fields, message"],
      ["ErrorTable", "every error, by category and code"],
      ["FlightHalErrorSchema", "decodes and encodes any error (Effect Schema)"]
    ]
  ],
  [
    "@flight-hal/pool",
    "Block pools, without dependencies",
    [
      ["BlockPool", "an O(1) pool of fixed-size blocks"],
      ["PoolManager", "pools by size class, growing within a limit"],
      ["SharedBlockPool", "a pool over a SharedArrayBuffer, for workers"]
    ]
  ],
  [
    "@flight-hal/resources",
    "Watching a running program",
    [
      ["prometheusText", "the manager's metrics in the Prometheus text format, without Effect"],
      ["managerDump", "the state as flight-hal/dump JSON, for `flight-hal inspect`"],
      ["managerEndpoint", "a Fetch-API handler serving /snapshot and /metrics"],
      ["recordTimeline", "samples and events as a flight-hal/timeline NDJSON, for `flight-hal report`"]
    ]
  ],
  ["@flight-hal/resources/serve", "Serving the endpoint", [["serveManager", "/snapshot and /metrics on node:http"]]],
  [
    "@flight-hal/resources/timeline-file",
    "Timelines in a file",
    [["timelineToFile", "writes a recorded timeline to a file"]]
  ],
  [
    "@flight-hal/resources/trace-file",
    "Traces for the TLA+ spec",
    [["traceToFile", "writes a manager's trace to a file"]]
  ],
  ["@flight-hal/cli", "The flight-hal command", [["runCli", "the demo, watch, inspect and report, as a function"]]]
]

const diagrams = [
  [
    "budget.svg",
    "A budget: usage, the limits of each priority, the reserve, the thresholds and the pressure levels",
    "What a budget allows and when pressure rises"
  ],
  [
    "admission.svg",
    "Admission of a request, step by step, from a closed manager to a wait",
    "What happens to a request, in order"
  ],
  [
    "wait-for.svg",
    "Two wait-for graphs: a cycle the manager refuses, and waits it allows",
    "When a wait would deadlock, and when it would not"
  ]
]

const guides = [
  ["docs/manager.md", "The resource manager: configuration, Effect, the plain facade, admission, pools, pressure"],
  ["docs/sharing.md", "Drivers, sharing, names, dependencies and deadlock detection"],
  ["docs/pools.md", "The pool package"],
  ["docs/profiles.md", "Platform profiles and detection"],
  ["docs/observability.md", "Metrics, the endpoint, dumps and timelines of a running program"],
  ["docs/semantics.md", "Every rule, stated precisely"],
  ["docs/cli.md", "The flight-hal command"]
]

/**
 * Writes the landing page into `apiDir/index.html` (deno doc's own page, its empty `<main>` filled) and copies
 * the diagrams; returns the links that point to no page (the caller fails on any).
 */
export const writeLanding = (apiDir, packages, entries) => {
  const named = shortNames(entries)
  const pageOf = (specifier, symbol) => {
    const entry = named.find((e) => e.specifier === specifier)
    if (entry === undefined) return { href: "#", missing: `${specifier} is not documented` }
    const [name, member] = symbol.split(".")
    const file = member === undefined ? `${name}.html` : `${name}.${member}.html`
    const href = `./${entry.short}/~/${file}`
    return existsSync(join(apiDir, href)) ? { href } : { href, missing: `${specifier}: ${symbol} (${href})` }
  }
  const missing = []
  const link = (specifier, symbol) => {
    const page = pageOf(specifier, symbol)
    if (page.missing) missing.push(page.missing)
    return `<a href="${htmlEscape(page.href)}"><code>${htmlEscape(symbol)}</code></a>`
  }
  const moduleLink = (specifier) => {
    const entry = named.find((e) => e.specifier === specifier)
    if (entry === undefined) {
      missing.push(`${specifier} is not documented`)
      return htmlEscape(specifier)
    }
    const href = `./${entry.short}/index.html`
    if (!existsSync(join(apiDir, href))) missing.push(`${specifier} (${href})`)
    return `<a href="${htmlEscape(href)}"><code>${htmlEscape(specifier)}</code></a>`
  }

  const packageRows = packages
    .map(
      (p) =>
        `<tr><td>${moduleLink(p.pkg.name)}</td><td>${htmlEscape(p.pkg.description ?? "")}</td>` +
        `<td><code>npm install ${htmlEscape(p.pkg.name)}${p.pkg.peerDependencies?.effect ? " effect" : ""}</code></td></tr>`
    )
    .join("\n")
  const sections = entryPoints
    .map(
      ([specifier, title, symbols]) =>
        `<h3>${htmlEscape(title)} <small>(${moduleLink(specifier)})</small></h3>\n<ul>\n${symbols
          .map(([symbol, what]) => `<li>${link(specifier, symbol)}: ${prose(what)}</li>`)
          .join("\n")}\n</ul>`
    )
    .join("\n")
  mkdirSync(join(apiDir, "diagrams"), { recursive: true })
  const figures = diagrams
    .map(([file, alt, caption]) => {
      const source = join(root, "docs", "diagrams", file)
      if (!existsSync(source)) missing.push(`docs/diagrams/${file}`)
      else copyFileSync(source, join(apiDir, "diagrams", file))
      return (
        `<figure style="margin: 0"><img src="diagrams/${file}" alt="${htmlEscape(alt)}" style="width: 100%; height: auto; border: 1px solid #e2e8f0; border-radius: 6px">` +
        `<figcaption style="margin-top: .5rem; font-style: italic">${htmlEscape(caption)}</figcaption></figure>`
      )
    })
    .join("\n")
  const guideItems = guides
    .map(([path, what]) => {
      if (!existsSync(join(root, path))) missing.push(path)
      return `<li><a href="${repository}/${path}">${htmlEscape(path.replace("docs/", ""))}</a>: ${htmlEscape(what)}</li>`
    })
    .join("\n")

  const main = `<main><div class="markdown">
<h1>Flight HAL</h1>
<p>Resource management for TypeScript: resources released exactly once (<code>using</code>, Effect scopes),
per-type byte budgets with a reserve and pressure levels, O(1) block pools, sharing between drivers, and deadlock
detection for drivers declared sequential: a wait among them that could never be granted fails at once with
<code>DeadlockDetected</code> (concurrent owners, the default, wait or time out, as with a semaphore, even for
what only they hold). One admission core has two front ends: a plain facade for any code, and an Effect service.
They take the same configs and fail with the same error classes.</p>
<h2>Packages</h2>
<table><thead><tr><th>package</th><th>what it is</th><th>install</th></tr></thead><tbody>
${packageRows}
</tbody></table>
<h2>Where to start</h2>
${sections}
<h2>In pictures</h2>
</div>
<div style="display: flex; flex-direction: column; gap: 2rem; max-width: 1100px">
${figures}
</div>
<div class="markdown">
<h2>Guides</h2>
<ul>
${guideItems}
</ul>
</div></main>`
  const indexPath = join(apiDir, "index.html")
  const page = readFileSync(indexPath, "utf8")
  if (!page.includes("<main></main>"))
    missing.push("docs/api/index.html has no empty <main> to fill (deno doc changed?)")
  writeFileSync(indexPath, page.replace("<main></main>", main))
  return missing
}
