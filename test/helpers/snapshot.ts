import type { SqliteDatabase } from "../../src/node/sqlite";

/** Every row of every table, to prove a rejected request changed nothing. */
export function dump(db: SqliteDatabase): Record<string, unknown[]> {
  const tables = db.client
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'products_fts_%' ORDER BY name",
    )
    .all() as { name: string }[];
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables) out[name] = db.client.prepare(`SELECT * FROM "${name}"`).all();
  return out;
}
