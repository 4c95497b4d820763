/**
 * Opaque keyset cursors. The client gets a base64url token; inside is the sort
 * key of the last row it saw, so pages stay stable when rows are inserted.
 */
import { ApiError } from "./errors";

export function encodeCursor(value: Record<string, string | number>): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function decodeCursor<T extends Record<string, string | number>>(token: string, check: (v: Record<string, unknown>) => v is T): T {
  try {
    const binary = atob(token.replaceAll("-", "+").replaceAll("_", "/"));
    const value = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))) as unknown;
    if (typeof value === "object" && value !== null && check(value as Record<string, unknown>)) return value as T;
  } catch {
    // fall through to the problem below
  }
  throw new ApiError("invalid_cursor", "The cursor is not one this API issued (or the filters changed). Start again without it.");
}
