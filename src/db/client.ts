/**
 * The storage seam. `Database` hides which driver runs underneath: queries are
 * written once against `orm` and always awaited (drizzle's better-sqlite3 queries
 * are thenable too), and multi-statement writes go through {@link Database.atomic}.
 *
 * This module is runtime-neutral; the better-sqlite3 driver lives in
 * `sqlite.ts` (Node only) and the D1 driver in `d1.ts`.
 */
import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import { Doorkeeper, fingerprint } from "../lib/doorkeeper";
import { Lru } from "../lib/lru";
import type * as schema from "./schema";

export type Schema = typeof schema;
/** A drizzle database over either driver (sync better-sqlite3 or async D1). */
export type Orm = BaseSQLiteDatabase<"sync" | "async", unknown, Schema>;

/** A raw SQL statement inside an atomic write (drizzle builders are accepted as they are). */
export interface RawStatement {
  readonly raw: SQL;
}

/** Anything {@link Database.atomic} accepts: a drizzle insert/update/delete builder, or {@link raw}. */
export type Statement = { run: () => unknown } | RawStatement;

export interface Database {
  readonly orm: Orm;
  readonly driver: "better-sqlite3" | "d1";
  /**
   * Runs the statements as one atomic unit: a transaction on better-sqlite3,
   * `batch` on D1 (which rejects interactive transactions). The builder is called
   * once; it must not read — reads happen before, and compare-and-set conditions
   * go into the statements themselves (see {@link guard}).
   */
  atomic(build: (orm: Orm) => Statement[]): Promise<void>;
  /** Read-your-writes token for D1 read replication (undefined on better-sqlite3). */
  bookmark?(): string | null;
  /**
   * A token that changes whenever the content may have changed: after any write
   * on this connection and after any commit by another connection (a CLI import
   * into the same file). Absent where the driver cannot tell cheaply (D1); then
   * {@link memoized} reads through every time.
   */
  changeStamp?(): string;
}

const viewed = new WeakMap<Database, Database>();
/** The reads a stamp-less request view shares (see {@link readView}), by key: each one sent at most once. */
const requestReads = new WeakMap<Database, Map<string, Promise<unknown>>>();

/**
 * The database as one read-only request sees it: its change stamp read once, when first asked for, and
 * the same for the rest of the request. Every memo and the response cache of that request then agree on
 * one moment, and the request pays for one stamp instead of one per memo: on SQLite a stamp is a statement
 * (`total_changes()`) and, at most once a millisecond, a `PRAGMA data_version`, whose read lock costs system
 * calls (src/node/sqlite.ts `changeStamp`). Only for requests that write nothing (a GET of a delivery path or of a storefront page that
 * only reads, `src/app.ts`): a write later in the request would not move the stamp. Keeping
 * the first stamp is safe for every reader: each one takes its stamp before it reads, and an answer
 * remembered under an older stamp is only ever served while the database still shows that stamp.
 *
 * Where the driver gives no stamp (D1), nothing is remembered between requests, and every read is a round
 * trip. The view then shares its reads within the request instead ({@link sharedRead}, and every
 * {@link memoized} read): the locales, the live actions' stamp or a page's frame are sent once however many
 * parts of the request ask for them, and a read started early (a prefetch) is the one later callers await.
 *
 * @example
 * const view = readView(db); // one request's
 * view.changeStamp() === view.changeStamp(); // read once
 * baseOf(view) === db;
 */
export function readView(db: Database): Database {
  const stampOf = db.changeStamp;
  const view: Database = Object.create(db);
  if (stampOf) {
    let stamp: string | undefined;
    view.changeStamp = () => {
      stamp ??= stampOf.call(db);
      return stamp;
    };
  } else {
    requestReads.set(view, new Map());
  }
  viewed.set(view, db);
  return view;
}

/**
 * A read a stamp-less request view (D1's, {@link readView}) sends once for the whole request: the first caller's
 * promise, settled or in flight, is every later caller's. Anywhere else (a database with a change stamp, or one
 * that is no request's read view) `load` simply runs. Keys must name everything the read depends on besides the
 * database and the request.
 *
 * @example
 * const stamp = await sharedRead(db, "actions-stamp", () => readStamp(db));
 */
