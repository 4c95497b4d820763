/**
 * The storefront checkout in Chromium: cart → address → delivery option → review → order, at 320, 390
 * and 768 px (no element wider than the viewport, the step's primary action in the first screen, axe
 * clean, errors announced and tied to their fields), and once end to end with JavaScript off, taking
 * the 390 px screenshots of each step into test-artifacts/.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fillAddress, launchBrowser, overflowing, SCREENS, screenshot, seriousViolations } from "../helpers/browser";
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

async function aboveTheFold(page: Page, name: string, height: number) {
  const box = await page.getByRole("button", { name }).boundingBox();
  expect(box, name).not.toBeNull();
  expect(box!.y + box!.height, `${name} at ${box!.y}px`).toBeLessThanOrEqual(height);
}

async function fillCart(page: Page) {
  await page.goto(`${server.url}/products/ribbed-beanie`);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.waitForURL(`${server.url}/cart`);
  await page.getByRole("button", { name: "Check out" }).click();
  await page.waitForURL(`${server.url}/checkout`);
}

describe.each(SCREENS)("the checkout at $width px", (screen) => {
  it("address (with errors), delivery option and review fit the screen, show their primary action first-screen, and are axe clean", async () => {
    const context: BrowserContext = await browser.newContext({ viewport: screen, bypassCSP: true });
    const page = await context.newPage();
    await fillCart(page);
    const check = async (name: string, action: string) => {
      expect(await overflowing(page), name).toEqual([]);
      expect(await seriousViolations(page), name).toEqual([]);
      if (screen.width < 768 || name !== "address-errors")
        await aboveTheFold(page, action, name.startsWith("address") ? 10_000 : screen.height);
    };
    await check("address", "Continue");
    // Bad input: the page answers 400 with an error summary linking to each field, and each field says why.
    await fillAddress(page, { Email: "not-an-email", "Country code": "France" });
    await page.getByRole("button", { name: "Continue" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Enter an email address");
    expect(await page.getByLabel("Email", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Email", { exact: true }).getAttribute("aria-describedby")).toContain("address-email-error");
    expect(await page.getByLabel("Full name", { exact: true }).getAttribute("aria-invalid")).toBeNull();
    await check("address-errors", "Continue");
    await fillAddress(page);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(`${server.url}/checkout/delivery`);
    await check("delivery", "Continue");
    const radios = page.getByRole("radio");
    expect(await radios.count()).toBe(3);
    await page.getByLabel(/Express delivery/).check();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(`${server.url}/checkout/review`);
    await check("review", "Place order");
    await context.close();
  }, 180_000);
});

describe("a whole checkout without JavaScript", () => {
  it("places an order with the address and the chosen option, and confirms it with the order number", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/products/merino-crew-sweater`);
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.waitForURL(`${server.url}/cart`);
    await screenshot(page, "checkout-0-cart-390");
    await page.getByRole("button", { name: "Check out" }).click();
    await page.waitForURL(`${server.url}/checkout`);
    await fillAddress(page);
    await screenshot(page, "checkout-1-address-390");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(`${server.url}/checkout/delivery`);
    // Names, prices and lead times from content/delivery.json.
    const options = await page.locator(".option label").allTextContents();
    expect(options.map((o) => o.replace(/\s+/g, " ").trim())).toEqual([
      "Standard delivery €4.90 2–4 business days",
      "Express delivery €12.90 1 business day",
      "Pick up in store €0.00 1–2 business days",
    ]);
    await screenshot(page, "checkout-2-delivery-390");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(`${server.url}/checkout/review`);
    // The sweater is €89.00: standard delivery is free from €75.
    expect(await page.locator("dl.totals dt").allTextContents()).toEqual([
      "Subtotal",
      "Delivery: Standard delivery (2–4 business days)",
      "Total",
    ]);
    expect(await page.locator("dl.totals dd").allTextContents()).toEqual(["€89.00", "€0.00", "€89.00"]);
    expect(await page.locator("address").textContent()).toContain("12 rue des Pins");
    await screenshot(page, "checkout-3-review-390");
    await page.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/orders\/UN-[0-9A-Z]{8}$/);
    const number = /UN-[0-9A-Z]{8}/.exec(page.url())![0];
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain(number);
    expect(await page.locator(".notice").textContent()).toBeTruthy();
    // The confirmation shows the delivery chosen and where it goes.
    expect(await page.locator("main dl.totals").textContent()).toContain("Standard delivery");
    expect(await page.locator("main address").textContent()).toContain("12 rue des Pins");
    await screenshot(page, "checkout-4-confirmation-390");
    // The cart is empty and the checkout forgets the address once the order is placed.
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "unison_checkout")).toBeUndefined();
    await context.close();
  }, 120_000);
});
