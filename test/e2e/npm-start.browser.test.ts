/**
 * What a new user runs is what this tests: `npm start` itself, spawned as a child process on a fresh
 * data directory and a free port, driven in Chromium with every request that would leave the machine
 * blocked. Studio sign-in with the admin key the start printed → product editor → live preview →
 * save → publish; the storefront shows the published title → add to cart; /v1/products; /docs.
 * Spawns `npm start` literally, whatever that script runs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/browser";
import { checkedFetch } from "../helpers/contract";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const NEW_TITLE = "Merino crew sweater, from npm start";

let child: ChildProcess;
let dataDir: string;
let base: string;
let adminKey: string;
let browser: Browser;
let output = "";

/** A port nothing listens on right now (the OS picks it; the server binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "unison-e2e-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn("npm", ["start"], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATABASE_PATH: join(dataDir, "unison.db"), LOG_REQUESTS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const started = new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    const poll = setInterval(() => {
      if (output.includes("Unison is running")) {
        clearInterval(poll);
        resolve();
      }
    }, 100);
  });
  [browser] = await Promise.all([launchBrowser(), started]);
  adminKey = /Local admin key \(shown once; store it\): (unison_sk_\w+)/.exec(output)?.[1] ?? "";
  expect(adminKey, output).not.toBe("");
  expect(output).toContain(`${base}/studio`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid, "SIGTERM");
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A browser context whose requests may only reach this machine; the rest are blocked and recorded. */
async function offlineContext(left: string[]): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${base}/`) || url.startsWith("data:")) return route.continue();
    left.push(url);
    return route.abort("blockedbyclient");
  });
  return context;
}

describe("npm start, as a new user meets it", () => {
  it("studio: signs in with the printed key, edits, previews, saves and publishes a product", async () => {
    const left: string[] = [];
    const context = await offlineContext(left);
    const page = await context.newPage();
    await page.goto(`${base}/studio`);
    await page.waitForURL(/\/studio\/signin/);
    await page.getByLabel("Editor key").fill(adminKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/studio`);
    expect(Number(/(\d+) entities/.exec((await page.locator("main").textContent()) ?? "")?.[1])).toBeGreaterThan(10);

    await page.goto(`${base}/studio/products`);
    expect(Number(/(\d+) products shown/.exec((await page.locator("main").textContent()) ?? "")?.[1])).toBeGreaterThan(10);
    await page.getByRole("link", { name: "merino-crew-sweater" }).first().click();
    await page.waitForURL(`${base}/studio/products/merino-crew-sweater`);

    await page.getByLabel("Title (en)", { exact: true }).fill(NEW_TITLE);
    const preview = page.frameLocator("#pv-en-web iframe").locator("h1");
    await expect.poll(() => preview.textContent(), { timeout: 20_000 }).toBe(NEW_TITLE);
    // The SMS override was written for the old title: confirm it is still right, or publish is refused as stale.
    const group = page.locator("details.group", { has: page.locator("summary", { hasText: "SMS overrides" }) });
    if (!(await group.evaluate((d) => (d as HTMLDetailsElement).open))) await group.locator("summary").click();
    await page.getByLabel("SMS title (en)").fill("Merino crew, npm");
    await expect.poll(() => page.locator("#preview .verdict").getAttribute("data-ok"), { timeout: 20_000 }).toBe("true");

    await page.getByRole("button", { name: "Save draft" }).click();
    await page.waitForURL(`${base}/studio/products/merino-crew-sweater?notice=saved`);
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await page.waitForURL(`${base}/studio/products/merino-crew-sweater?notice=published`);
    expect(await page.getByRole("status").first().textContent()).toBe("Published on every channel.");
    expect(left).toEqual([]);
    await context.close();
  }, 90_000);

  it("storefront: the product page shows what was published, and adds to the cart", async () => {
    const left: string[] = [];
    const context = await offlineContext(left);
    const page = await context.newPage();
    await page.goto(`${base}/products/merino-crew-sweater`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(NEW_TITLE);
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.waitForURL(`${base}/cart`);
    await expect.poll(() => page.getByRole("row", { name: new RegExp(NEW_TITLE) }).count()).toBe(1);
    expect(left).toEqual([]);
    await context.close();
  }, 60_000);

  it("the delivery API lists products, and /docs renders the reference offline", async () => {
    const list = await checkedFetch(base)("/v1/products?locale=en");
    expect(list.status).toBe(200);
    const body = (await list.json()) as { data: { slug: string; title: string }[] };
    expect(body.data.length).toBeGreaterThan(0);
    expect(body.data.find((p) => p.slug === "merino-crew-sweater")?.title).toBe(NEW_TITLE);

    const left: string[] = [];
    const context = await offlineContext(left);
    const page = await context.newPage();
    await page.goto(`${base}/docs`);
    await expect.poll(() => page.locator(".opblock").count(), { timeout: 60_000 }).toBeGreaterThan(50);
    expect(left).toEqual([]);
    await context.close();
  }, 90_000);
});
