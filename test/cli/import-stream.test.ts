/**
 * `unison import` streams product files in slices (validated, then written, 200 at a time) inside one
 * transaction: a catalogue larger than several slices imports whole, and a problem in its last slice
 * leaves the database exactly as it was — nothing of the earlier slices is kept. `unison export` writes
 * a page of entries at a time, and gives back what was imported.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { writeCatalogue } from "../../bench/catalogue";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/unison.mjs");
/** More than two slices of 200, so the last slice is written after two others were. */
const COUNT = 450;

function unison(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every row of every table, hashed: equal digests mean an unchanged database. */
function digest(file: string): string {
  const db = new Database(file, { readonly: true });
  const hash = createHash("sha256");
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  for (const table of tables) {
    hash.update(`\n${table}\n`);
    // Sorted here: some tables are WITHOUT ROWID.
    const rows = (db.prepare(`SELECT * FROM "${table}"`).raw().all() as unknown[]).map((row) => JSON.stringify(row)).sort();
    for (const row of rows) hash.update(row);
  }
  db.close();
  return hash.digest("hex");
}

/** The product file that is read last (the import reads files in name order). */
function lastProductFile(dir: string): string {
  const names = readdirSync(join(dir, "products")).sort();
  return join(dir, "products", names.at(-1)!);
}

/** A generated catalogue of {@link COUNT} products in a new folder, and where its database goes. */
function generated() {
  const dir = mkdtempSync(join(tmpdir(), "unison-stream-"));
  const content = join(dir, "content");
  writeCatalogue(content, COUNT);
  return { dir, content, db: join(dir, "u.db") };
}

/** Imports `content` again into `db`: every product unchanged. */
function expectUnchanged(content: string, db: string) {
  const again = unison(["import", content, "--db", db]);
  expect(again.code, again.stderr).toBe(0);
  expect(again.stdout).toMatch(new RegExp(`products\\s+created 0, updated 0, unchanged ${COUNT}`));
}

describe("unison import, streamed in slices", () => {
  it("imports a catalogue of several slices whole, shows progress in plain lines, and re-imports unchanged", () => {
    const { content, db } = generated();
    const first = unison(["import", content, "--db", db, "--progress"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`products\\s+created ${COUNT}, updated 0, unchanged 0`));
    // Not a terminal: plain lines (every 500 files and at the end of each pass), validating before writing, then
    // building the stored answers of every product it published.
    expect(first.stderr.trim().split("\n")).toEqual([
      `validated ${COUNT}/${COUNT}`,
      `imported ${COUNT}/${COUNT}`,
      `answered ${COUNT}/${COUNT}`,
    ]);
    const count = new Database(db, { readonly: true });
    expect(count.prepare("SELECT count(*) FROM published_products").pluck().get()).toBe(COUNT);
    expect(count.prepare("SELECT count(DISTINCT slug) FROM product_answers").pluck().get()).toBe(COUNT);
    count.close();
    expectUnchanged(content, db);
  }, 300_000);

  it("exports a catalogue of several pages file for file, each product with its own stock, and the export re-imports unchanged", () => {
    const { dir, content, db } = generated();
    expect(unison(["import", content, "--db", db]).code).toBe(0);
    const out = join(dir, "out");
    const exported = unison(["export", out, "--db", db]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`wrote ${COUNT + 1} file(s)`);
    const names = readdirSync(join(content, "products")).sort();
    // Read a page of 200 entries at a time: every product once, none twice, none left out.
    expect(readdirSync(join(out, "products")).sort()).toEqual(names);
    for (const name of names) {
      const source = JSON.parse(readFileSync(join(content, "products", name), "utf8"));
      const written = JSON.parse(readFileSync(join(out, "products", name), "utf8"));
      // Everything the source says, with the stock of its own SKUs (read per page); defaults filled in.
      expect(written, name).toMatchObject(source);
    }
    expectUnchanged(out, db);
  }, 300_000);

  it("a bad record in the last slice, or a SKU another product owns, leaves the database unchanged", () => {
    const dir = mkdtempSync(join(tmpdir(), "unison-stream-"));
    const db = join(dir, "u.db");
    // A store that already holds the demo catalogue.
    expect(unison(["import", join(ROOT, "content"), "--db", db]).code).toBe(0);
    const before = digest(db);

    const content = join(dir, "content");
    writeCatalogue(content, COUNT);
    const last = lastProductFile(content);
    const doc = JSON.parse(readFileSync(last, "utf8"));
    const original = JSON.stringify(doc);
    doc.variants[0].prices.EUR = "cheap";
    writeFileSync(last, JSON.stringify(doc));
    const invalid = unison(["import", content, "--db", db]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("/variants/0/prices/EUR:");
    expect(invalid.stderr).toContain("nothing was imported");
    expect(digest(db)).toBe(before);

    // Valid on its own, but its SKU belongs to a demo product: found before anything is written.
    const taken = JSON.parse(original);
    taken.variants[0].sku = "MER-CRE-SWE-S-NAVY";
    writeFileSync(last, JSON.stringify(taken));
    const demo = new Database(db, { readonly: true });
    const owned = demo.prepare("SELECT count(*) FROM inventory WHERE sku = ?").pluck().get("MER-CRE-SWE-S-NAVY");
    demo.close();
    expect(owned, "the demo catalogue has this SKU").toBe(1);
    const conflict = unison(["import", content, "--db", db]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain("nothing was imported");
    expect(digest(db)).toBe(before);
  }, 300_000);
});
