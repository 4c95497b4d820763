/**
 * Strong ETags for JSON representations, computed from the exact bytes sent ({@link strongEtag}, the
 * fingerprint the channel contract defines so renderers use the same one), and conditional answers.
 */
import type { Context } from "hono";
import { strongEtag } from "../channels/fingerprint";

export { strongEtag };

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
