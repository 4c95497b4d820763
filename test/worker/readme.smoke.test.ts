/**
 * The README's "Local development of the Worker", step by step: migrate the local D1, create a key as
 * SQL and execute it, `wrangler dev` with wrangler.toml as committed (no PUBLIC_BASE_URL override), import
 * the demo catalogue over HTTP, then a shopper and an editor in Chromium. Only `--persist-to` and a free
 * port are added, so the test neither shares `.wrangler/` nor a port with anyone.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS_DIR, launchBrowser } from "../helpers/browser";
import { unison } from "../helpers/cli";
import { checkedFetch } from "../helpers/contract";
import { ROOT, wrangler } from "../helpers/d1";

let dev: ChildProcess;
let url: string;
let key: string;
let browser: Browser;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "unison-readme-"));
  const persist = ["--persist-to", join(dir, "state")];
  wrangler(["d1", "migrations", "apply", "DB", "--local", ...persist]);
  const created = unison(["keys", "create", "--name", "dev", "--scope", "admin", "--sql"]);
  expect(created.code, created.stderr).toBe(0);
  key = /unison_sk_[0-9a-f]{48}/.exec(created.stdout)![0];
  await writeFile(join(dir, "key.sql"), created.stdout);
  wrangler(["d1", "execute", "DB", "--local", ...persist, "--file", join(dir, "key.sql")]);
  dev = spawn(
    process.execPath,
    [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "dev", "--ip", "127.0.0.1", "--port", "0", "--inspector-port", "0", ...persist],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    },
  );
  url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`wrangler dev did not start:\n${out}`)), 150_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /Ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (ready) {
        clearTimeout(timer);
        resolve(ready);
      }
    };
    dev.stdout!.on("data", read);
    dev.stderr!.on("data", read);
    dev.on("exit", (code) => reject(new Error(`wrangler dev exited ${code}:\n${out}`)));
  });
  const bundle = unison(["bundle", "content"]);
  expect(bundle.code, bundle.stderr).toBe(0);
  const imported = await checkedFetch(url)("/v1/admin/import", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: bundle.stdout,
  });
  expect(imported.status, await imported.clone().text()).toBe(200);
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (dev?.pid) process.kill(-dev.pid, "SIGTERM");
});

describe("the README's Workers local development, in Chromium", () => {
  it("serves a styled storefront whose links and forms stay on the dev origin; add to cart works without JavaScript", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const blocked: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/.test(m.text())) blocked.push(m.text());
    });
    await page.goto(`${url}/`);
    const stylesheets = await page.locator('link[rel="stylesheet"]').evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).href));
    expect(stylesheets.length).toBeGreaterThan(0);
    for (const href of stylesheets) expect(href.startsWith(`${url}/`), href).toBe(true);
    const applied = await page.evaluate(() => [...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0));
    expect(applied).toBeGreaterThan(0);
    // The paged, sorted list runs its SQL on D1 too; the search (FTS on D1) finds the sweater on a later page.
    expect(await page.locator("main").textContent()).toMatch(/Page 1 of \d+/);
    await page.getByRole("searchbox").fill("merino crew");
    await page.getByRole("searchbox").press("Enter");
    await page.getByRole("link", { name: "Merino crew sweater" }).first().click();
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.waitForURL(`${url}/cart`);
    expect(await page.getByRole("row", { name: /Merino crew sweater/ }).count()).toBe(1);
    expect(blocked).toEqual([]);
    await context.close();
  }, 120_000);

  it("lets an editor sign in to the studio with the key created as SQL", async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 640 } });
    const page = await context.newPage();
    await page.goto(`${url}/studio`);
    await page.waitForURL(/\/studio\/signin/);
    await page.getByLabel("Editor key").fill(key);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${url}/studio`);
    expect(await page.content()).not.toMatch(/another site/i);
    // The studio's first screen, into test-artifacts/ (the README's copy in docs/screenshots/ is refreshed by hand).
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS_DIR, "studio-workers.png") });
    await context.close();
  }, 120_000);
});
