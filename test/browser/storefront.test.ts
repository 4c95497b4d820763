/**
 * The storefront in a real browser (Chromium) against the real app on a real
 * port: browse, switch language, add to cart and check out with JavaScript
 * DISABLED (the forms alone must work), and axe-core on the product and cart
 * pages. Screenshots land in test-artifacts/.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot, seriousViolations } from "../helpers/browser";
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

describe("the storefront in Chromium", () => {
  it("browses, switches to French, adds to cart and checks out (address, delivery, review) without JavaScript", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: "en-GB" });
    const page = await context.newPage();

    await page.goto(`${server.url}/`);
    await expect.poll(() => page.title()).toContain("All products");
    // Twelve products a page, by title: the sweater is on a later page; the search finds it.
    await page.getByRole("searchbox").fill("merino crew");
    await page.getByRole("searchbox").press("Enter");
    await page.getByRole("link", { name: "Merino crew sweater" }).first().click();
    await page.waitForURL(`${server.url}/products/merino-crew-sweater`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Merino crew sweater");
    expect(await page.locator(".price > span").first().textContent()).toBe("€89.00");

    await page.getByRole("navigation", { name: "Language" }).getByRole("link", { name: "Français" }).click();
    await page.waitForURL(`${server.url}/products/merino-crew-sweater?locale=fr`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Pull col rond en mérinos");
    const price = await page.locator(".price > span").first().textContent();
    expect(price).toBe("89,00\u00a0€");
    await screenshot(page, "product-fr");

    await page.getByLabel("Option").selectOption("MER-CRE-SWE-S-OAT");
    await page.getByLabel("Quantité").fill("2");
    await page.getByRole("button", { name: "Ajouter au panier" }).click();
    await page.waitForURL(`${server.url}/cart`);
    const line = page.getByRole("row", { name: /Pull col rond en mérinos \(S \/ Avoine\)/ });
    await expect.poll(() => line.count()).toBe(1);
    expect(await line.locator("td").nth(1).textContent()).toBe(price);
    expect(await line.locator("td").first().textContent()).toBe("2");
    await screenshot(page, "cart-fr");

    // The checkout steps in French: address, delivery option (standard is free from €75), review, order.
    await page.getByRole("button", { name: "Commander" }).click();
    await page.waitForURL(/\/checkout(\?.*)?$/);
    const address = { "Nom complet": "Ana Silva", "E-mail": "ana@example.com", "Rue et numéro": "12 rue des Pins" };
    for (const [label, value] of Object.entries({ ...address, "Code postal": "75011", Ville: "Paris", "Code pays": "FR" })) {
      await page.getByLabel(label, { exact: true }).fill(value);
    }
    await page.getByRole("button", { name: "Continuer" }).click();
    await page.waitForURL(/\/checkout\/delivery/);
    expect(await page.locator(".option label").first().textContent()).toContain("Livraison standard");
    await page.getByRole("button", { name: "Continuer" }).click();
    await page.waitForURL(/\/checkout\/review/);
    await page.getByRole("button", { name: "Passer la commande" }).click();
    await page.waitForURL(/\/orders\/UN-[0-9A-Z]{8}$/);
    const number = new URL(page.url()).pathname.split("/").pop()!;
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(`Commande ${number}`);
    expect(await page.locator("main").textContent()).toContain("Passée");
    expect(await page.locator("main").textContent()).toContain("178,00\u00a0€");
    await screenshot(page, "order-fr");
    await context.close();
  });

  it("has no serious or critical axe-core violations on the product page and the cart page", async () => {
    // axe is injected as an inline script, which the pages' CSP (script-src 'none') would rightly block.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/products/merino-crew-sweater`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.waitForURL(`${server.url}/cart`);
    expect(await page.locator("tbody tr").count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "cart-en");
    await context.close();
  });

  it("styles every page from the one stylesheet the CSP allows (no inline style), cached for a year", async () => {
    // CSP enforced here (no bypass): a stylesheet it blocked would leave the page unstyled.
    const context = await browser.newContext();
    const page = await context.newPage();
    const sheets: { url: string; status: number; cache: string | undefined }[] = [];
    page.on("response", (res) => {
      if (res.request().resourceType() === "stylesheet")
        sheets.push({ url: res.url(), status: res.status(), cache: res.headers()["cache-control"] });
    });
    const blocked: string[] = [];
    page.on("console", (msg) => {
      if (/Content Security Policy/i.test(msg.text())) blocked.push(msg.text());
    });
    await page.goto(`${server.url}/products/merino-crew-sweater`);
    expect(blocked).toEqual([]);
    expect(sheets).toEqual([
      { url: expect.stringMatching(/\/assets\/storefront-[0-9a-z]{8}\.css$/), status: 200, cache: "public, max-age=31536000, immutable" },
    ]);
    // The header is a flex row and the brand bold: rules that exist only in the stylesheet.
    expect(await page.locator("header.site").evaluate((el) => getComputedStyle(el).display)).toBe("flex");
    expect(await page.locator(".brand").evaluate((el) => getComputedStyle(el).fontWeight)).toBe("700");
    await context.close();
  });
});
