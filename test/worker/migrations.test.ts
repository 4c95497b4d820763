import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqlite } from "../../src/node/sqlite";
import { type LocalD1, localD1, wrangler } from "../helpers/d1";

const BOOKKEEPING = /^(sqlite_|_cf_|d1_migrations|__drizzle_migrations)/;
const normalize = (s: string | null) => (s ?? "").replace(/\s+/g, " ").replace(/"/g, "`").trim();

/** A database file path in a new temporary folder. */
const tempDbFile = async () => join(await mkdtemp(join(tmpdir(), "unison-mig-")), "u.db");

type Row = { type: string; name: string; tbl_name: string; sql: string | null };
const project = (rows: Row[]) =>
  rows
    .filter((r) => !BOOKKEEPING.test(r.name))
    .map((r) => `${r.type} ${r.name} on ${r.tbl_name}: ${normalize(r.sql)}`)
    .sort();

let d1: LocalD1;
afterAll(async () => d1?.dispose());

describe("one migration history for both runtimes", () => {
  it("the same migrations/ give the same schema on better-sqlite3 and on local D1, and re-applying is a no-op", async () => {
    d1 = await localD1();
    const onD1 = (await d1.binding.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master").all<Row>()).results;
    const sqlite = openSqlite(":memory:");
    const onNode = sqlite.client.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master").all() as Row[];
    expect(project(onD1)).toEqual(project(onNode));
    expect(project(onNode).length).toBeGreaterThan(20);

    const again = wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", d1.dir]);
    expect(again).toMatch(/No migrations to apply/);
  }, 60_000);

  it("re-running the drizzle migrator on a migrated file changes nothing", async () => {
    const file = await tempDbFile();
    const first = openSqlite(file);
    const before = first.client.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name").all();
    const applied = first.client.prepare("SELECT COUNT(*) AS n FROM __drizzle_migrations").get();
    first.close();
    const second = openSqlite(file);
    expect(second.client.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name").all()).toEqual(before);
    expect(second.client.prepare("SELECT COUNT(*) AS n FROM __drizzle_migrations").get()).toEqual(applied);
    expect(second.client.pragma("integrity_check", { simple: true })).toBe("ok");
    second.close();
  });

  it("a file without the newest migration gets it when opened (a start skips the migrator only when nothing is new)", async () => {
    const file = await tempDbFile();
    const first = openSqlite(file);
    const applied = first.client.prepare("SELECT COUNT(*) AS n FROM __drizzle_migrations").get();
    // As the file was before migrations/0016: a product's stored answer without the page columns or their index,
    // and the newest migration not recorded.
    first.client.exec(
      `INSERT INTO product_answers (slug, locale, basis, body) VALUES ('hat', 'en', 'b', '{}');
       DROP INDEX product_answers_page_basis;
       ALTER TABLE product_answers DROP COLUMN page;
       ALTER TABLE product_answers DROP COLUMN page_basis;
       DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)`,
    );
    const columns = (db: typeof first) => db.client.prepare("SELECT name FROM pragma_table_info('product_answers')").pluck().all();
    expect(columns(first)).toEqual(["slug", "locale", "basis", "body"]);
    first.close();
    const second = openSqlite(file);
    expect(columns(second)).toEqual(["slug", "locale", "basis", "body", "page_basis", "page"]);
    // The answer it finds keeps its body and has no page yet: built without a renderer, so the tick's sweep marks it due.
    expect(second.client.prepare("SELECT body, page_basis, page FROM product_answers").all()).toEqual([
      { body: "{}", page_basis: "", page: null },
    ]);
    expect(
      second.client.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'product_answers'").pluck().all(),
    ).toContain("product_answers_page_basis");
    expect(second.client.prepare("SELECT COUNT(*) AS n FROM __drizzle_migrations").get()).toEqual(applied);
    second.close();
  });
});
