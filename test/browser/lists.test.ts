/**
 * The storefront's paged product lists in Chromium, the way `npm start` serves them: at 320, 390 and
 * 768 px no element wider than the viewport and axe-core clean (catalogue page 2 sorted by price, a
 * category page); and without JavaScript, sorting by price with the sort form and walking on with
 * the Next link keeps the prices in order across pages.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, overflowing, SCREENS, seriousViolations } from "../helpers/browser";
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

/** The cards' prices on the page, as numbers (`€1,234.50` → 1234.5), in page order. */
async function prices(page: Page): Promise<number[]> {
  const texts = await page.locator(".card .price").allTextContents();
  return texts.map((t) => Number(t.replace(/[^\d.]/g, "")));
}

describe.each(SCREENS)("the product lists at $width px", (screen) => {
  it("have no element wider than the viewport and nothing serious for axe: sorted page 2, a category", async () => {
    const context = await browser.newContext({ viewport: screen, bypassCSP: true });
    const page = await context.newPage();
    for (const path of ["/?sort=price&page=2", "/categories/knitwear?sort=newest"]) {
      await page.goto(`${server.url}${path}`);
      expect(await page.locator(".card").count(), path).toBeGreaterThan(0);
      expect(await overflowing(page), path).toEqual([]);
      const violations = await seriousViolations(page);
      expect(violations, `${path}: ${JSON.stringify(violations)}`).toEqual([]);
    }
    await context.close();
  }, 120_000);
});

describe("sorting and paging without JavaScript", () => {
  it("sorts by price with the form, then walks to page 2 and back with the links, prices ascending throughout", async () => {
    const context = await browser.newContext({ viewport: SCREENS[1], javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    expect(await page.locator(".pages p").textContent()).toBe("Page 1 of 3");
    expect(await page.getByRole("link", { name: "Previous page" }).count()).toBe(0);
    const titles = await page.locator(".card h2").allTextContents();
    expect(titles).toEqual([...titles].sort((a, b) => a.localeCompare(b, "en", { sensitivity: "base" })));

    await page.getByLabel("Sort by").selectOption("price");
    await page.getByRole("button", { name: "Sort", exact: true }).click();
    await page.waitForURL(/sort=price/);
    const first = await prices(page);
    expect(first).toHaveLength(12);
    expect(first).toEqual([...first].sort((a, b) => a - b));
    expect(await page.locator(".pages p").textContent()).toBe("Page 1 of 3");

    await page.getByRole("link", { name: "Next page" }).click();
    await page.waitForURL(/page=2/);
    expect(page.url()).toContain("sort=price");
    const second = await prices(page);
    expect(second).toHaveLength(12);
    expect(second).toEqual([...second].sort((a, b) => a - b));
    expect(second[0]).toBeGreaterThanOrEqual(first.at(-1)!);
    expect(await page.locator(".pages p").textContent()).toBe("Page 2 of 3");
    expect(await page.getByLabel("Sort by").inputValue()).toBe("price");

    await page.getByRole("link", { name: "Previous page" }).click();
    await page.waitForURL((url) => !url.searchParams.has("page"));
    expect(await prices(page)).toEqual(first);
    await context.close();
  }, 120_000);
});
