#!/usr/bin/env node
// The `unison` command, from any directory: runs the built CLI (dist/cli.js, plain JavaScript) in this
// process, building it first when src/ or renderers/ changed since; where the build cannot be written
// (a read-only install), it runs the TypeScript sources through tsx instead.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const built = join(root, "dist/cli.js");

/** The newest modification time under a folder (the sources the build reads). */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function fresh() {
  if (!existsSync(built)) return false;
  const sources = ["src", "renderers"].map((d) => join(root, d)).filter(existsSync);
  return sources.every((d) => newest(d) <= statSync(built).mtimeMs);
}

if (!fresh() && existsSync(join(root, "scripts/build.mjs"))) {
  spawnSync(process.execPath, [join(root, "scripts/build.mjs")], { stdio: ["ignore", "ignore", "inherit"] });
}
if (fresh()) {
  await import(pathToFileURL(built).href);
} else {
  // Resolve tsx from this package, not from the caller's directory.
  const tsx = import.meta.resolve("tsx");
  const result = spawnSync(process.execPath, ["--import", tsx, join(root, "src/cli/index.ts"), ...process.argv.slice(2)], {
    stdio: "inherit",
    cwd: process.cwd(),
  });
  process.exit(result.status ?? 1);
}
