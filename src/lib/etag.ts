/**
 * Strong ETags for JSON representations, computed from the exact bytes sent ({@link strongEtag}, the
 * fingerprint the channel contract defines so renderers use the same one), and conditional answers.
 */
import type { Context, TypedResponse } from "hono";
import type { JSONParsed } from "hono/utils/types";
import { strongEtag } from "../channels/fingerprint";

export { strongEtag };

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

/** The text of each JSON answer {@link sendJson} made, while the answer lives: what a cache stores without reading the body back. */
const sentTexts = new WeakMap<Response, string>();

/** The JSON text `res` was made with by {@link sendJson}, if it was (undefined for any other response). */
export const sentText = (res: Response): string | undefined => sentTexts.get(res);

/** Sends JSON already serialized, with its tag (from {@link strongEtag} of the same bytes), or 304. */
export function sendJson<T>(c: Context, body: JsonText<T>, tag: string): JsonWithEtag<T> {
  c.header("etag", tag);
  // The 304 stands for this 200 (RFC 9110 §15.4.5): typed as it, see JsonWithEtag.
  if (matchesIfNoneMatch(c.req.header("if-none-match"), tag)) return c.body(null, 304) as unknown as JsonWithEtag<T>;
  c.header("content-type", "application/json");
  const res = c.body(body, 200);
  sentTexts.set(res, body);
  return res as unknown as JsonWithEtag<T>;
}

/**
 * The 304 of a conditional GET, for a route's `responses`. Declared with an empty `content` (no body):
 * @hono/zod-openapi types a handler strictly only when every response of its route has `content` —
 * one without lets the handler return any `Response`, and the 200 body goes unchecked. The 304
 * itself comes from {@link jsonWithEtag} / {@link sendJson}, typed as the 200 it stands for.
 */
export const notModified = { 304: { description: "Not modified (your `If-None-Match` matches).", content: {} } };
