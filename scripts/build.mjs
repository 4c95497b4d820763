#!/usr/bin/env node
/**
 * The production build: `npm start` runs `dist/node.js` and the `unison` command `dist/cli.js`,
 * plain JavaScript bundled by esbuild from src/, renderers/ and the dependencies, so a running
 * server carries no TypeScript loader and no esbuild service process beside it.
 *
 *   node scripts/build.mjs     writes dist/node.js and dist/cli.js (+ source maps)
 *
 * Everything it writes stays in this project's dist/ (ignored by git), each file written under a
 * temporary name and renamed, so a process starting meanwhile never loads half a file.
 * `npm run dev` keeps `tsx watch`.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * zod's error messages in English only. Its `locales` namespace (40 languages, 290 kB) cannot be
 * tree-shaken: a CommonJS package (@asteasolutions/zod-to-openapi) requires zod, which keeps every
 * export alive, and the server would parse all of it at every start. Unison never calls
 * `z.locales.*` (zod configures English itself); the namespace keeps `en` alone.
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), "../locales/en.js"), namespace: "zod-en" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-en" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: { node: "src/node.ts", cli: "src/cli/index.ts" },
  outdir: "dist",
  // A dynamic import() becomes its own chunk, loaded when first asked for: the vendored API
  // reference UI (3.6 MB) stays on disk until someone opens /docs, the MCP SDK (with ajv and zod 3,
  // 300 kB) until the first /mcp request. What start loads is what the first request needs.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Dependencies are bundled too: one file to parse at start, and no ESM resolution of CommonJS
  // packages' extensionless subpaths (handlebars/runtime). better-sqlite3 loads a native addon;
  // undici (1 MB, only for outbound webhooks) loads from node_modules.
  external: ["better-sqlite3", "undici"],
  banner: { js: 'import { createRequire as __unisonRequire } from "node:module"; const require = __unisonRequire(import.meta.url);' },
  plugins: [zodEnglishOnly],
  // Shorter local names too: a quarter fewer bytes for V8 to read and parse at every start (`npm run
  // bench:start`); stack traces map back through the source maps (node --enable-source-maps).
  minifySyntax: true,
  minifyWhitespace: true,
  minifyIdentifiers: true,
  sourcemap: "linked",
  write: false,
  logLevel: "warning",
});
mkdirSync(join(root, "dist", "chunks"), { recursive: true });
for (const file of result.outputFiles) {
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, asciiOnly(file));
  renameSync(temporary, file.path);
}
// Chunks of earlier builds, once no process started in the last hour can still import them lazily.
const written = new Set(result.outputFiles.map((f) => relative(join(root, "dist"), f.path)));
for (const name of readdirSync(join(root, "dist", "chunks"))) {
  const path = join(root, "dist", "chunks", name);
  if (!written.has(`chunks/${name}`) && Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { force: true });
}

/**
 * The file's bytes with every non-ASCII character written as a \u escape. V8 keeps a module's whole
 * source in memory, and one character above U+00FF (esbuild leaves them in regular expression
 * literals) makes it a two-byte string: twice the memory for the life of the process. The escape
 * means the same in strings, templates, regular expressions and comments.
 */
function asciiOnly(file) {
  if (!file.path.endsWith(".js") || !/[\u0080-\uffff]/.test(file.text)) return file.contents;
  return file.text.replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
