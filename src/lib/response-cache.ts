/**
 * An in-process cache of public delivery responses, in front of routing: the
 * same URL and `Accept-Language` get the same bytes until the database
 * changes (`Database.changeStamp`: a publish, a stock move, an import by
 * another process). A CDN does this at the edge for `Cache-Control: public`;
 * this does it on the origin for what reaches it, so a hot product costs a
 * map lookup instead of routing, validation and a query.
 *
 * Only what cannot differ between callers is kept: GET, no Authorization,
 * public delivery (not `DELIVERY_REQUIRES_KEY`), a 200 textual answer, and the
 * representation headers (not the request id or rate-limit headers, which
 * the pipeline sets per request). Where the driver cannot give a stamp (D1),
 * nothing is cached. Every answer it sees says what it did in an RFC 9211
 * `Cache-Status` header (`unison; hit`, `unison; fwd=uri-miss; stored`, …).
 * Runtime-neutral.
 */
import type { MiddlewareHandler } from "hono";
import { type AppEnv, representationHeader } from "./context";
import { matchesIfNoneMatch } from "./etag";
import { Lru } from "./lru";

/** The headers that belong to the representation, kept with the body. */
const KEPT = ["content-type", "content-language", "cache-control", "vary", "etag", "x-unison-degradations"] as const;
/** Bodies kept as text: JSON, HTML, plain text (a render's TwiML is XML). */
const TEXTUAL = /^(application\/([\w.+-]*\+)?(json|xml)|text\/)/;
/** RFC 9211 `Cache-Status`, so operators (and tests) see what the cache did. */
const HIT = "unison; hit";
/** Larger answers (a 100-item page is ~60 kB) go through every time. */
const MAX_BODY = 256 * 1024;

interface Entry {
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
}

/**
 * @example
 * app.use(responseCache({ paths: /^\/v1\/products(\/[^/]+)?$/, entries: 2048 }));
 */
export function responseCache(options: ResponseCacheOptions): MiddlewareHandler<AppEnv> {
  const entries = new Lru<Entry>(Math.max(1, options.entries));
  return async (c, next) => {
    if (
      options.entries === 0 ||
      c.req.method !== "GET" ||
      c.get("principal") !== null ||
      c.get("config").DELIVERY_REQUIRES_KEY ||
      !options.paths.test(c.req.path)
    ) {
      return next();
    }
    const stamp = c.get("db").changeStamp?.();
    if (stamp === undefined) return next();
    const url = c.req.url;
    const key = `${url.slice(url.indexOf("/", url.indexOf("//") + 2))}\n${representationHeader(c, "accept-language") ?? ""}`;
    const hit = entries.get(key);
    if (hit?.stamp === stamp) {
      // A plain header record, not c.header(): on Node that keeps the answer on @hono/node-server's fast path
      // (no Fetch Headers built and walked). The only header set before this point is the request id.
      const headers: Record<string, string> = { "x-request-id": c.get("requestId"), "cache-status": HIT };
      for (const [name, value] of hit.headers) headers[name] = value;
      if (hit.etag !== undefined && matchesIfNoneMatch(representationHeader(c, "if-none-match"), hit.etag)) {
        return new Response(null, { status: 304, headers });
      }
      return new Response(hit.body, { status: 200, headers });
    }
    // The stamp is taken before the handler reads, so an answer is never kept under an older stamp than its data.
    await next();
    const res = c.res;
    const forward = hit ? "unison; fwd=stale" : "unison; fwd=uri-miss";
    if (res.status !== 200 || !TEXTUAL.test(res.headers.get("content-type") ?? "")) {
      res.headers.set("cache-status", forward);
      return;
    }
    const body = new Uint8Array(await res.clone().arrayBuffer());
    if (body.byteLength > MAX_BODY) {
      res.headers.set("cache-status", forward);
      return;
    }
    const headers: [string, string][] = [];
    for (const name of KEPT) {
      const value = res.headers.get(name);
      if (value !== null) headers.push([name, value]);
    }
    entries.set(key, { stamp, body, headers, etag: res.headers.get("etag") ?? undefined });
    res.headers.set("cache-status", `${forward}; stored`);
  };
}
