/**
 * An in-process cache of public delivery responses: the same URL and
 * `Accept-Language` get the same bytes until the database changes
 * (`Database.changeStamp`: a publish, a stock move, an import by another
 * process). A CDN does this at the edge for `Cache-Control: public`; this does
 * it on the origin for what reaches it, so a hot product costs a map lookup
 * instead of routing, validation and a query.
 *
 * Two halves. `middleware` runs inside the app, after the credential rules
 * and the rate limit, and stores what it may: GET, no Authorization, public
 * delivery (not `DELIVERY_REQUIRES_KEY`), a path in `paths`, a 200 textual
 * answer, and only the representation headers (not the request id or
 * rate-limit headers, which are set per request). `lookup` + `respond` answer
 * before routing (`createApp` asks them first), synchronously and without a
 * Context. An entry exists only for a URL that already passed every rule that
 * depends on the URL alone (its path, no credentials in its query), so the
 * caller checks only what varies per request: the method, an Authorization
 * header, the rate limit.
 *
 * Admission (TinyLFU, as Caffeine admits): while the cache has room every answer is stored. Once it is full
 * (in entries or in bytes), a new key's answer is stored only when the key was asked for more often lately
 * than the answer it would evict, the least recently used (src/lib/doorkeeper.ts `FrequencySketch`: 4-bit
 * counters by fingerprint, halved as traffic goes by, no keys or bodies); a stale entry is always replaced.
 * Traffic spread evenly over a catalogue far larger than the cache (uniform reads at 100,000 products) then
 * keeps what the cache holds instead of storing each second miss and evicting another, which left an answer
 * of old-generation garbage behind per store; a miss costs a key lookup, a fingerprint and the counters.
 * What a miss still costs over no cache is measured by `npm run bench:cache-miss`.
 *
 * Where the driver cannot give a stamp (D1), nothing is stored. Every answer
 * says what the cache did in an RFC 9211 `Cache-Status` header
 * (`unison; hit`, `unison; fwd=uri-miss; stored`, …). Runtime-neutral.
 */
import type { MiddlewareHandler } from "hono";
import { baseOf, type Database } from "../db/client";
import { type AppEnv, fetchHeader, type HeaderReader } from "./context";
import { FrequencySketch, fingerprint } from "./doorkeeper";
import { matchesIfNoneMatch, sentText } from "./etag";
import { Lru } from "./lru";

/** The headers that belong to the representation, kept with the body. */
const KEPT = ["content-type", "content-language", "cache-control", "vary", "etag", "x-unison-degradations"] as const;
/** Bodies kept as text: JSON, HTML, plain text (a render's TwiML is XML). */
const TEXTUAL = /^(application\/([\w.+-]*\+)?(json|xml)|text\/)/;
const encoder = new TextEncoder();
/** RFC 9211 `Cache-Status`, so operators (and tests) see what the cache did. */
const HIT = "unison; hit";
/** Larger answers (a 100-item page is ~60 kB) go through every time. */
const MAX_BODY = 256 * 1024;
/**
 * What the stored answers may weigh together by default (bodies, keys, per-entry bookkeeping): the memory bound,
 * whatever `entries` says. 8 MiB holds the product, web and SMS answers of a 1,000-product catalogue.
 */
const DEFAULT_BYTES = 8 * 1024 * 1024;
/** Per-entry bookkeeping counted against the budget besides body and key (headers, objects). */
const ENTRY_OVERHEAD = 512;
/** What a stored answer weighs against the budget: its body, its key (two bytes a character), the bookkeeping. */
const weigh = (key: string, body: Uint8Array) => body.byteLength + key.length * 2 + ENTRY_OVERHEAD;

/** The `Cache-Status` response header, for the OpenAPI description of the operations this cache serves. */
export const CACHE_STATUS_HEADER = {
  description:
    "RFC 9211: what Unison's in-process cache did — `unison; hit` (answered from memory; the data has not changed since it was stored), `unison; fwd=uri-miss; stored`, `unison; fwd=stale; stored` (the data changed), or without `stored` when the answer is not kept. Absent for keyed requests and where the cache is off.",
  schema: { type: "string" as const, example: "unison; hit" },
};

/** A stored answer. */
export interface CachedAnswer {
  /** The database it was read from, and that database's stamp before the read. */
  db: Database;
  stamp: string;
  /** The bytes, encoded once (a hit then costs no UTF-8 encoding, and Content-Length is their length). */
  body: Uint8Array<ArrayBuffer>;
  headers: [string, string][];
  etag: string | undefined;
}

export interface ResponseCacheOptions {
  /** Paths whose GET answers depend only on the URL, Accept-Language and the database (not on the time). */
  paths: RegExp;
  /** How many answers to keep; 0 turns the cache off. */
  entries: number;
  /** What they may weigh together, in bytes ({@link DEFAULT_BYTES} when absent); 0 turns the cache off. */
  bytes?: number;
  /** How a request's headers are read (the runtime's fast reader, if it has one). */
  header?: HeaderReader;
}

export interface ResponseCache {
  /** False when `entries` is 0. */
  enabled: boolean;
  /** Stores the answers routed through the app that may be stored, and marks each answer's `Cache-Status`. */
  middleware: MiddlewareHandler<AppEnv>;
  /** The stored answer for this GET while its database has not changed since, else undefined. */
  lookup(request: Request): CachedAnswer | undefined;
  /** The stored answer as a response (304 when `If-None-Match` matches), with its request id and any other per-request headers. */
  respond(answer: CachedAnswer, request: Request, requestId: string, extra?: Record<string, string>): Response;
}