export function sharedRead<T>(db: Database, key: string, load: () => Promise<T>): Promise<T> {
  const shared = db.changeStamp ? undefined : requestReads.get(db);
  if (!shared) return load();
  let read = shared.get(key) as Promise<T> | undefined;
  if (!read) {
    read = load();
    shared.set(key, read);
  }
  return read;
}

/** The database a {@link readView} was made of (itself when it is none): what outlives the request. */
export function baseOf(db: Database): Database {
  return viewed.get(db) ?? db;
}

/** Wraps raw SQL for {@link Database.atomic}. */
export function raw(query: SQL): RawStatement {
  return { raw: query };
}

export function isRaw(s: Statement): s is RawStatement {
  return "raw" in s;
}

/**
 * A statement that aborts the atomic unit unless exactly one row of `table`
 * of `entries` carries `token` in its `write_token` column — i.e. unless the compare-and-set
 * before it matched. D1 batches cannot branch, so the abort is a CHECK failure.
 * Put it right after the compare-and-set and {@link releaseGuard} last.
 */
export function guard(token: string): RawStatement {
  return guardWhen(token, sql`SELECT COUNT(*) FROM entries WHERE write_token = ${token}`);
}

/** A guard that fails unless `condition` (a scalar SQL expression) is 1. */
export function guardWhen(token: string, condition: SQL): RawStatement {
  return raw(sql`INSERT INTO write_guards (token, ok) SELECT ${token}, (${condition})`);
}

export function releaseGuard(token: string): RawStatement {
  return raw(sql`DELETE FROM write_guards WHERE token = ${token}`);
}

const preparedCache = new WeakMap<Orm, Map<string, unknown>>();

/**
 * A query prepared once per database and reused: on better-sqlite3 this skips
 * re-parsing the SQL (the largest cost of a delivery read); drizzle prepares on
 * D1 too. Build it with `sql.placeholder(...)` parameters and run it with
 * `.all({...})` / `.get({...})`.
 *
 * @example
 * const q = prepared(db, "product-by-slug", (orm) => orm.select().from(t).where(eq(t.slug, sql.placeholder("slug"))).prepare());
 * const rows = await q.all({ slug });
 */
export function prepared<T>(db: Database, name: string, build: (orm: Orm) => T): T {
  let cache = preparedCache.get(db.orm);
  if (!cache) {
    cache = new Map();
    preparedCache.set(db.orm, cache);
  }
  let query = cache.get(name) as T | undefined;
  if (query === undefined) {
    query = build(db.orm);
    cache.set(name, query);
  }
  return query;
}

/**
 * A database's remembered reads within `bytes` (READ_MEMO_BYTES), at most `most` of them, and the fingerprints of
 * keys that missed while they were full.
 */
interface Memo {
  bytes: number;
  most: number;
  entries: Lru<Remembered>;
  seen: Doorkeeper;
}

/** A remembered read: the stamp it was read under, its value, and what it weighs against the memo's bytes. */
interface Remembered {
  stamp: string;
  value: unknown;
  weight: number;
}

const memos = new WeakMap<Orm, Memo>();

/**
 * What a database's memo may weigh by default, in bytes (READ_MEMO_BYTES): 6 MiB. A 1,000-product store's JSON, web
 * and SMS renders in one locale weigh 4.9 MB; 4 MiB made the JSON and web reads of one server evict each other.
 */
export const MEMO_BYTES = 6 * 1024 * 1024;

/** How many reads a memo of `bytes` keeps at most: one a kB (a product's JSON is 1–3 kB), at least 16. */
export const memoEntries = (bytes: number): number => Math.max(16, Math.floor(bytes / 1024));

/** What a memo keeps free below its budget before it counts as full (new keys then wait for their second miss). */
const headroom = (bytes: number) => Math.min(64 * 1024, bytes / 8);

