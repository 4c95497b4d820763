/**
 * The studio in a real browser (Debian Chromium via playwright-core) against the
 * real app on a real port with the demo catalogue: an editor signs in, edits a
 * product title and watches the live preview change on every channel without a
 * reload, breaks parity with an SMS override, sees publish refused with the
 * violation shown, fixes it, publishes, and finds the new title on the
 * storefront and in the delivery API. Two editors then save the same product:
 * the second sees the conflict. Every studio page is checked with axe-core.
 * Screenshots go to test-artifacts/studio-*.png.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/lib/keys";
import { launchBrowser, screenshot, seriousViolations } from "../helpers/browser";
import { type RunningServer, startServer } from "../helpers/server";
import { PUBLISHER } from "./helpers";

let server: RunningServer;
let browser: Browser;
let publisherKey: string;
let secondKey: string;

const PRODUCT = "/studio/products/merino-crew-sweater";
const NEW_TITLE = "Merino crew sweater, navy edition";

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const now = new Date();
  publisherKey = (await createApiKey(server.db, { name: "Ada (editor)", scopes: PUBLISHER }, now)).secret;
  secondKey = (await createApiKey(server.db, { name: "Grace (editor)", scopes: PUBLISHER }, now)).secret;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(context: BrowserContext, key: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}/studio`);
  await page.waitForURL(/\/studio\/signin/);
  await page.getByLabel("Editor key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${server.url}/studio`);
  return page;
}

/** Opens a collapsible group of fields, the way an editor does (a click on its summary), unless it is open already. */
async function openGroup(page: Page, name: string) {
  const group = page.locator("details.group", { has: page.locator("summary", { hasText: name }) });
  if (!(await group.evaluate((d) => (d as HTMLDetailsElement).open))) await group.locator("summary").click();
}

/** axe-core on the page; the sandboxed previews are inert documents axe cannot enter (the storefront's own tests audit that HTML). */
const studioViolations = (page: Page) => seriousViolations(page, { iframes: false });

