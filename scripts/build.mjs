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
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const result = await build({
  absWorkingDir: root,
  entryPoints: { node: "src/node.ts", cli: "src/cli/index.ts" },
  outdir: "dist",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Dependencies are bundled too: one file to parse at start, and no ESM resolution of CommonJS
  // packages' extensionless subpaths (handlebars/runtime). better-sqlite3 loads a native addon;
  // undici (1 MB, only for outbound webhooks) loads from node_modules.
  external: ["better-sqlite3", "undici"],
  banner: { js: 'import { createRequire as __unisonRequire } from "node:module"; const require = __unisonRequire(import.meta.url);' },
  minifySyntax: true,
  minifyWhitespace: true,
  sourcemap: "linked",
  write: false,
  logLevel: "warning",
});
mkdirSync(join(root, "dist"), { recursive: true });
for (const file of result.outputFiles) {
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  renameSync(temporary, file.path);
}