function newMemo(bytes: number): Memo {
  const most = memoEntries(bytes);
  return { bytes, most, entries: new Lru(most, { maxWeight: bytes, weigh: (r) => r.weight }), seen: new Doorkeeper(most * 4) };
}

/**
 * Sets what `db`'s memo may weigh (READ_MEMO_BYTES; 0 turns it off): the app calls it on every request, and it
 * does nothing unless the budget changed, when the memo starts empty under the new one. A database no app has
 * configured (the CLI's, a test's) remembers within {@link MEMO_BYTES}.
 *
 * @example
 * memoBudget(db, config.READ_MEMO_BYTES);
 */
export function memoBudget(db: Database, bytes: number): void {
  // Without a change stamp (D1, a database per request) nothing is remembered between requests: no memo to size.
  if (db.changeStamp && memos.get(db.orm)?.bytes !== bytes) memos.set(db.orm, newMemo(bytes));
}

/** What `db`'s memo holds: its budget, how many reads and what they weigh (for diagnostics and tests). */
export function memoStats(db: Database): { bytes: number; size: number; weight: number } | undefined {
  const memo = memos.get(db.orm);
  return memo && { bytes: memo.bytes, size: memo.entries.size, weight: memo.entries.weight };
}

/**
 * What a remembered value weighs in bytes, as V8 holds it, near enough to bound a memo: a string its length
 * (one byte a character, as V8 keeps Latin-1 text) and a header; an array or object its slots and what they
 * hold; a number, boolean or null a slot. Deeper than six levels, a nominal 64 bytes.
 */
export function weighValue(value: unknown, depth = 0): number {
  if (typeof value === "string") return 16 + value.length;
  if (typeof value !== "object" || value === null) return 8;
  if (depth > 6) return 64;
  let weight = 16;
  if (Array.isArray(value)) {
    for (const item of value) weight += 8 + weighValue(item, depth + 1);
  } else if (value instanceof Map) {
    for (const [k, v] of value) weight += 16 + weighValue(k, depth + 1) + weighValue(v, depth + 1);
  } else {
    for (const k in value) weight += 8 + weighValue((value as Record<string, unknown>)[k], depth + 1);
  }
  return weight;
}

/** A remembered read's bookkeeping besides its key and value: its entry in the map, the record, the stamp. */
const ENTRY_OVERHEAD = 96;

/**
 * Starts a {@link sharedRead} now, where the request's view shares its reads (D1's read views); anywhere else it
 * does nothing. The read's later callers await this one, so a page can send what it will need whatever its
 * locale alongside its first read (the locales) instead of after it. A failure reaches those callers, not the process.
 *
 * @example
 * prefetch(db, () => catalogueStamp(db)); // catalogueStamp is a sharedRead
 * const ctx = await pageContext(c); // the locales and the stamp in flight together
 */
export function prefetch(db: Database, read: () => Promise<unknown>): void {
  if (db.changeStamp || !requestReads.has(db)) return;
  read().catch(() => {});
}

/**
 * A read remembered until the database changes: `load` runs again only when
 * {@link Database.changeStamp} moved since the remembered answer (or the key
 * aged out of a bounded LRU). The stamp is taken before `load` reads, so an
 * answer is never kept under a stamp older than the data it saw. Keys must
 * name everything the answer depends on besides the database (locale, query).
 * Where the driver has no stamp (D1) nothing outlives the request: the read is only shared within a
 * request's read view ({@link sharedRead}).
 *
 * What is remembered weighs at most READ_MEMO_BYTES ({@link memoBudget}; {@link MEMO_BYTES} by default), its keys
 * and values weighed by {@link weighValue}: a value heavier than the whole budget is not kept. Once full (at the
 * budget less a little headroom, or {@link memoEntries} reads), a new key is kept on its second miss (TinyLFU's
 * doorkeeper, src/lib/doorkeeper.ts): at 100,000 products a uniform random read is almost
 * never asked for again, and keeping each one evicted another that was, and left both as old-generation
 * garbage. A plain object is kept as a copy made here, not the object `load` made: V8 decides per
 * allocation site whether new objects start in the old generation, and a site whose objects the memo
 * kept (every read while it fills) is switched there — every later answer from it, kept or not, then
 * held its body alive until a full collection. Both together, at 100,000 products with the response cache
 * off and 32 connections: 16–17 old-generation collections in 6 s → 8–10, p99 28–32 → 11–20 ms.
 *
 * @example
 * const set = await memoized(db, "locales", () => readLocales(db));
 */
