/**
 * The layers of Unison, as import rules (docs/architecture.md, "Layers").
 *
 *   npm run lint:layers                        fails on an arrow the wrong way that is not in the baseline
 *   npm run lint:layers -- --no-ignore-known   lists every wrong-way arrow, known ones included
 *   npm run lint:layers:baseline               rewrites the baseline (only ever to shrink it)
 *
 * The known arrows are listed in .dependency-cruiser-known-violations.json (dependency-cruiser's
 * `--ignore-known`): a ratchet. Fixing one means removing it from there; adding one fails CI.
 *
 * Test code is outside the layers: `*.test.ts`, test/, bench/ and the chat renderers' shared test
 * fixtures (renderers/chat/fixtures.ts, which builds views from a real database).
 */

/**
 * Entries: the only modules that know a runtime (Node, Workers) or the command line. `src/node/` holds what
 * only the Node entry needs (the better-sqlite3 driver); nothing else of the app may import it (core-imports-node-edge).
 */
const ENTRIES = "^src/(node|worker)\\.ts$|^src/node/|^src/cli/";
/** Code that runs only on Node, in development or CI, never inside the app. */
const TOOLING = "^scripts/|^test/|^bench/|^bin/|^[^/]+\\.(ts|mjs|cjs|js)$";
/** Test code and test fixtures wherever they live. */
const TESTS = "\\.test\\.ts$|^renderers/chat/fixtures\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "renderer-imports-core",
      severity: "error",
      comment:
        "A renderer imports only the channel contract (src/channels/) and its own folder. What it needs from elsewhere " +
        "in src/ belongs in the contract (a view field, a helper under src/channels/). docs/architecture.md, Layers.",
      from: { path: "^renderers/", pathNot: TESTS },
      to: { path: "^src/", pathNot: "^src/channels/" },
    },
    {
      name: "renderer-imports-other-renderer",
      severity: "error",
      comment:
        "A renderer does not import another channel's folder; only the registry (renderers/index.ts) knows them all. " +
        "docs/architecture.md, Layers.",
      from: { path: "^renderers/([^/]+)/", pathNot: TESTS },
      to: { path: "^renderers/", pathNot: "^renderers/$1/" },
    },
    {
      name: "core-imports-renderer",
      severity: "error",
      comment:
        "src/ reaches the renderers only through the registry createApp is given (AppDeps.renderers); only the entries " +
        "(src/node.ts, src/worker.ts, src/cli/) import renderers/. docs/architecture.md, Layers.",
      from: { path: "^src/", pathNot: `${ENTRIES}|${TESTS}` },
      to: { path: "^renderers/" },
    },
    {
      name: "core-imports-node",
      severity: "error",
      comment:
        "Code that runs on Workers too imports no Node built-in (node:*) and no native driver (better-sqlite3): those " +
        "belong to the Node entry (src/node.ts), the CLI, scripts, tests and benchmarks. docs/architecture.md, Runtimes.",
      from: { pathNot: `${ENTRIES}|${TOOLING}|${TESTS}` },
      to: {
        dependencyTypes: ["core"],
      },
    },
    {
      name: "core-imports-native-driver",
      severity: "error",
      comment: "better-sqlite3 is a native Node addon: only the Node entry, the CLI and tooling load it. docs/architecture.md, Runtimes.",
      from: { pathNot: `${ENTRIES}|${TOOLING}|${TESTS}` },
      to: { path: "^node_modules/(better-sqlite3|drizzle-orm/better-sqlite3)/" },
    },
    {
      name: "core-imports-node-edge",
      severity: "error",
      comment:
        "src/node/ is the Node entry's own code (the better-sqlite3 driver): only the entries, the CLI and tooling import it; " +
        "the app gets a Database through AppDeps. docs/architecture.md, Runtimes.",
      from: { pathNot: `${ENTRIES}|${TOOLING}|${TESTS}` },
      to: { path: "^src/node/" },
    },
    {
      name: "route-queries-tables",
      severity: "error",
      comment:
        "Routes and studio pages call the domain (src/catalogue/, src/journeys/, src/inbound/), which owns the queries; " +
        "they do not import the tables (src/db/schema.ts). A query a route needs becomes a named function there. " +
        "docs/architecture.md, Layers.",
      from: { path: "^src/(routes|studio)/", pathNot: TESTS },
      to: { path: "^src/db/schema\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|\\.wrangler|data|test-artifacts)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
      extensions: [".ts", ".tsx", ".d.ts", ".js", ".mjs", ".cjs", ".json"],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
