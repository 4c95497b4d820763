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
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

export interface RateLimitOptions {
  /** Requests allowed per window and credential. */
  limit: number;
  windowSeconds: number;
  now: () => number;
  /** Upper bound on tracked credentials; the oldest windows are dropped first. */
  maxTracked?: number;
}

/**
 * The client's address for requests without a key, from the runtime (the socket on Node,
 * CF-Connecting-IP on Workers). Forwarding headers are not trusted: anyone can set them.
 * Takes the request and the runtime's bindings, so it also works before routing.
 */
export type ClientAddress = (request: Request, env: unknown) => string | undefined;

/** One counted request: whether it is within budget, and the RateLimit headers to answer with. */
export interface RateLimitVerdict {
  allowed: boolean;
  headers: Record<string, string>;
  /** Seconds until the window resets. */
  reset: number;
}

export interface RateLimiter {
  /** Counts one request against the credential's budget (`key:<id>` or `ip:<address>`). */
  take(credential: string): RateLimitVerdict;
  /** Whether one more request would be within budget, without counting it. */
  allows(credential: string): boolean;
}

/** The budget of an anonymous request, by client address. */
export function anonymousCredential(address: string | undefined): string {
  return `ip:${address ?? "unknown"}`;
}

/**
 * Fixed windows per credential, in memory.
 *
 * @example
 * const limiter = createRateLimiter({ limit: 600, windowSeconds: 60, now: Date.now });
 * limiter.take("ip:203.0.113.7").allowed; // true
 */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  const maxTracked = options.maxTracked ?? 50_000;
  const windowMs = options.windowSeconds * 1000;
  const policy = `"default";q=${options.limit};w=${options.windowSeconds}`;
  const current = (credential: string, now: number) => {
    const window = windows.get(credential);
    return window && now - window.start < windowMs ? window : undefined;
  };
  return {
    allows(credential) {
      return (current(credential, options.now())?.count ?? 0) < options.limit;
    },
    take(credential) {
      const now = options.now();
      let window = current(credential, now);
      if (!window) {
        windows.delete(credential);
        if (windows.size >= maxTracked) {
          const oldest = windows.keys().next().value;
          if (oldest !== undefined) windows.delete(oldest);
        }
        window = { start: now, count: 0 };
        windows.set(credential, window);
      }
      window.count++;
      const remaining = Math.max(0, options.limit - window.count);
      const reset = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
      return {
        allowed: window.count <= options.limit,
        headers: { "ratelimit-policy": policy, ratelimit: `"default";r=${remaining};t=${reset}` },
        reset,
      };
    },
  };
}

/**
 * The limiter as middleware: over budget is a 429 `rate_limited` with `Retry-After`.
 *
 * @example
 * app.use(rateLimit(createRateLimiter({ limit: 600, windowSeconds: 60, now: Date.now }), (req) => req.headers.get("cf-connecting-ip") ?? undefined));
 */
export function rateLimit(limiter: RateLimiter, clientAddress: ClientAddress): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    const verdict = limiter.take(principal ? `key:${principal.keyId}` : anonymousCredential(clientAddress(c.req.raw, c.env)));
    if (!verdict.allowed) {
      throw new ApiError("rate_limited", `Too many requests for this credential; retry in ${verdict.reset} s.`, {
        headers: { ...verdict.headers, "retry-after": String(verdict.reset) },
      });
    }
    await next();
    for (const [name, value] of Object.entries(verdict.headers)) c.res.headers.set(name, value);
  };
}
