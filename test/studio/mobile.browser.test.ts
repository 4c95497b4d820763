/**
 * The studio on phones and tablets, in Chromium at 320, 390 and 768 px against the real app on a real port
 * (the demo catalogue with demo journeys, so the customers and insights tables are full): the dashboard,
 * the products list, the customers and the insights never scroll sideways, every link of the top menu is
 * on screen, and a table wider than the screen scrolls inside its own box instead of the page.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import { generateDemoJourneys } from "../../src/journeys/demo";
import { createApiKey } from "../../src/lib/keys";
import { launchBrowser, SCREENS } from "../helpers/browser";
import { type RunningServer, startServer } from "../helpers/server";
import { EDITOR } from "./helpers";

let server: RunningServer;
let browser: Browser;
/** An editor who also serves customers: one key opens every page checked here. */
let key: string;

const PAGES = ["/studio", "/studio/products", "/studio/customers", "/studio/insights"];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const now = new Date();
  await generateDemoJourneys(server.db, { customers: 30, now, baseUrl: server.url, registry: renderers });
  key = (await createApiKey(server.db, { name: "Kim (editor and CX lead)", scopes: [...EDITOR, "customers:read"] }, now)).secret;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * What makes the page wider than the viewport: its scroll width if it scrolls sideways, and the top-menu
 * links whose box is not wholly within the viewport. Empty when the page fits.
 */
function sideways(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const found: string[] = [];
    if (document.documentElement.scrollWidth > width) found.push(`page scrolls to ${document.documentElement.scrollWidth}px of ${width}px`);
    const links = [...document.querySelectorAll<HTMLAnchorElement>(".top nav a")];
    if (links.length === 0) found.push("no top menu");
    for (const a of links) {
      const box = a.getBoundingClientRect();
      if (box.left < 0 || box.right > width + 0.5)
        found.push(`menu link ${a.textContent} at ${Math.round(box.left)}–${Math.round(box.right)}px`);
    }
    return found;
  });
}

describe.each(SCREENS)("the studio at $width px", (screen) => {
  it("dashboard, products, customers and insights never scroll sideways and show every top-menu link", async () => {
    const context = await browser.newContext({ viewport: screen });
    const page = await context.newPage();
    await page.goto(`${server.url}/studio/signin`);
    await page.getByLabel("Editor key").fill(key);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/studio`);

    const found: Record<string, string[]> = {};
    for (const path of PAGES) {
      const res = await page.goto(`${server.url}${path}`);
      expect(res?.status(), path).toBe(200);
      expect(page.url(), path).toBe(`${server.url}${path}`);
      found[path] = await sideways(page);
    }
    expect(found).toEqual(Object.fromEntries(PAGES.map((p) => [p, []])));

    // The customers table is wider than a phone: it scrolls in its own box, and its last column is reachable.
    if (screen.width < 768) {
      await page.goto(`${server.url}/studio/customers`);
      const box = await page
        .locator("table.wide")
        .first()
        .evaluate((table) => {
          const scroller = table.closest(".scroll") ?? table;
          return { overflowX: getComputedStyle(scroller).overflowX, scrollWidth: scroller.scrollWidth, clientWidth: scroller.clientWidth };
        });
      expect(box.overflowX).toBe("auto");
      expect(box.scrollWidth).toBeGreaterThan(box.clientWidth);
    }
    await context.close();
  }, 120_000);
});
