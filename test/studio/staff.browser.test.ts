/**
 * The staff pages in Chromium against the real app on a real port, on the demo
 * catalogue with demo journeys: an agent signs in with a customers:read key,
 * searches a customer by phone number, by email and by name, opens their page;
 * a CX lead opens the insights. axe-core finds no serious or critical violation on any of them.
 * Screenshots (viewport only, small) go to test-artifacts/staff-*.png; the
 * README's copies in docs/screenshots/ are refreshed from there by hand.
 */
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import { setCustomerProfile } from "../../src/journeys/customers";
import { generateDemoJourneys } from "../../src/journeys/demo";
import { createApiKey } from "../../src/lib/keys";
import { ARTIFACTS_DIR, launchBrowser, seriousViolations } from "../helpers/browser";
import { type RunningServer, startServer } from "../helpers/server";

let server: RunningServer;
let browser: Browser;
let agentKey: string;
let named: { customer: string; phone: string };

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const now = new Date();
  await generateDemoJourneys(server.db, { customers: 30, now, baseUrl: server.url, registry: renderers });
  agentKey = (await createApiKey(server.db, { name: "Sam (customer service)", scopes: ["customers:read", "actions:invoke"] }, now)).secret;
  // The first SMS customer gave a name and an email at checkout.
  const first = server.db.client
    .prepare("SELECT customer_id AS customer, external_id AS phone FROM identities WHERE channel = 'sms' ORDER BY id LIMIT 1")
    .get() as { customer: string; phone: string };
  named = first;
  await setCustomerProfile(server.db, first.customer, { name: "Ingrid Berg", email: "Ingrid.Berg@example.com" }, now);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function shot(page: Page, name: string) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS_DIR}/staff-${name}.png` });
}

describe("the staff pages in Chromium", () => {
  it("an agent finds a customer by phone number and sees their story; the insights show charts; no serious axe violations", async () => {
    // axe is injected as an inline script, which the studio's CSP rightly blocks.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/studio/customers`);
    await page.waitForURL(/\/studio\/signin/);
    await page.getByLabel("Editor key").fill(agentKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/studio/customers`);
    expect(await seriousViolations(page, { iframes: false })).toEqual([]);

    // The number as a person types it: spaced, with the 00 international prefix.
    const typed = `00${named.phone.slice(1, 3)} ${named.phone.slice(3, 6)} ${named.phone.slice(6)}`;
    await page.getByLabel(/phone number/).fill(typed);
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=/);
    const first = page.locator("table a").first();
    await first.click();
    await page.waitForURL(`${server.url}/studio/customers/${named.customer}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain("Ingrid Berg");
    expect(await page.getByRole("heading", { level: 2, name: "Timeline" }).count()).toBe(1);
    expect(await page.locator("table.timeline tbody tr").count()).toBeGreaterThan(1);
    expect(await seriousViolations(page, { iframes: false })).toEqual([]);
    await shot(page, "studio-customer");

    await page.goto(`${server.url}/studio/insights`);
    expect(await page.locator("figure.chart svg[role=img]").count()).toBe(8);
    expect(await page.locator("#chart-nps-t").textContent()).toBe("NPS per answering channel (−100 to 100)");
    expect(await seriousViolations(page, { iframes: false })).toEqual([]);
    await shot(page, "studio-insights");
    await page.locator("#t-channels").scrollIntoViewIfNeeded();
    await page.getByRole("heading", { level: 2, name: "Journeys across channels" }).scrollIntoViewIfNeeded();
    await shot(page, "studio-insights-journeys");

    // Without JavaScript the page is the same: the charts are in the HTML.
    const nojs = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
    const plain = await nojs.newPage();
    await plain.goto(`${server.url}/studio/insights`);
    expect(await plain.locator("figure.chart svg[role=img]").count()).toBe(8);
    await Promise.all([context.close(), nojs.close()]);
  }, 60_000);

  it("an agent finds a customer by email in any case and by name, and sees both on the page; no serious axe violations", async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/studio/signin`);
    await page.getByLabel("Editor key").fill(agentKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/studio/customers`);
    for (const q of ["INGRID.BERG@Example.COM", "ingrid berg", "Berg"]) {
      await page.getByLabel(/Name, email/).fill(q);
      await page.getByRole("button", { name: "Search" }).click();
      await page.waitForURL(`${server.url}/studio/customers?q=${encodeURIComponent(q).replace(/%20/g, "+")}`);
      const rows = page.locator("table tbody tr");
      expect(await rows.count(), q).toBe(1);
      expect(await rows.first().textContent()).toContain("ingrid.berg@example.com");
      expect(await rows.first().textContent()).toContain("Ingrid Berg");
      expect(await seriousViolations(page, { iframes: false })).toEqual([]);
    }
    await page.locator("table tbody a").first().click();
    await page.waitForURL(`${server.url}/studio/customers/${named.customer}`);
    expect(await page.locator("dl.facts").textContent()).toContain("Ingrid Berg");
    expect(await page.getByRole("link", { name: "ingrid.berg@example.com" }).getAttribute("href")).toBe("mailto:ingrid.berg@example.com");
    expect(await seriousViolations(page, { iframes: false })).toEqual([]);
    await context.close();
  }, 60_000);
});
