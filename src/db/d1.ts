/**
 * The scale-out driver: Cloudflare D1. Runtime-neutral (no Node imports).
 * D1 has no interactive transactions, so atomic writes are one `batch`, and
 * with read replication each request runs in a session whose bookmark gives
 * read-your-writes (RELIABILITY 7).
 */
import { drizzle } from "drizzle-orm/d1";
import { type Database, isRaw, type Orm } from "./client";
import * as schema from "./schema";

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
      const statements = build(orm as unknown as Orm).map((s) => (isRaw(s) ? orm.run(s.raw) : s));
      if (statements.length === 0) return;
      // biome-ignore lint/suspicious/noExplicitAny: drizzle's batch wants a non-empty tuple of its own builder types.
      await orm.batch(statements as any);
    },
    bookmark() {
      return "getBookmark" in binding ? binding.getBookmark() : null;
    },
  };
}
