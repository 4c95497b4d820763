/**
 * The nesting limit of every JSON body (API, import, inbound webhooks): deeper
 * documents are refused with 400 `json_too_deep` before any recursive code
 * (validation, merge-patch, rendering) sees them. The scan is one loop over the
 * raw text — it cannot overflow the stack however deep the input is.
 */
import { ApiError } from "./errors";

/** Arrays and objects may nest this deep; the 65th level is refused. */
export const MAX_JSON_DEPTH = 64;

/** The deepest array/object nesting in a JSON text (strings skipped), stopping early once past `stopAbove`. */
export function jsonDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 91 /* [ */ || ch === 123 /* { */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (ch === 93 /* ] */ || ch === 125 /* } */) depth--;
  }
  return deepest;
}

/** Throws 400 `json_too_deep` when the text nests deeper than {@link MAX_JSON_DEPTH}. */
export function assertJsonDepth(text: string, what = "The request body"): void {
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new ApiError("json_too_deep", `${what} nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`, {
      extra: { errors: [{ in: "body", pointer: "", code: "too_deep", message: `At most ${MAX_JSON_DEPTH} levels of nesting.` }] },
    });
  }
}

/** What a key spelled `__proto__` would need in a JSON text: the word, or an escape that could spell it. */
const MAYBE_PROTO = /proto|\\u/;

/**
 * Throws 400 `validation_failed` when a JSON object in the text has a key `__proto__` (however it is escaped).
 * `JSON.parse` keeps it as an own property, but validation skips it (zod does, to stay clear of prototype
 * pollution) and every later copy drops it: `{"title":{"__proto__":"x"}}` changed nothing and answered 200. A key
 * the documents cannot hold is refused like any unknown key. Texts without the word or an escape are not parsed here.
 */
export function assertNoPrototypeKeys(text: string): void {
  if (!MAYBE_PROTO.test(text)) return;
  let found = false;
  try {
    JSON.parse(text, function (this: Record<string, unknown>, key, value) {
      if (key === "__proto__" && Object.hasOwn(this, key)) found = true;
      return value;
    });
  } catch {
    return; // Not JSON: the body's own parser answers malformed_json.
  }
  if (!found) return;
  throw new ApiError("validation_failed", "The request body has a key named __proto__, which no document can hold.", {
    extra: { errors: [{ in: "body", pointer: "", code: "invalid_key", message: "A key named __proto__ is not allowed." }] },
  });
}
