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

/** The 429 `rate_limited` of a request over its budget, with `Retry-After` and the RateLimit headers. */
export function rateLimited(verdict: RateLimitVerdict): ApiError {
  return new ApiError("rate_limited", `Too many requests for this credential; retry in ${verdict.reset} s.`, {
    headers: { ...verdict.headers, "retry-after": String(verdict.reset) },
  });
}

export interface UnknownKeyLimit {
  /**
   * Before a key is looked up: while its address is refused, the request is counted against the address and the
   * verdict returned (a 429 when still over budget); otherwise undefined, and nothing is counted.
   */
  before(credential: string): RateLimitVerdict | Promise<RateLimitVerdict> | undefined;
  /**
   * After a key did not authenticate: the request is counted against the address (unless `before` counted it:
   * `counted`) and the verdict returned; over budget, the address is refused before any lookup until its window resets.
   */
  unknown(credential: string, counted?: RateLimitVerdict): RateLimitVerdict | Promise<RateLimitVerdict>;
}

/**
 * Requests with an unknown key spend the anonymous budget of their client address: a key that does not
 * authenticate is no credential, so such a request is the address's (else every bogus key — each a SHA-256
 * and a database read — would go unlimited). Once an address goes over its budget with an unknown key, its
 * further keyed requests are refused before the lookup until its window resets. An address over budget by
 * anonymous requests alone still has its keys looked up: a valid key keeps its own budget, even beside
 * anonymous neighbours (a storefront server reading anonymously and acting with a key from one address).
 *
 * @example
 * const unknownKeys = unknownKeyLimit(limiter, Date.now);
 * const verdict = await unknownKeys.unknown("ip:203.0.113.7");
 * if (!verdict.allowed) throw rateLimited(verdict);
 */
export function unknownKeyLimit(limiter: RateLimiter | SharedRateLimiter, now: () => number, maxTracked = 10_000): UnknownKeyLimit {
  /** Addresses refused before the lookup, and until when (ms). */
  const refused = new Map<string, number>();
  const refuse = (credential: string, verdict: RateLimitVerdict) => {
    refused.delete(credential);
    if (refused.size >= maxTracked) {
      const oldest = refused.keys().next().value;
      if (oldest !== undefined) refused.delete(oldest);
    }
    refused.set(credential, now() + verdict.reset * 1000);
  };
  const judged = (credential: string, verdict: RateLimitVerdict) => {
    if (!verdict.allowed) refuse(credential, verdict);
    return verdict;
  };
  return {
    before(credential) {
      const until = refused.get(credential);
      if (until === undefined) return undefined;
      if (until <= now()) {
        refused.delete(credential);
        return undefined;
      }
      return limiter.take(credential);
    },
    unknown(credential, counted) {
      if (counted) return judged(credential, counted);
      const taken = limiter.take(credential);
      return taken instanceof Promise ? taken.then((verdict) => judged(credential, verdict)) : judged(credential, taken);
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
    if (!verdict.allowed) throw rateLimited(verdict);
    await next();
    for (const [name, value] of Object.entries(verdict.headers)) c.res.headers.set(name, value);
  };
}
