/**
 * The studio session: the editor's key in an HttpOnly, SameSite=Strict cookie
 * scoped to `/studio`, authenticated again on every request (a revoked key is
 * signed out at once). Forms carry a CSRF token derived from the key
 * (hex SHA-256 of `csrf:` + key, Web Crypto, so it runs on Workers too), checked
 * on every POST together with the Origin header.
 */
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { sha256Hex } from "../lib/digest";
import { authenticate, type Principal } from "../lib/keys";
import type { StudioContext } from "./view";

export const SESSION_COOKIE = "unison_studio";
/** Eight hours: a working day; the key itself stays valid until revoked. */
const SESSION_SECONDS = 8 * 60 * 60;

export interface Session {
  key: string;
  principal: Principal;
  csrf: string;
}

export function csrfToken(key: string): Promise<string> {
  return sha256Hex(`csrf:${key}`);
}

function secure(c: StudioContext): boolean {
  // Secure only on https: a local http://127.0.0.1 studio would otherwise never get its cookie back.
  return new URL(c.get("config").PUBLIC_BASE_URL).protocol === "https:";
}

export function startSession(c: StudioContext, key: string) {
  setCookie(c, SESSION_COOKIE, key, { httpOnly: true, sameSite: "Strict", path: "/studio", secure: secure(c), maxAge: SESSION_SECONDS });
}

export function endSession(c: StudioContext) {
  deleteCookie(c, SESSION_COOKIE, { path: "/studio", secure: secure(c), httpOnly: true, sameSite: "Strict" });
}

/** The session of this request, or null (no cookie, or a key that is unknown or revoked). */
export async function readSession(c: StudioContext): Promise<Session | null> {
  const key = getCookie(c, SESSION_COOKIE);
  if (!key) return null;
  const principal = await authenticate(c.get("db"), key);
  if (!principal) return null;
  return { key, principal, csrf: await csrfToken(key) };
}

/** Same-origin check: a browser's cross-site POST carries a foreign Origin (or `null`); ours carries PUBLIC_BASE_URL's. */
export function sameOrigin(c: StudioContext): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined) return c.req.header("sec-fetch-site") !== "cross-site";
  return origin === new URL(c.get("config").PUBLIC_BASE_URL).origin;
}

/** Constant-time comparison of two tokens of the same alphabet. */
export function tokensEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