describe("the studio in Chromium", () => {
  it("edits a title with a live preview on every channel, refuses a publish that breaks parity, then publishes the fix", async () => {
    const context = await browser.newContext();
    const page = await signIn(context, publisherKey);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Consistency dashboard");
    await screenshot(page, "studio-dashboard");

    await page.goto(`${server.url}${PRODUCT}`);
    // A marker on the window: it survives only if the preview updates without a page load.
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42;
    });
    await page.getByLabel("Title (en)", { exact: true }).fill(NEW_TITLE);

    const web = page.frameLocator("#pv-en-web iframe").locator("h1");
    await expect.poll(() => web.textContent(), { timeout: 10_000 }).toBe(NEW_TITLE);
    expect(await page.locator("#pv-en-mobile .m-heading").textContent()).toBe(NEW_TITLE);
    expect(await page.locator("#pv-en-mobile .m-bar").textContent()).toBe(NEW_TITLE);
    const chats = page.locator("#pv-en-chat .chat");
    expect(await chats.count()).toBe(5);
    for (let i = 0; i < 5; i++) expect(await chats.nth(i).locator(".bubble").textContent()).toContain(NEW_TITLE);
    expect(await page.locator("#pv-en-chat .chat[data-format=whatsapp] .buttons li").allTextContents()).toEqual([
      "Add to cart",
      "View details",
    ]);
    // The SMS has its own shorter title, written for the old base: the verdict flags it as stale at once.
    expect(await page.locator("#pv-en-sms .bubble").textContent()).toContain("Merino crew - €89.00");
    const verdict = page.locator("#preview .verdict");
    expect(await verdict.getAttribute("data-ok")).toBe("false");
    expect(await verdict.textContent()).toContain("stale_override");
    await openGroup(page, "SMS overrides");
    const smsTitle = page.getByLabel("SMS title (en)");
    expect(await smsTitle.inputValue()).toBe("Merino crew");
    await smsTitle.fill("Merino crew, navy");
    await expect.poll(() => page.locator("#pv-en-sms .bubble").textContent(), { timeout: 10_000 }).toContain("Merino crew, navy - €89.00");
    expect(await verdict.getAttribute("data-ok")).toBe("true");
    expect(await page.locator("#pv-en-sms .meta").textContent()).toMatch(/^GSM-7 · \d segment\(s\)/);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await screenshot(page, "studio-preview");

    await page.getByRole("button", { name: "Save draft" }).click();
    await page.waitForURL(`${server.url}${PRODUCT}?notice=saved`);
    expect(await page.getByRole("status").first().textContent()).toBe("Draft saved.");

    // An SMS override so long that the SMS loses the price: a parity violation.
    await openGroup(page, "SMS overrides");
    await page.getByLabel("SMS title (en)").fill(`Merino ${"very ".repeat(120)}long`);
    await expect.poll(() => verdict.getAttribute("data-ok"), { timeout: 10_000 }).toBe("false");
    expect(await verdict.textContent()).toContain("The price");
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.waitForURL(`${server.url}${PRODUCT}?notice=saved`);

    const publish = page.getByRole("button", { name: "Publish", exact: true });
    expect(await publish.isDisabled()).toBe(true);
    expect(await page.locator("#publish-blocked").textContent()).toContain("parity violation");
    const violation = page.locator("#preview .violations li").filter({ hasText: "price" }).first();
    expect(await violation.textContent()).toContain("sms");
    expect(await violation.textContent()).toContain("fact_missing");
    // The violation links to the field that caused it: the SMS override.
    await violation.getByRole("link").first().click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("f-overrides-sms-en-title");
    // Forcing without a reason is refused too.
    await page.getByRole("button", { name: "Force publish" }).click();
    await page.waitForURL(`${server.url}${PRODUCT}/publish`);
    expect(await page.getByRole("alert").first().textContent()).toContain("Forcing needs a reason");
    expect(await page.locator("#force-reason-error").textContent()).toContain("reason");
    await screenshot(page, "studio-violation");

    // Fix it: remove the override, save, publish.
    await page.goto(`${server.url}${PRODUCT}`);
    await openGroup(page, "SMS overrides");
    await page.getByLabel("SMS title (en)").fill("Merino crew, navy");
    await expect.poll(() => page.locator("#preview .verdict").getAttribute("data-ok"), { timeout: 10_000 }).toBe("true");
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.waitForURL(`${server.url}${PRODUCT}?notice=saved`);
    expect(await page.getByRole("button", { name: "Publish", exact: true }).isDisabled()).toBe(false);
    await page.getByLabel("Note (optional)").fill("New title");
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await page.waitForURL(`${server.url}${PRODUCT}?notice=published`);
    expect(await page.getByRole("status").first().textContent()).toBe("Published on every channel.");
    await screenshot(page, "studio-published");

    const shop = await context.newPage();
    await shop.goto(`${server.url}/products/merino-crew-sweater`);
    expect(await shop.getByRole("heading", { level: 1 }).textContent()).toBe(NEW_TITLE);
    const delivered = await server.fetch("/v1/products/merino-crew-sweater?locale=en", {
      headers: { authorization: `Bearer ${publisherKey}` },
    });
    expect(delivered.status).toBe(200);
    expect(JSON.stringify(await delivered.json())).toContain(NEW_TITLE);
    await context.close();
  }, 60_000);

  it("shows the second of two editors saving the same product a conflict with both versions", async () => {
    const [ada, grace] = await Promise.all([browser.newContext(), browser.newContext()]);
    const [first, second] = await Promise.all([signIn(ada, publisherKey), signIn(grace, secondKey)]);
    await Promise.all([first.goto(`${server.url}/studio/products/wool-scarf`), second.goto(`${server.url}/studio/products/wool-scarf`)]);
    await first.getByLabel("Summary (en)", { exact: true }).fill("Ada's summary.");
    await first.getByRole("button", { name: "Save draft" }).click();
    await first.waitForURL(/notice=saved/);

    await second.getByLabel("Summary (en)", { exact: true }).fill("Grace's summary.");
    await second.getByRole("button", { name: "Save draft" }).click();
    await expect.poll(() => second.getByRole("heading", { level: 1 }).textContent()).toBe("Someone else saved first");
    const row = second.getByRole("row", { name: /Summary \(en\)/ });
    expect(await row.locator("td.yours").textContent()).toBe("Grace's summary.");
    expect(await row.locator("td.theirs").textContent()).toBe("Ada's summary.");
    await screenshot(second, "studio-conflict");

    // Nothing was overwritten; re-applying on the current version saves Grace's text deliberately.
    await second.getByRole("button", { name: /Re-apply checked changes/ }).click();
    await second.waitForURL(/notice=saved/);
    expect(await second.getByLabel("Summary (en)", { exact: true }).inputValue()).toBe("Grace's summary.");
    await Promise.all([ada.close(), grace.close()]);
  }, 30_000);

  it("has no serious or critical axe-core violations on any studio page", async () => {
    // axe is injected as an inline script, which the studio's CSP (script-src 'self') rightly blocks.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/studio/signin`);
    expect(await studioViolations(page)).toEqual([]);
    await screenshot(page, "studio-signin");
    await page.getByLabel("Editor key").fill(publisherKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/studio`);
    const pages = [
      ["/studio", null],
      ["/studio/products?q=wool", "studio-products"],
      [PRODUCT, null],
      ["/studio/messages", null],
      ["/studio/messages/winter_sale", "studio-message"],
      ["/studio/actions", null],
      ["/studio/actions/add_to_cart", "studio-action"],
      [`${PRODUCT}/revisions?from=1&to=2`, "studio-revisions"],
      [`${PRODUCT}/audit`, "studio-audit"],
    ] as const;
    for (const [path, shot] of pages) {
      await page.goto(`${server.url}${path}`);
      expect({ path, violations: await studioViolations(page) }).toEqual({ path, violations: [] });
      if (shot) await screenshot(page, shot);
    }
    // The conflict page: someone saves through the API while the form is open.
    await page.goto(`${server.url}/studio/products/camp-stove`);
    const api = `${server.url}/v1/admin/products/camp-stove`;
    const { version } = (await (await fetch(api, { headers: { authorization: `Bearer ${secondKey}` } })).json()) as { version: number };
    const patched = await fetch(api, {
      method: "PATCH",
      headers: { authorization: `Bearer ${secondKey}`, "content-type": "application/json", "if-match": `"v${version}"` },
      body: JSON.stringify({ summary: { en: "Changed elsewhere." } }),
    });
    expect(patched.status).toBe(200);
    await page.getByLabel("Summary (en)", { exact: true }).fill("Changed here.");
    await page.getByRole("button", { name: "Save draft" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Someone else saved first");
    expect(await studioViolations(page)).toEqual([]);
    await context.close();
  }, 40_000);
});
