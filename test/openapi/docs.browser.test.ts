/**
 * `/docs` works offline: the reference UI is the project's own pinned assets (swagger-ui-dist, vendored
 * by scripts/build-docs-ui.ts), under a CSP without inline scripts. Chromium, with every request that
 * would leave the machine blocked, renders every operation of /openapi.json, and none was attempted.
 */
import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCS_UI_MODULE, docsUiModule } from "../../scripts/build-docs-ui";
import { launchBrowser, screenshot } from "../helpers/browser";
import { type RunningServer, startServer } from "../helpers/server";

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const LOOPBACK = /^(https?|wss?):\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//;

describe("/docs", () => {
  it("renders every operation with no request leaving the machine and no CSP violation", async () => {
    const spec = (await (await server.fetch("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(spec.paths).reduce(
      (n, item) => n + Object.keys(item).filter((m) => ["get", "post", "put", "patch", "delete"].includes(m)).length,
      0,
    );
    const context = await browser.newContext();
    const left: string[] = [];
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (LOOPBACK.test(url) || url.startsWith("data:")) return route.continue();
      left.push(url);
      return route.abort("blockedbyclient");
    });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    const res = await page.goto(`${server.url}/docs`);
    expect(res?.headers()["content-security-policy"]).toMatch(/script-src 'self';/);
    const blocks = page.locator(".opblock");
    await expect.poll(() => blocks.count(), { timeout: 60_000 }).toBe(operations);
    expect(
      await page
        .locator(".opblock-summary-path")
        .filter({ hasText: /^\/v1\/products\/\{slug\}$/ })
        .count(),
    ).toBeGreaterThan(0);
    await screenshot(page, "docs");
    expect(left).toEqual([]);
    expect(cspViolations).toEqual([]);
    await context.close();
  }, 90_000);

  it("serves its assets with a year of immutable caching, and the committed bundle is the pinned package's", async () => {
    const html = await (await server.fetch("/docs")).text();
    const links = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(links.filter((l) => !l.startsWith("/"))).toEqual([]);
    const assets = links.filter((l) => l.startsWith("/docs/assets/"));
    expect(assets.length).toBe(3);
    for (const path of assets) {
      const res = await server.fetch(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    }
    expect((await server.fetch("/docs/assets/nope.js")).status).toBe(404);
    expect(readFileSync(DOCS_UI_MODULE, "utf8")).toBe(docsUiModule());
  });
});
