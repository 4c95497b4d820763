/**
 * The layer rules (.dependency-cruiser.cjs, docs/architecture.md "Layers") and their baseline
 * (.dependency-cruiser-known-violations.json) move together: a new arrow the wrong way fails, and an
 * arrow that went away must leave the baseline too, so the baseline only ever shrinks.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const DEPCRUISE = join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");
const run = promisify(execFile);

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

const key = (v: Violation) => `${v.rule.name}: ${v.from} → ${v.to}`;

/** Every wrong-way arrow in `dirs` under `cwd`, known or not. */
async function violations(cwd: string, dirs: string[]): Promise<string[]> {
  const { stdout } = await run(process.execPath, [DEPCRUISE, ...dirs, "--config", CONFIG, "--output-type", "json"], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
  const result = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return result.summary.violations.map(key).sort();
}

describe("one-way layers", () => {
  it("the wrong-way arrows in src/ and renderers/ are exactly the committed baseline", async () => {
    const known = (JSON.parse(readFileSync(join(ROOT, ".dependency-cruiser-known-violations.json"), "utf8")) as Violation[])
      .map(key)
      .sort();
    expect(await violations(ROOT, ["src", "renderers"])).toEqual(known);
  }, 120_000);

  it("a renderer reaching past the channel contract, the core importing a renderer, Node or the Node edge, a route querying tables: each is a violation", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unison-layers-"));
    const file = (path: string, text: string) => {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    file("tsconfig.json", JSON.stringify({ compilerOptions: { module: "ESNext", moduleResolution: "Bundler" } }));
    file("src/channels/contract.ts", "export const LIMIT = 1;\n");
    file("src/journeys/carts.ts", 'import { LIMIT } from "../channels/contract";\nexport const MAX = LIMIT;\n');
    file("src/journeys/invoke.ts", 'import { sms } from "../../renderers/sms/index";\nexport const use = sms;\n');
    file("src/lib/files.ts", 'import { readFileSync } from "node:fs";\nexport const read = readFileSync;\n');
    file(
      "src/node.ts",
      'import { readFileSync } from "node:fs";\nimport { sms } from "../renderers/sms/index";\nexport const both = [readFileSync, sms];\n',
    );
    file(
      "renderers/sms/index.ts",
      'import { LIMIT } from "../../src/channels/contract";\nimport { MAX } from "../../src/journeys/carts";\nimport { web } from "../web/index";\nexport const sms = [LIMIT, MAX, web];\n',
    );
    file("renderers/web/index.ts", "export const web = 1;\n");
    file("src/node/sqlite.ts", 'import { existsSync } from "node:fs";\nexport const open = existsSync;\n');
    file("src/lib/db.ts", 'import { open } from "../node/sqlite";\nexport const db = open;\n');
    file("src/db/schema.ts", "export const entries = 1;\n");
    file("src/catalogue/entries.ts", 'import { entries } from "../db/schema";\nexport const list = entries;\n');
    file("src/routes/admin/entries.index.ts", 'import { list } from "../../catalogue/entries";\nexport const route = list;\n');
    file("src/studio/list.ts", 'import { entries } from "../db/schema";\nexport const page = entries;\n');
    file("renderers/sms/sms.test.ts", 'import { MAX } from "../../src/journeys/carts";\nexport const t = MAX;\n');

    expect(await violations(dir, ["src", "renderers"])).toEqual([
      "core-imports-node-edge: src/lib/db.ts → src/node/sqlite.ts",
      "core-imports-node: src/lib/files.ts → fs",
      "core-imports-renderer: src/journeys/invoke.ts → renderers/sms/index.ts",
      "renderer-imports-core: renderers/sms/index.ts → src/journeys/carts.ts",
      "renderer-imports-other-renderer: renderers/sms/index.ts → renderers/web/index.ts",
      "route-queries-tables: src/studio/list.ts → src/db/schema.ts",
    ]);
  }, 120_000);
});
