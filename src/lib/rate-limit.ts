/**
 * Rate limits per credential (docs/architecture.md, "Rate limits"): each API key — or, without a
 * key, each client address — gets its own budget, so one noisy key never slows
 * the others. Headers follow the IETF RateLimit draft (`RateLimit-Policy`,
 * `RateLimit`) and 429s carry `Retry-After`.
 *
 * On Node the counters live in memory: exact on one process. On Workers an
 * isolate's memory limits nothing (each request may land on another), so the
 * Worker counts with Cloudflare's Rate Limiting binding ({@link bindingRateLimiter}),
 * shared by every isolate of a location.
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

/** A limiter that counts outside this isolate (Cloudflare's Rate Limiting binding). */
export interface SharedRateLimiter {
  take(credential: string): Promise<RateLimitVerdict>;
}

/** What a Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml) offers. */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/**
 * Counts with Cloudflare's Rate Limiting binding. The binding says only whether a request is within
 * budget, so the `RateLimit` header reports the budget left only when it is spent; `limit` and
 * `windowSeconds` must be the binding's own (`simple = { limit, period }`).
 *
 * @example
 * const limiter = bindingRateLimiter(env.RATE_LIMITER, { limit: 1200, windowSeconds: 60 });
 * (await limiter.take("key:key_123")).allowed;
 */
export function bindingRateLimiter(binding: RateLimitBinding, options: { limit: number; windowSeconds: number }): SharedRateLimiter {
  const policy = `"default";q=${options.limit};w=${options.windowSeconds}`;
  return {
    async take(credential) {
      const { success } = await binding.limit({ key: credential });
      const headers: Record<string, string> = { "ratelimit-policy": policy };
      if (!success) headers.ratelimit = `"default";r=0;t=${options.windowSeconds}`;
      return { allowed: success, headers, reset: options.windowSeconds };
    },
  };
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
export function rateLimit(limiter: RateLimiter | SharedRateLimiter, clientAddress: ClientAddress): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    const taken = limiter.take(principal ? `key:${principal.keyId}` : anonymousCredential(clientAddress(c.req.raw, c.env)));
    // The in-memory limiter answers at once; only a shared one costs an await.
    const verdict = taken instanceof Promise ? await taken : taken;
    if (!verdict.allowed) {
      throw new ApiError("rate_limited", `Too many requests for this credential; retry in ${verdict.reset} s.`, {
        headers: { ...verdict.headers, "retry-after": String(verdict.reset) },
      });
    }
    await next();
    for (const [name, value] of Object.entries(verdict.headers)) c.res.headers.set(name, value);
  };
}
