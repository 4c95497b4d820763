/**
 * What the production build (scripts/build.mjs → dist/) keeps out of a running server's memory. V8
 * holds every loaded module's whole source for the life of the process, so the build
 *  - writes plain ASCII (one character above U+00FF would make a module's source a two-byte string,
 *    twice its size in memory), and
 *  - puts the vendored API reference UI in a chunk of its own, loaded on the first /docs request:
 *    nothing `dist/node.js` loads at start holds it.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const DIST = join(ROOT, "dist");

/** The files a module loads at start: itself and its static imports, transitively (dynamic import() excluded). */
function loadedAtStart(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const [, spec] of text.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?"(\.{1,2}\/[^"]+)"/g)) {
    loadedAtStart(join(dirname(file), spec!), seen);
  }
  return seen;
}

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { stdio: "inherit" });
}, 120_000);

describe("the production build", () => {
  it("writes only ASCII JavaScript", () => {
    const files = [join(DIST, "node.js"), join(DIST, "cli.js"), ...readdirSync(join(DIST, "chunks")).map((f) => join(DIST, "chunks", f))];
    const offenders = files.filter((f) => f.endsWith(".js") && /[\u0080-\uffff]/.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("loads the API reference UI only on demand", () => {
    const atStart = [...loadedAtStart(join(DIST, "node.js"))];
    expect(atStart.length).toBeGreaterThan(1);
    const holdsUi = (f: string) => readFileSync(f, "utf8").includes("swagger-ui-bundle.js.LICENSE");
    expect(atStart.filter(holdsUi)).toEqual([]);
    // …and it is in the build, for /docs to import.
    expect(readdirSync(join(DIST, "chunks")).some((f) => f.endsWith(".js") && holdsUi(join(DIST, "chunks", f)))).toBe(true);
  });
});
