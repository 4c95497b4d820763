/**
 * The credential rules at the request edge: a key that does not authenticate spends its client address's anonymous
 * budget (docs/architecture.md, "Rate limits"), and a key is refused anywhere in a query string.
 */
import { describe, expect, it } from "vitest";
import { platforms, renderers } from "../../renderers";
import { createApp } from "../../src/app";
import { parseConfig } from "../../src/env";
import { createApiKey } from "../../src/lib/keys";
import { createRateLimiter, type SharedRateLimiter } from "../../src/lib/rate-limit";
import { createTestApp, json } from "../helpers/app";
import { freshDb } from "../helpers/db";

/** A bogus key of the right shape (so it is hashed and looked up) and one of the wrong shape. */
const BOGUS = `unison_sk_${"0".repeat(48)}`;
const MALFORMED = "unison_sk_nope";

/** An app limited to `limit` requests a minute, each request's address from `x-test-peer`, on a clock the test moves. */
async function limitedApp(limit: number, options: { shared?: boolean } = {}) {
  const db = await freshDb();
  let now = new Date("2026-11-24T12:00:00Z").getTime();
  const clock = () => new Date(now);
  const inMemory = createRateLimiter({ limit, windowSeconds: 60, now: () => now });
  // As on Workers: a limiter that counts outside the isolate answers with a promise.
  const shared: SharedRateLimiter = { take: async (credential) => inMemory.take(credential) };
  const app = createApp({
    renderers,
    platforms,
    resolveDb: () => db,
    clock,
    config: parseConfig({ RATE_LIMIT_PER_MINUTE: String(limit), LOG_REQUESTS: "false" }),
    clientAddress: (request) => request.headers.get("x-test-peer") ?? undefined,
    ...(options.shared ? { sharedRateLimiter: shared } : {}),
  });
  const key = (await createApiKey(db, { name: "reader", scopes: ["catalog:read"] }, clock())).secret;
  const get = (peer: string, token?: string) =>
    app.request("/v1/products", { headers: { "x-test-peer": peer, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  return {
    get,
    key,
    /** Moves the clock past the current window. */
    nextWindow() {
      now += 61_000;
    },
  };
}

describe("a request with an unknown key spends its address's anonymous budget", () => {
  it("an address over its anonymous budget gets 429 for an unknown key too, not 401 forever", async () => {
    const t = await limitedApp(3);
    for (let i = 0; i < 3; i++) expect((await t.get("10.0.0.1")).status).toBe(200);
    expect((await t.get("10.0.0.1")).status).toBe(429);
    for (const token of [BOGUS, MALFORMED]) {
      const res = await t.get("10.0.0.1", token);
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(res.headers.get("ratelimit-policy")).toBe('"default";q=3;w=60');
      expect((await json(res)).code).toBe("rate_limited");
    }
    // Another address is not affected.
    expect((await t.get("10.0.0.2")).status).toBe(200);
  });

  it("unknown keys are counted: 401 with the RateLimit headers within budget, then 429, and the address's anonymous requests with them", async () => {
    const t = await limitedApp(3);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t.get("10.0.0.3", i % 2 ? MALFORMED : BOGUS);
      expect((await json(res)).code).toBe("invalid_api_key");
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
      seen.push(`${res.status} ${res.headers.get("ratelimit")}`);
    }
    expect(seen).toEqual(['401 "default";r=2;t=60', '401 "default";r=1;t=60', '401 "default";r=0;t=60']);
    const over = await t.get("10.0.0.3", BOGUS);
    expect(over.status).toBe(429);
    expect((await json(over)).code).toBe("rate_limited");
    expect((await t.get("10.0.0.3")).status).toBe(429);
    // A new window, a new budget.
    t.nextWindow();
    expect((await t.get("10.0.0.3", BOGUS)).status).toBe(401);
  });

  it("once over budget with an unknown key, the address's keys are refused before any lookup until its window resets", async () => {
    const t = await limitedApp(2);
    expect((await t.get("10.0.0.4", BOGUS)).status).toBe(401);
    expect((await t.get("10.0.0.4", BOGUS)).status).toBe(401);
    expect((await t.get("10.0.0.4", BOGUS)).status).toBe(429);
    // Not looked up: a valid key, whose own budget is untouched, is refused from this address too.
    const refused = await t.get("10.0.0.4", t.key);
    expect(refused.status).toBe(429);
    expect((await json(refused)).code).toBe("rate_limited");
    // The same key from another address is looked up and served.
    expect((await t.get("10.0.0.5", t.key)).status).toBe(200);
    t.nextWindow();
    expect((await t.get("10.0.0.4", t.key)).status).toBe(200);
  });

  it("a valid key keeps its own budget from an address over its anonymous budget by anonymous requests", async () => {
    const t = await limitedApp(2);
    for (let i = 0; i < 2; i++) expect((await t.get("10.0.0.6")).status).toBe(200);
    expect((await t.get("10.0.0.6")).status).toBe(429);
    const keyed = await t.get("10.0.0.6", t.key);
    expect(keyed.status).toBe(200);
    // Counted against the key, not the address.
    expect(keyed.headers.get("ratelimit")).toBe('"default";r=1;t=60');
    expect((await t.get("10.0.0.6", t.key)).status).toBe(200);
    expect((await t.get("10.0.0.6", t.key)).status).toBe(429);
  });

  it("with a limiter shared beyond the process (Workers' binding), unknown keys are counted and refused the same way", async () => {
    const t = await limitedApp(2, { shared: true });
    expect((await t.get("10.0.0.7", BOGUS)).status).toBe(401);
    expect((await t.get("10.0.0.7")).status).toBe(200);
    expect((await t.get("10.0.0.7", BOGUS)).status).toBe(429);
    expect((await t.get("10.0.0.7", t.key)).status).toBe(429);
    expect((await t.get("10.0.0.8", t.key)).status).toBe(200);
  });
});

describe("keys are refused anywhere in a query string", () => {
  it("a key under any parameter name, in any case, however percent-encoded, is 400 credentials_in_query", async () => {
    const t = await createTestApp();
    const { authorization } = await t.auth("catalog:read");
    const secret = authorization.slice("Bearer ".length);
    const queries = [
      `authorization=Bearer%20${secret}`,
      `q=%20${secret}`,
      `q=${secret.toUpperCase()}`,
      `q=${encodeURIComponent(secret).replace("u", "%75").replaceAll("_", "%5F")}`,
      `filter=name+${secret}`,
      `${secret}=1`,
      `q=leaked:${secret}`,
    ];
    for (const query of queries) {
      const res = await t.request("GET", `/v1/products?${query}`);
      expect(res.status, query).toBe(400);
      expect((await json(res)).code, query).toBe("credentials_in_query");
    }
    // On the storefront's pages too, and with a key that is no key at all.
    const page = await t.app.request(`/?q=${encodeURIComponent(`x unison_sk_abc`)}`);
    expect(page.status).toBe(400);
    expect((await json(page)).code).toBe("credentials_in_query");
    // A query that merely looks like one is searched.
    expect((await t.request("GET", "/v1/products?q=unison+sk")).status).toBe(200);
  });
});
