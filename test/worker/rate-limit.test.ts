/**
 * Rate limits on Workers count with Cloudflare's Rate Limiting binding (`[[ratelimits]]`), not with an
 * isolate's memory: the Worker under workerd (wrangler's local runtime) with a binding of 3 a minute and
 * RATE_LIMIT_PER_MINUTE far above it, so only the binding can refuse.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Unstable_DevWorker, unstable_dev } from "wrangler";
import { createApiKey } from "../../src/lib/keys";
import { checkedFetch } from "../helpers/contract";
import { type LocalD1, localD1, ROOT } from "../helpers/d1";

let d1: LocalD1;
let worker: Unstable_DevWorker;
/** fetch against workerd, each response checked against the Worker's own /openapi.json. */
const call = (path: string, init?: RequestInit) => checkedFetch(`http://${worker.address}:${worker.port}`)(path, init);
let key: string;

beforeAll(async () => {
  d1 = await localD1();
  key = (await createApiKey(d1.db, { name: "limits", scopes: ["catalog:read"] }, new Date())).secret;
  const toml = (await readFile(join(ROOT, "wrangler.toml"), "utf8"))
    .replace('main = "src/worker.ts"', `main = "${join(ROOT, "src/worker.ts")}"`)
    .replace('migrations_dir = "migrations"', `migrations_dir = "${join(ROOT, "migrations")}"`)
    .replace("simple = { limit = 1200, period = 60 }", "simple = { limit = 3, period = 60 }");
  expect(toml).toContain("simple = { limit = 3, period = 60 }");
  const config = join(d1.dir, "wrangler.toml");
  await writeFile(config, toml);
  worker = await unstable_dev(join(ROOT, "src/worker.ts"), {
    config,
    local: true,
    persistTo: d1.dir,
    ip: "127.0.0.1",
    port: 0,
    logLevel: "error",
    experimental: { disableExperimentalWarning: true, testMode: true },
    vars: { PUBLIC_BASE_URL: "https://shop.example", LOG_REQUESTS: "false", RATE_LIMIT_PER_MINUTE: "1000" },
  });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await d1?.dispose();
});

describe("rate limits on Workers: the Rate Limiting binding", () => {
  it("refuses the 4th anonymous request in a minute with a 429 problem and Retry-After; a key has its own budget", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call("/v1/products");
      statuses.push(res.status);
      expect(res.headers.get("ratelimit-policy")).toBe('"default";q=1000;w=60');
      await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await call("/v1/products");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(((await refused.json()) as { code: string }).code).toBe("rate_limited");
    const withKey = await call("/v1/products", { headers: { authorization: `Bearer ${key}` } });
    expect(withKey.status).toBe(200);
  }, 60_000);
});
