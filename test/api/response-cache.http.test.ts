/**
 * The response cache on the real Node entry (`serve()` from src/node.ts, on a
 * SQLite file seeded from content/): repeat reads are answered before routing,
 * from Node's own parsed headers, and still count against the anonymous rate
 * limit of the client's socket address; the client over budget gets the
 * pipeline's own 429.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve } from "../../src/node";
import { checkedFetch } from "../helpers/contract";

let server: Awaited<ReturnType<typeof serve>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "unison-cache-http-"));
  server = await serve({
    port: 0,
    dbPath: join(dir, "shop.db"),
    env: { DEMO_JOURNEYS: "false", LOG_REQUESTS: "false", RATE_LIMIT_PER_MINUTE: "5" },
    print: () => {},
  });
}, 60_000);

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("response cache over HTTP on the Node server", () => {
  it("answers repeats from memory per language, counts them against the address's budget, then 429s", async () => {
    const url = "/v1/products/alpaca-cardigan";
    const fetch = checkedFetch(server.url);

    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-status")).toBe("unison; fwd=uri-miss; stored");
    const hit = await fetch(url, { headers: { "x-request-id": "trace-42" } });
    expect(hit.headers.get("cache-status")).toBe("unison; hit");
    expect(hit.headers.get("x-request-id")).toBe("trace-42");
    expect(await hit.text()).toBe(await first.text());
    expect(hit.headers.get("ratelimit")).toMatch(/^"default";r=3;t=\d+$/);

    const fr = await fetch(url, { headers: { "accept-language": "fr" } });
    expect(fr.headers.get("cache-status")).toBe("unison; fwd=uri-miss; stored");
    expect(fr.headers.get("content-language")).toBe("fr");
    const frHit = await fetch(url, { headers: { "accept-language": "fr" } });
    expect(frHit.headers.get("cache-status")).toBe("unison; hit");
    expect(frHit.headers.get("content-language")).toBe("fr");
    expect(frHit.headers.get("ratelimit")).toMatch(/^"default";r=1;t=\d+$/);
    const last = await fetch(url);
    expect(last.headers.get("cache-status")).toBe("unison; hit");
    expect(last.headers.get("ratelimit")).toMatch(/^"default";r=0;t=\d+$/);

    // The sixth request of the minute from this address would be a hit; it is the pipeline's 429 instead.
    const limited = await fetch(url);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited.headers.get("cache-status")).toBeNull();
    expect(((await limited.json()) as { code: string }).code).toBe("rate_limited");
  });
});