export async function memoized<T>(db: Database, key: string, load: () => Promise<T>): Promise<T> {
  const stamp = db.changeStamp?.();
  if (stamp === undefined) return sharedRead(db, key, load);
  let memo = memos.get(db.orm);
  if (!memo) {
    memo = newMemo(MEMO_BYTES);
    memos.set(db.orm, memo);
  }
  if (memo.bytes === 0) return load();
  const { entries } = memo;
  const hit = entries.get(key);
  if (hit?.stamp === stamp) return hit.value as T;
  const full = entries.size >= memo.most || entries.weight >= memo.bytes - headroom(memo.bytes);
  const seen = !hit && full ? fingerprint(key) : 0;
  if (seen && !memo.seen.admits(seen)) return load();
  const value = await load();
  const kept = isPlainObject(value) ? { ...value } : value;
  entries.set(key, { stamp, value: kept, weight: key.length * 2 + ENTRY_OVERHEAD + weighValue(kept) });
  if (seen) memo.seen.delete(seen);
  return value;
}

const isPlainObject = (value: unknown): value is object =>
  typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** Outbox tables whose rows are sent by a tick: `status`, `next_attempt_at`, `lease_until`, `attempts`. */
export type OutboxTable = "webhook_deliveries" | "reply_outbox";

/**
 * Claims up to `limit` due pending rows of an outbox in one statement (UPDATE … RETURNING),
 * leasing them for `leaseSeconds`: two ticks running at once (two processes on one file, a
 * cron trigger and a request) never send the same attempt. Returns the claimed rows.
 */
export async function claimDue<T>(db: Database, table: OutboxTable, now: Date, leaseSeconds: number, limit: number): Promise<T[]> {
  const at = now.toISOString();
  const lease = new Date(now.getTime() + leaseSeconds * 1000).toISOString();
  const name = sql.raw(table);
  return (await db.orm.all(sql`
    UPDATE ${name} SET lease_until = ${lease}
    WHERE id IN (
      SELECT id FROM ${name}
      WHERE status = 'pending' AND next_attempt_at <= ${at} AND (lease_until IS NULL OR lease_until < ${at})
      ORDER BY next_attempt_at LIMIT ${limit}
    )
    RETURNING *`)) as T[];
}

/**
 * Where a failed attempt leaves an outbox row: `pending` again after the next delay of its
 * schedule (`delays[attempts - 1]`, seconds), or `failed` when the schedule is spent or the
 * failure is final (`retry` false).
 */
export function afterFailure(
  attempts: number,
  delays: readonly number[],
  now: Date,
  retry = true,
): { status: "pending" | "failed"; nextAttemptAt: string | null } {
  const delay = retry ? delays[attempts - 1] : undefined;
  return delay === undefined
    ? { status: "failed", nextAttemptAt: null }
    : { status: "pending", nextAttemptAt: new Date(now.getTime() + delay * 1000).toISOString() };
}

/** True when an atomic write was aborted by a guard (its compare-and-set lost). */
export function isGuardFailure(error: unknown): boolean {
  const text = errorText(error);
  return text.includes("write_guards_ok") || text.includes("ok = 1");
}

/** True when a write hit a UNIQUE constraint. */
export function isUniqueViolation(error: unknown): boolean {
  return errorText(error).includes("UNIQUE constraint failed");
}

function errorText(error: unknown): string {
  let text = "";
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error) {
      text += ` ${current.message}`;
      current = current.cause;
    } else {
      text += ` ${String(current)}`;
      break;
    }
  }
  return text;
}