/** The key of a request: path and query (not the origin, which proxies rewrite), and the language asked for. */
function keyOf(url: string, acceptLanguage: string | undefined): string {
  return `${url.slice(url.indexOf("/", url.indexOf("//") + 2))}\n${acceptLanguage ?? ""}`;
}

/**
 * @example
 * const cache = createResponseCache({ paths: /^\/v1\/products(\/[^/]+)?$/, entries: 2048 });
 * app.use("/v1/*", cache.middleware);
 * const fetch = (req: Request, env: unknown) => {
 *   const hit = req.method === "GET" ? cache.lookup(req) : undefined;
 *   return hit ? cache.respond(hit, req, crypto.randomUUID()) : app.fetch(req, env);
 * };
 */
export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const max = Math.max(1, options.entries);
  const budget = options.bytes ?? DEFAULT_BYTES;
  const entries = new Lru<CachedAnswer & { key: string; fp: number }>(max, { maxWeight: budget, weigh: (a) => weigh(a.key, a.body) });
  /** How often keys were asked for lately (at least 4,096 counters a row: small caches forget little). */
  const frequency = new FrequencySketch(Math.max(max * 4, 4096));
  // Full once the next answer might not fit: room for the largest one kept, or an eighth of a small budget.
  const headroom = Math.min(MAX_BODY, Math.floor(budget / 8));
  const full = () => entries.size >= max || entries.weight >= budget - headroom;
  const enabled = options.entries > 0 && budget > 0;
  const header = options.header ?? fetchHeader;

  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (
      !enabled ||
      c.req.method !== "GET" ||
      c.get("principal") !== null ||
      c.get("config").DELIVERY_REQUIRES_KEY ||
      !options.paths.test(c.req.path)
    ) {
      return next();
    }
    // Taken before the handler reads, so an answer is never kept under an older stamp than its data (the
    // request's own stamp when it has one: its memos read under the same moment).
    const view = c.get("db");
    const stamp = view.changeStamp?.();
    // The database the answer is kept with outlives this request: never the request's read view, whose
    // stamp stays put (an entry checked against it would never go stale).
    const db = baseOf(view);
    if (stamp === undefined) return next();
    c.set("answerCached", true);
    const key = keyOf(c.req.url, header(c.req.raw, "accept-language"));
    const known = entries.has(key);
    const forward = known ? "unison; fwd=stale" : "unison; fwd=uri-miss";
    const fp = fingerprint(key);
    frequency.increment(fp);
    if (!known && full()) {
      const victim = entries.oldest();
      if (victim !== undefined && frequency.estimate(fp) <= frequency.estimate(entries.peek(victim)?.fp ?? 0)) {
        await next();
        c.res.headers.set("cache-status", forward);
        return;
      }
    }
    await next();
    const res = c.res;
    if (res.status !== 200 || !TEXTUAL.test(res.headers.get("content-type") ?? "")) {
      res.headers.set("cache-status", forward);
      return;
    }
    // JSON the handler sent as text (etag.ts `sendJson`) is encoded from that text: the response goes out
    // untouched. Anything else is read once and answered from the same bytes: `clone()` would tee the
    // body's stream (on Node it also turns @hono/node-server's light response into a full one), which cost
    // more than the miss it stores.
    const text = sentText(res);
    const body = text !== undefined ? encoder.encode(text) : new Uint8Array(await res.arrayBuffer());
    // Kept unless it is larger than the largest answer kept, or than the whole budget (the LRU would refuse it).
    const stored = body.byteLength <= MAX_BODY && weigh(key, body) <= budget;
    res.headers.set("cache-status", stored ? `${forward}; stored` : forward);
    if (text === undefined) {
      // Unset first: assigning over a response copies it through its stream (hono's `res` setter).
      c.res = undefined;
      c.res = new Response(body, { status: res.status, headers: res.headers });
    }
    if (!stored) {
      // The stale answer it would have replaced goes: it would only hold its bytes until evicted.
      if (known) entries.delete(key);
      return;
    }
    const headers: [string, string][] = [];
    for (const name of KEPT) {
      const value = res.headers.get(name);
      if (value !== null) headers.push([name, value]);
    }
    entries.set(key, { key, fp, db, stamp, body, headers, etag: res.headers.get("etag") ?? undefined });
  };

  return {
    enabled,
    middleware,
    lookup(request) {
      if (!enabled) return undefined;
      const answer = entries.get(keyOf(request.url, header(request, "accept-language")));
      if (!answer || answer.db.changeStamp?.() !== answer.stamp) return undefined;
      // Hits count towards keeping an answer only while keeping one means evicting another.
      if (full()) frequency.increment(answer.fp);
      return answer;
    },
    respond(answer, request, requestId, extra) {
      // A plain header record, not a Fetch Headers: on Node that keeps the answer on @hono/node-server's
      // fast path (no Headers built and walked). Built from a literal, not a spread: V8's spread into a
      // record that then grows costs ~5 µs, as much as the rest of a hit.
      const headers: Record<string, string> = { "x-request-id": requestId, "cache-status": HIT };
      for (const [name, value] of answer.headers) headers[name] = value;
      if (extra) for (const name in extra) headers[name] = extra[name]!;
      if (answer.etag !== undefined && matchesIfNoneMatch(header(request, "if-none-match"), answer.etag)) {
        return new Response(null, { status: 304, headers });
      }
      return new Response(answer.body, { status: 200, headers });
    },
  };
}
