/**
 * The studio is a client of the editors' API: every write (and most reads) is
 * an in-process request to `/v1/admin/…` with the editor's own key, so
 * validation, scopes, `If-Match`, the audit log and the publish gate are
 * exactly the API's — the studio adds none of its own rules.
 */
import type { Router } from "../lib/create-router";
import type { Session } from "./session";
import type { StudioContext } from "./view";

export interface ApiResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: API bodies are read loosely and checked where used.
  body: any;
}

export type Api = (
  method: string,
  path: string,
  options?: { body?: unknown; version?: number; idempotencyKey?: string },
) => Promise<ApiResult>;

/** An API client for one request: the editor's key as Bearer, JSON bodies, `If-Match` from a version. */
export function apiClient(app: Router, c: StudioContext, session: Session): Api {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${session.key}`, accept: "application/json" };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.version !== undefined) headers["if-match"] = `"v${options.version}"`;
    if (options.idempotencyKey !== undefined) headers["idempotency-key"] = options.idempotencyKey;
    // The same bindings as this request (the D1 binding on Workers; none on Node), never the request itself:
    // the sub-request is judged by its own headers and resolves its own database session.
    const res = await app.request(
      path,
      { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) },
      c.env,
    );
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = { detail: text };
    }
    return { status: res.status, body };
  };
}

/** An API call the page needs answered something else: the studio shows it to the editor instead of an empty page. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    what: string,
    detail: string,
  ) {
    super(`${what} answered ${status}${detail ? `: ${detail}` : ""}`);
  }
}

/** The body of a 200 answer; any other status is an {@link ApiFailure} naming the call. */
// biome-ignore lint/suspicious/noExplicitAny: API bodies are read loosely and checked where used.
export function okBody(res: ApiResult, what: string): any {
  if (res.status !== 200) throw new ApiFailure(res.status, what, String(res.body?.detail ?? res.body?.title ?? ""));
  return res.body;
}
