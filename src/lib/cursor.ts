/**
 * Opaque keyset cursors. The client gets a base64url token; inside is the sort
 * key of the last row it saw, so pages stay stable when rows are inserted, and
 * the name of the list that issued it (`l`, e.g. `messages` or
 * `timeline:<customer>`): a cursor used on any other list is 400
 * `invalid_cursor`. Lists with filters also keep them in the cursor and compare.
 */
import { ApiError } from "./errors";

export function encodeCursor(list: string, value: Record<string, string | number>): string {
  const bytes = new TextEncoder().encode(JSON.stringify({ ...value, l: list }));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function decodeCursor<T extends Record<string, string | number>>(
  list: string,
  token: string,
  check: (v: Record<string, unknown>) => v is T,
): T {
  try {
    const binary = atob(token.replaceAll("-", "+").replaceAll("_", "/"));
    const value = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))) as unknown;
    if (typeof value === "object" && value !== null && (value as { l?: unknown }).l === list && check(value as Record<string, unknown>)) {
      return value as T;
    }
  } catch {
    // fall through to the problem below
  }
  throw new ApiError("invalid_cursor", "The cursor is not one this list issued (or the filters changed). Start again without it.");
}
