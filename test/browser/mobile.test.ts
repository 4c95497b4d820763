/**
 * The storefront on phones and tablets, in Chromium at 320, 390 and 768 px: no element wider than the
 * viewport on any page a shopper walks (home, product, cart with two lines, order), title, price,
 * availability and Add to cart in the first screen of a product page, and axe-core clean.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS_DIR, fillAddress, launchBrowser, overflowing, SCREENS, seriousViolations } from "../helpers/browser";
import { type RunningServer, startServer } from "../helpers/server";

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function walk(page: Page, check: (name: string) => Promise<void>) {
  await page.goto(`${server.url}/`);
  await check("home");
  await page.goto(`${server.url}/products/merino-crew-sweater`);
  await check("product");
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.goto(`${server.url}/products/ribbed-beanie`);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.waitForURL(`${server.url}/cart`);
  await check("cart");
  await page.getByRole("button", { name: "Check out" }).click();
  // The checkout pages (address, delivery option, review) have their own tests: test/browser/checkout.test.ts.
  await page.waitForURL(`${server.url}/checkout`);
  await fillAddress(page);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Place order" }).click();
  await page.waitForURL(/\/orders\//);
  await check("order");
}

describe.each(SCREENS)("the storefront at $width px", (screen) => {
  it("has no element wider than the viewport on home, product, cart (two lines) and order; axe finds nothing serious", async () => {
    const context = await browser.newContext({ viewport: screen, bypassCSP: true });
    const page = await context.newPage();
    const found: Record<string, string[]> = {};
    await walk(page, async (name) => {
      found[name] = await overflowing(page);
      const violations = await seriousViolations(page);
      expect(violations, `${name}: ${JSON.stringify(violations)}`).toEqual([]);
    });
    expect(found).toEqual({ home: [], product: [], cart: [], order: [] });
    await context.close();
  }, 120_000);

  it("shows title, price, availability and Add to cart in the first screen of a product page", async () => {
    const context = await browser.newContext({ viewport: screen, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/products/merino-crew-sweater`);
    for (const locator of [
      page.getByRole("heading", { level: 1 }),
      page.locator(".product .price"),
      page.locator(".product .availability"),
      page.getByRole("button", { name: "Add to cart" }),
    ]) {
      const box = await locator.first().boundingBox();
      expect(box, await locator.first().evaluate((el) => el.outerHTML.slice(0, 80))).not.toBeNull();
      expect(box!.y + box!.height, await locator.first().evaluate((el) => el.outerHTML.slice(0, 80))).toBeLessThanOrEqual(screen.height);
    }
    if (screen.width === 390) {
      // The first screen of the product page on a phone, into test-artifacts/ (a test run never changes tracked
      // files); the README's copy in docs/screenshots/ is refreshed from there by hand.
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS_DIR, "product-390.png") });
    }
    await context.close();
  }, 60_000);
});
