/**
 * Strong ETags for JSON representations, computed from the exact bytes sent.
 * A validator needs no cryptographic hash, only one that changes with the
 * bytes: two independent 32-bit FNV-1a lanes plus the length (~2^-64 collision
 * odds per change), synchronous — Web Crypto's digest is async and was a third
 * of a delivery request's time.
 */
import type { Context } from "hono";

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

/**
 * Sends a JSON body with its strong ETag, or 304 with no body when the client has it.
 * Headers already set on the context (Cache-Control, Vary, Content-Language) are kept.
 */
export function jsonWithEtag<T>(c: Context, data: T): Response {
  const body = JSON.stringify(data);
  return sendJson(c, body, strongEtag(body));
}

/** Sends JSON already serialized, with its tag (from {@link strongEtag} of the same bytes), or 304. */
export function sendJson(c: Context, body: string, tag: string): Response {
  c.header("etag", tag);
  if (matchesIfNoneMatch(c.req.header("if-none-match"), tag)) return c.body(null, 304);
  c.header("content-type", "application/json");
  return c.body(body, 200);
}
