import { describe, expect, it } from "vitest";
import { platforms, renderers } from "../../renderers";
import { createTestApp, json } from "../helpers/app";

describe("rate limits per credential", () => {
  it("a key over its budget gets 429 with Retry-After and RateLimit headers while another key is unaffected", async () => {
    const t = await createTestApp({ config: { RATE_LIMIT_PER_MINUTE: "5" } });
    const noisy = await t.auth("catalog:read");
    const quiet = await t.auth("catalog:read");
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await t.request("GET", "/v1/products", { headers: noisy })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await t.request("GET", "/v1/products", { headers: noisy });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited.headers.get("ratelimit-policy")).toBe('"default";q=5;w=60');
    expect((await json(limited)).code).toBe("rate_limited");
    const ok = await t.request("GET", "/v1/products", { headers: quiet });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("ratelimit")).toBe('"default";r=4;t=60');
  });
});

describe("rate limits without a key", () => {
  it("anonymous clients are limited per address from the runtime, not by forgeable forwarding headers", async () => {
    const { createApp } = await import("../../src/app");
    const { parseConfig } = await import("../../src/env");
    const { freshDb } = await import("../helpers/db");
    const db = await freshDb();
    const app = createApp({
      renderers,
      platforms,
      resolveDb: () => db,
      config: parseConfig({ RATE_LIMIT_PER_MINUTE: "2", LOG_REQUESTS: "false" }),
      clientAddress: (request) => request.headers.get("x-test-peer") ?? undefined,
    });
    const get = (peer: string, forwarded?: string) =>
      app.request("/v1/products", { headers: { "x-test-peer": peer, ...(forwarded ? { "x-forwarded-for": forwarded } : {}) } });
    expect((await get("10.0.0.1", "1.1.1.1")).status).toBe(200);
    expect((await get("10.0.0.1", "2.2.2.2")).status).toBe(200);
    expect((await get("10.0.0.1", "3.3.3.3")).status).toBe(429);
    expect((await get("10.0.0.2")).status).toBe(200);
  });

  it("on the Node server (as npm start serves), each socket's address is its own budget, cache hits included", async () => {
    const { request } = await import("node:http");
    const { startServer } = await import("../helpers/server");
    const server = await startServer({ RATE_LIMIT_PER_MINUTE: "2" });
    // Loopback answers every 127.x address: each client connects from its own.
    const get = (from: string) =>
      new Promise<string>((done, fail) => {
        const req = request(`${server.url}/v1/products/merino-crew-sweater`, { localAddress: from, agent: false }, (res) => {
          res.resume();
          res.on("end", () => done(`${res.statusCode} ${res.headers["cache-status"] ?? "-"}`));
        });
        req.on("error", fail);
        req.end();
      });
    try {
      // The second answer of the same URL is a response-cache hit, limited before routing.
      const first = [await get("127.0.0.2"), await get("127.0.0.2"), await get("127.0.0.2")];
      expect(first).toEqual(["200 unison; fwd=uri-miss; stored", "200 unison; hit", "429 -"]);
      expect(await get("127.0.0.3")).toBe("200 unison; hit");
    } finally {
      await server.close();
    }
  });
});
