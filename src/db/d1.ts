/**
 * The scale-out driver: Cloudflare D1. Runtime-neutral (no Node imports).
 * D1 has no interactive transactions, so atomic writes are one `batch`, and
 * with read replication each request runs in a session whose bookmark gives
 * read-your-writes (docs/architecture.md, "Read-your-writes on D1").
 */
import type { SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { type Database, isRaw, type Orm } from "./client";
import * as schema from "./schema";

const dialect = new SQLiteAsyncDialect();

/**
 * Wraps a D1 binding, or a D1 session (`env.DB.withSession(bookmark)`).
 *
 * @example
 * const db = openD1(env.DB.withSession(c.req.header("x-d1-bookmark") ?? "first-unconstrained"));
 */
export function openD1(binding: D1Database | D1DatabaseSession): Database {
  const orm = drizzle(binding as D1Database, { schema });
  return {
    orm: orm as unknown as Orm,
    driver: "d1",
    async atomic(build) {
      // Each statement is rendered to SQL + parameters and sent in one D1 batch (a single transaction).
      // drizzle's own batch() cannot take raw SQL items, which the guards need.
      const statements = build(orm as unknown as Orm).map((s) => {
        const query = isRaw(s)
          ? dialect.sqlToQuery(s.raw as SQL)
          : (s as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
        return binding.prepare(query.sql).bind(...query.params);
      });
      if (statements.length) await binding.batch(statements);
    },
    bookmark() {
      return "getBookmark" in binding ? binding.getBookmark() : null;
    },
  };
}
