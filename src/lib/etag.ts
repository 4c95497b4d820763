/**
 * Strong ETags for JSON representations, computed from the exact bytes sent.
 * A validator needs no cryptographic hash, only one that changes with the
 * bytes: two independent 32-bit FNV-1a lanes plus the length (~2^-64 collision
 * odds per change), synchronous — Web Crypto's digest is async and was a third
 * of a delivery request's time.
 */
import type { Context, TypedResponse } from "hono";
import type { JSONParsed } from "hono/utils/types";

export function strongEtag(body: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ body.length;
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return `"${(a >>> 0).toString(36)}${(b >>> 0).toString(36)}-${body.length.toString(36)}"`;
}

/** True when an `If-None-Match` header matches the tag (weak comparison, RFC 9110 §13.1.2). */
export function matchesIfNoneMatch(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === tag);
}

declare const JSON_OF: unique symbol;
/**
 * JSON text of a `T`: serialized once (to be remembered, tagged), it still carries its type to
 * {@link sendJson}. Only {@link jsonText} makes one, so a plain string is not taken for any body.
 */
export type JsonText<T> = string & { readonly [JSON_OF]: T };

/** `JSON.stringify`, keeping the type. */
export function jsonText<T>(data: T): JsonText<T> {
  return JSON.stringify(data) as JsonText<T>;
}

/**
 * What a handler returns for a JSON body sent with its ETag: typed as the 200 it is or stands for (a 304
 * tells the client its copy of this very 200 is current), so the route's declared 200 schema checks `T`
 * exactly as it checks `c.json(body, 200)`. Routes declare the 304 with {@link notModified}.
 */
export type JsonWithEtag<T> = Response & TypedResponse<JSONParsed<T>, 200, "json">;

/**
 * Sends a JSON body with its strong ETag, or 304 with no body when the client has it.
 * Headers already set on the context (Cache-Control, Vary, Content-Language) are kept.
 */
export function jsonWithEtag<T>(c: Context, data: T): JsonWithEtag<T> {
  const body = jsonText(data);
  return sendJson(c, body, strongEtag(body));
}

/** Sends JSON already serialized, with its tag (from {@link strongEtag} of the same bytes), or 304. */
export function sendJson<T>(c: Context, body: JsonText<T>, tag: string): JsonWithEtag<T> {
  c.header("etag", tag);
  // The 304 stands for this 200 (RFC 9110 §15.4.5): typed as it, see JsonWithEtag.
  if (matchesIfNoneMatch(c.req.header("if-none-match"), tag)) return c.body(null, 304) as unknown as JsonWithEtag<T>;
  c.header("content-type", "application/json");
  return c.body(body, 200) as unknown as JsonWithEtag<T>;
}

/**
 * The 304 of a conditional GET, for a route's `responses`. Declared with an empty `content` (no body):
 * @hono/zod-openapi types a handler strictly only when every response of its route has `content` —
 * one without lets the handler return any `Response`, and the 200 body goes unchecked. The 304
 * itself comes from {@link jsonWithEtag} / {@link sendJson}, typed as the 200 it stands for.
 */
export const notModified = { 304: { description: "Not modified (your `If-None-Match` matches).", content: {} } };
