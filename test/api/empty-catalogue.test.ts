/**
 * A shop starting from nothing: no locale, no product. Reads answer empty; only a wrong request is a problem.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { platforms, renderers } from "../../renderers";
import { createApp } from "../../src/app";
import { parseConfig } from "../../src/env";
import { openSqlite } from "../../src/node/sqlite";
import { requester } from "../helpers/app";
import { ROOT } from "../helpers/cli";
import { checkedFetch } from "../helpers/contract";

describe("an empty catalogue (no locale configured yet)", () => {
  const db = openSqlite(":memory:");
  const app = createApp({
    renderers,
    platforms,
    resolveDb: () => db,
    config: parseConfig({ PUBLIC_BASE_URL: "https://shop.example", LOG_REQUESTS: "false" }),
  });
  const request = requester(app);

  it("delivery lists answer 200 with empty data", async () => {
    for (const path of ["/v1/products", "/v1/messages", "/v1/actions", "/v1/locales", "/v1/products?q=sweater"]) {
      const res = await request("GET", path);
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
      expect(((await res.json()) as { data: unknown[] }).data, path).toEqual([]);
    }
  });

  it("a missing product is 404 and an unknown ?locale= is 400, as problem+json", async () => {
    const missing = await request("GET", "/v1/products/merino-crew-sweater");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    const locale = await request("GET", "/v1/products?locale=fr");
    expect(locale.status).toBe(400);
    expect(((await locale.json()) as { code: string }).code).toBe("unsupported_locale");
  });

  it("the storefront home and cart are pages that say there is nothing yet", async () => {
    const home = await app.request("/");
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await home.text()).toContain("No products match.");
    const cart = await app.request("/cart");
    expect(cart.status).toBe(200);
  });
});

describe("npm start with an empty CONTENT_DIR", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill();
  });

  it("starts with an empty catalogue instead of dying, and says so", async () => {
    const dir = await mkdtemp(join(tmpdir(), "unison-empty-"));
    await mkdir(join(dir, "content"));
    child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/node.ts")], {
      cwd: ROOT,
      env: { ...process.env, PORT: "0", DATABASE_PATH: join(dir, "u.db"), CONTENT_DIR: join(dir, "content"), LOG_REQUESTS: "false" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const started = child;
    const { url, out } = await new Promise<{ url: string; out: string }>((resolve, reject) => {
      let out = "";
      started.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const url = /API\s+(http:\/\/[^/\s]+)/.exec(out)?.[1];
        if (url) resolve({ url, out });
      });
      started.stderr!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      started.on("exit", (code) => reject(new Error(`server exited ${code}:\n${out}`)));
    });
    expect(out).toContain("holds no content: starting with an empty catalogue");
    const products = await checkedFetch(url)("/v1/products");
    expect(products.status).toBe(200);
    expect(((await products.json()) as { data: unknown[] }).data).toEqual([]);
    const home = await checkedFetch(url)("/");
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("No products match.");
  }, 90_000);
});
