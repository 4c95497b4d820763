/**
 * Rate limits per credential (RELIABILITY 14): each API key — or, without a
 * key, each client address — gets its own budget, so one noisy key never slows
 * the others. Headers follow the IETF RateLimit draft (`RateLimit-Policy`,
 * `RateLimit`) and 429s carry `Retry-After`.
 *
 * Counters live in memory: exact on one Node process; per isolate on Workers
 * (a cheap first line — put Cloudflare's rate limiting rules in front for a
 * global limit).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

export interface RateLimitOptions {
  /** Requests allowed per window and credential. */
  limit: number;
  windowSeconds: number;
  now: () => number;
  /** Upper bound on tracked credentials; the oldest windows are dropped first. */
  maxTracked?: number;
  /**
   * The client's address for requests without a key, from the runtime (the socket on Node,
   * CF-Connecting-IP on Workers). Forwarding headers are not trusted: anyone can set them.
   */
  clientAddress: (c: Context<AppEnv>) => string | undefined;
}

/**
 * @example
 * app.use(rateLimit({ limit: 600, windowSeconds: 60, now: Date.now, clientAddress: (c) => c.req.header("cf-connecting-ip") }));
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const windows = new Map<string, { start: number; count: number }>();
  const maxTracked = options.maxTracked ?? 50_000;
  const windowMs = options.windowSeconds * 1000;
  const policy = `"default";q=${options.limit};w=${options.windowSeconds}`;
  return async (c, next) => {
    const principal = c.get("principal");
    const id = principal ? `key:${principal.keyId}` : `ip:${options.clientAddress(c) ?? "unknown"}`;
    const now = options.now();
    let window = windows.get(id);
    if (!window || now - window.start >= windowMs) {
      windows.delete(id);
      if (windows.size >= maxTracked) {
        const oldest = windows.keys().next().value;
        if (oldest !== undefined) windows.delete(oldest);
      }
      window = { start: now, count: 0 };
      windows.set(id, window);
    }
    window.count++;
    const remaining = Math.max(0, options.limit - window.count);
    const reset = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
    const headers = { "ratelimit-policy": policy, ratelimit: `"default";r=${remaining};t=${reset}` };
    if (window.count > options.limit) {
      throw new ApiError("rate_limited", `Too many requests for this credential; retry in ${reset} s.`, {
        headers: { ...headers, "retry-after": String(reset) },
      });
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
