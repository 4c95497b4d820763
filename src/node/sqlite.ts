/**
 * The embedded driver: better-sqlite3 on a local file. Node only, so it lives at
 * the Node edge (`src/node/`, beside the entry `src/node.ts`): imported by the
 * entry, the CLI, tests and benchmarks, never by the runtime-neutral app, which
 * sees only the `Database` seam (`src/db/client.ts`).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { type Database, isRaw, type Orm } from "../db/client";
import * as schema from "../db/schema";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The project's migrations/: two levels up from src/node/, one up from the built dist/ bundle. */
export const MIGRATIONS_DIR =
  [resolve(HERE, "../migrations"), resolve(HERE, "../../migrations")].find(existsSync) ?? resolve(HERE, "../../migrations");

export interface SqliteDatabase extends Database {
  readonly client: BetterSqlite3.Database;
  close(): void;
}

/**
 * Opens (creating if needed) a SQLite database, sets the durability pragmas,
 * checks they took, and applies the migrations.
 *
 * @example
 * const db = openSqlite("./data/unison.db");
 * const memory = openSqlite(":memory:");
 */
export function openSqlite(path: string, options: { migrate?: boolean } = {}): SqliteDatabase {
  if (path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
  const client = new BetterSqlite3(path);
  // docs/architecture.md, "Durability": acknowledged writes survive a crash — WAL with synchronous=FULL.
  if (path !== ":memory:") client.pragma("journal_mode = WAL");
  client.pragma("synchronous = FULL");
  client.pragma("foreign_keys = ON");
  client.pragma("busy_timeout = 5000");
  // Reads: a 4 MiB page cache per connection (the hot pages of a 1,000-product catalogue) and no memory
  // map: mapped pages a random read touches count in the process's resident memory, up to the map's
  // size, while a page the cache lacks is one read from the OS's file cache (a few µs).
  client.pragma("cache_size = -4096");
  assertPragmas(client, path);
  const orm = drizzle(client, { schema }) as unknown as Orm;
  if (options.migrate !== false && !upToDate(client)) migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
  const stamp = changeStamp(client);
  return {
    orm,
    client,
    driver: "better-sqlite3",
    async atomic(build) {
      // better-sqlite3 transactions are synchronous: every statement runs inside this callback.
      client.transaction(() => {
        for (const statement of build(orm)) {
          if (isRaw(statement)) orm.run(statement.raw);
          else statement.run();
        }
      })();
    },
    changeStamp: stamp,
    close() {
      client.close();
    },
  };
}

/**
 * How long a read of `PRAGMA data_version` stands for the database: another process's commit is seen
 * by every read that starts this long after the commit finished (a stamp read before the commit is
 * used for reads up to this long after it was read). This process's own writes are seen by the next
 * read, whatever the window.
 */
const OTHER_COMMITS_WINDOW_MS = 1;

/**
 * The change stamp of a connection: `total_changes()` counts every row this connection wrote (no lock,
 * ~0.1 µs), read every time, and `PRAGMA data_version` moves when another connection — a CLI import into
 * the same file — commits. That one opens a read transaction (the WAL read lock and the file's shared
 * lock: four system calls, about a sixth of a cached delivery answer under load, in a CPU profile of the
 * server at 32 connections), so it is read at most once per {@link OTHER_COMMITS_WINDOW_MS}: under load
 * one read stands for the dozens of requests answered in that millisecond.
 */
function changeStamp(client: BetterSqlite3.Database): () => string {
  const ownChanges = client.prepare("SELECT total_changes()").pluck();
  const otherCommits = client.prepare("PRAGMA data_version").pluck();
  let version: unknown;
  let readAt = Number.NEGATIVE_INFINITY;
  return () => {
    const now = performance.now();
    if (now - readAt >= OTHER_COMMITS_WINDOW_MS) {
      version = otherCommits.get();
      readAt = now;
    }
    return `${version}.${ownChanges.get()}`;
  };
}

/**
 * Whether the database already has the newest migration of migrations/ (drizzle's own test: it applies
 * each migration newer than the last one recorded). Then a start reads only the journal, not every
 * migration's SQL to hash it (about 10 ms of CPU at every start, `npm run bench:start`).
 */
function upToDate(client: BetterSqlite3.Database): boolean {
  const journal = JSON.parse(readFileSync(resolve(MIGRATIONS_DIR, "meta/_journal.json"), "utf8")) as { entries: { when: number }[] };
  const newest = Math.max(...journal.entries.map((e) => e.when));
  const recorded = client.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  if (!recorded) return false;
  const last = client.prepare("SELECT max(created_at) AS at FROM __drizzle_migrations").get() as { at: number | string | null };
  return last.at !== null && Number(last.at) >= newest;
}

function assertPragmas(client: BetterSqlite3.Database, path: string) {
  const mode = client.pragma("journal_mode", { simple: true });
  const sync = client.pragma("synchronous", { simple: true });
  const fk = client.pragma("foreign_keys", { simple: true });
  if ((path !== ":memory:" && mode !== "wal") || sync !== 2 || fk !== 1) {
    throw new Error(`SQLite durability settings did not take (journal_mode=${mode}, synchronous=${sync}, foreign_keys=${fk}).`);
  }
}
