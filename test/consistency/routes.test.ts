/**
 * Rendering, preview, the audit and the publish gate over HTTP, on the demo
 * store, through the real registry.
 */
import { describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import { smsRenderer } from "../../renderers/sms";
import { importContent } from "../../src/catalogue/content";
import type { Channel } from "../../src/catalogue/documents";
import { fallbackChain, loadLocales } from "../../src/catalogue/locales";
import { findLiveProduct } from "../../src/catalogue/products";
import type { Renderer } from "../../src/channels/contract";
import { catalogueActions, productForDisplay, productSource } from "../../src/channels/load";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp, expectStatus, patchDraft, type TestApp } from "../helpers/app";
import { BASE_URL, CONTENT_DIR, loadDemo } from "../helpers/demo";

async function demoApp(options: Parameters<typeof createTestApp>[0] = {}): Promise<TestApp> {
  const t = await createTestApp(options);
  const report = await importContent(t.db, await readContentDir(CONTENT_DIR), { keyId: null, now: t.now });
  expect(report.problems).toEqual([]);
  return t;
}

/** Sets every variant's stock of a product to 0 through the admin API; returns the product as the API gives it. */
async function sellOut(t: TestApp, admin: Record<string, string>, slug: string) {
  const product = await expectStatus(await t.request("GET", `/v1/admin/products/${slug}`, { headers: admin }), 200);
  for (const { sku } of product.draft.variants) {
    const row = await expectStatus(await t.request("GET", `/v1/admin/inventory/${sku}`, { headers: admin }), 200);
    await expectStatus(
      await t.request("PUT", `/v1/admin/inventory/${sku}`, { headers: { ...admin, "if-match": `"v${row.version}"` }, body: { stock: 0 } }),
      200,
    );
  }
  return product;
}

const TYPES = { web: "text/html", mobile: "application/json", sms: "text/plain", chat: "application/json" } as const;

describe("GET /v1/render/{channel}/…", () => {
  it("serves each channel's native body — the bytes its renderer draws for the delivery view — with a strong ETag and 304", async () => {
    const t = await demoApp();
    const demo = await loadDemo();
    for (const channel of ["web", "mobile", "sms", "chat"] as const) {
      const res = await t.request("GET", `/v1/render/${channel}/products/merino-crew-sweater?locale=fr`);
      const body = await res.text();
      expect(res.status, body).toBe(200);
      expect(res.headers.get("content-type")).toContain(TYPES[channel]);
      expect(res.headers.get("content-language")).toBe("fr");
      const expected = renderers[channel].render(await demo.product("merino-crew-sweater", channel, "fr"), { baseUrl: BASE_URL });
      expect(body).toBe(expected.body);
      const etag = res.headers.get("etag")!;
      expect(etag).toMatch(/^"[^W]/);
      const again = await t.request("GET", `/v1/render/${channel}/products/merino-crew-sweater?locale=fr`, {
        headers: { "if-none-match": etag },
      });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
    }
  });

  it("renders a chat platform by ?format=, refuses a format of another channel on /format, and 404s an unknown slug", async () => {
    const t = await demoApp();
    const wa = await t.request("GET", "/v1/render/chat/products/merino-crew-sweater?format=whatsapp");
    expect(wa.status).toBe(200);
    expect(await wa.json()).toMatchObject({ messaging_product: "whatsapp", type: "interactive" });
    const slack = await expectStatus(await t.request("GET", "/v1/render/chat/messages/winter_sale?format=slack"), 200);
    expect(slack.text).toContain("WINTER20");
    const wrong = await expectStatus(await t.request("GET", "/v1/render/sms/products/merino-crew-sweater?format=whatsapp"), 400);
    expect(wrong).toMatchObject({ code: "validation_failed", errors: [{ in: "query", pointer: "/format" }] });
    const missing = await expectStatus(await t.request("GET", "/v1/render/web/products/no-such-product"), 404);
    expect(missing.code).toBe("not_found");
    const channel = await expectStatus(await t.request("GET", "/v1/render/fax/products/merino-crew-sweater"), 400);
    expect(channel.errors[0].pointer).toBe("/channel");
  });

  it("shows a published change and a stock change at once: the cache is keyed by the view, so nothing stale is served", async () => {
    const t = await demoApp();
    const before = await t.request("GET", "/v1/render/sms/products/enamel-mug");
    const tag = before.headers.get("etag");
    expect(await before.text()).toContain("In stock");
    const admin = await t.auth("admin");
    await sellOut(t, admin, "enamel-mug");
    const after = await t.request("GET", "/v1/render/sms/products/enamel-mug", { headers: { "if-none-match": tag! } });
    expect(after.status).toBe(200);
    const text = await after.text();
    expect(text).toContain("Out of stock");
    expect(text).toContain("NOTIFY"); // out of stock: the offer becomes notify_back_in_stock
    expect(text).not.toContain("ADD ");
  });
});

/** The render the route must send, built here from the database with no memory in between. */
async function direct(t: TestApp, channel: Channel, slug: string, locale: string, format?: string): Promise<string | null> {
  const locales = await loadLocales(t.db);
  const ctx = { locales, locale, chain: fallbackChain(locales, locale), baseUrl: BASE_URL };
  const live = await findLiveProduct(t.db, slug);
  if (!live) return null;
  const view = productForDisplay(productSource(live.doc, live.stock, live, ctx, await catalogueActions(t.db, ctx)), channel);
  return renderers[channel].render(view, { baseUrl: BASE_URL, format }).body;
}

describe("keyed renders (a chat bot's, an SMS gateway's: the response cache never keeps them)", () => {
  it("are remembered until the database changes, and never past it: an action, a stock move, an unpublish", async () => {
    const t = await demoApp();
    const bot = await t.auth("catalog:read");
    const admin = await t.auth("admin");
    const renders: [Channel, string, string?][] = [
      ["sms", "en"],
      ["sms", "fr"],
      ["chat", "fr", "whatsapp"],
      ["chat", "fr", "messenger"],
      ["web", "en"],
    ];
    const expectFresh = async (slug: string) => {
      for (const [channel, locale, format] of renders) {
        const res = await t.request("GET", `/v1/render/${channel}/products/${slug}?locale=${locale}${format ? `&format=${format}` : ""}`, {
          headers: bot,
        });
        const expected = await direct(t, channel, slug, locale, format);
        expect(res.status, `${channel} ${format} ${locale}`).toBe(expected === null ? 404 : 200);
        // Not the response cache's: it keeps no keyed request's answer (no Cache-Status).
        expect(res.headers.get("cache-status")).toBeNull();
        if (expected !== null) expect(await res.text(), `${channel} ${format} ${locale}`).toBe(expected);
      }
    };
    await expectFresh("ribbed-beanie");
    await expectFresh("ribbed-beanie");
    const patched = await patchDraft(t, admin, "/v1/admin/actions/add_to_cart", { label: { en: "Add to bag" } });
    await expectStatus(
      await t.request("POST", "/v1/admin/actions/add_to_cart/publish", { headers: { ...admin, "if-match": `"v${patched.version}"` } }),
      200,
    );
    expect(await direct(t, "sms", "ribbed-beanie", "en")).toContain("(Add to bag)");
    await expectFresh("ribbed-beanie");
    const product = await sellOut(t, admin, "ribbed-beanie");
    expect(await direct(t, "sms", "ribbed-beanie", "en")).toContain("Out of stock");
    await expectFresh("ribbed-beanie");
    await expectStatus(
      await t.request("POST", "/v1/admin/products/ribbed-beanie/unpublish", { headers: { ...admin, "if-match": `"v${product.version}"` } }),
      200,
    );
    expect(await direct(t, "sms", "ribbed-beanie", "en")).toBeNull();
    await expectFresh("ribbed-beanie");
  });
});

describe("the action catalogue behind every render", () => {
  it("a published label change shows on every channel's next render (the cached catalogue is keyed by its live revisions)", async () => {
    const t = await demoApp();
    expect(await (await t.request("GET", "/v1/render/sms/products/ribbed-beanie")).text()).toContain("(Add to cart)");
    const editor = await t.auth("catalog:write", "catalog:publish");
    const patched = await patchDraft(t, editor, "/v1/admin/actions/add_to_cart", { label: { en: "Add to bag" } });
    await expectStatus(
      await t.request("POST", "/v1/admin/actions/add_to_cart/publish", { headers: { ...editor, "if-match": `"v${patched.version}"` } }),
      200,
    );
    expect(await (await t.request("GET", "/v1/render/sms/products/ribbed-beanie")).text()).toContain("(Add to bag)");
    const wa = await expectStatus(await t.request("GET", "/v1/render/chat/products/ribbed-beanie?format=whatsapp"), 200);
    expect(JSON.stringify(wa)).toContain("Add to bag");
  });
});

describe("GET /v1/preview/… and the publish gate", () => {
  it("previews a draft on every channel, format and locale with the verdict; it needs catalog:write", async () => {
    const t = await demoApp();
    expect((await t.request("GET", "/v1/preview/products/merino-crew-sweater")).status).toBe(401);
    expect((await t.request("GET", "/v1/preview/products/merino-crew-sweater", { headers: await t.auth("catalog:read") })).status).toBe(
      403,
    );
    const preview = await expectStatus(
      await t.request("GET", "/v1/preview/products/merino-crew-sweater", { headers: await t.auth("catalog:write") }),
      200,
    );
    expect(preview.verdict).toEqual({ ok: true, violations: [] });
    const formats = preview.renders.map((r: any) => `${r.channel}/${r.format}/${r.locale}`).sort();
    expect(formats).toHaveLength(18); // (web + mobile + sms + 5 chat formats + agent) × 2 locales
    expect(formats).toContain("chat/telegram/fr");
    const sms = preview.renders.find((r: any) => r.channel === "sms" && r.locale === "en");
    expect(sms.body).toContain("Merino crew - €89.00");
    expect(sms.manifest.actions.map((a: any) => a.key)).toEqual(["add_to_cart", "view_product"]);
  });

  it("refuses to publish a draft whose SMS title override went stale (422 with each violation), changing nothing; a forced publish records why", async () => {
    const t = await demoApp();
    const editor = await t.auth("catalog:write", "catalog:publish");
    const patched = await patchDraft(t, editor, "/v1/admin/products/merino-crew-sweater", { title: { en: "Merino crew-neck jumper" } });
    const preview = await expectStatus(await t.request("GET", "/v1/preview/products/merino-crew-sweater", { headers: editor }), 200);
    expect(preview.verdict.ok).toBe(false);
    expect(preview.verdict.violations).toContainEqual(
      expect.objectContaining({ rule: "stale_override", channel: "sms", locale: "en", field: "overrides/sms/en/title" }),
    );

    const refused = await expectStatus(
      await t.request("POST", "/v1/admin/products/merino-crew-sweater/publish", {
        headers: { ...editor, "if-match": `"v${patched.version}"` },
      }),
      422,
    );
    expect(refused.code).toBe("parity_failed");
    expect(refused.violations).toEqual(preview.verdict.violations);
    const live = await expectStatus(await t.request("GET", "/v1/products/merino-crew-sweater"), 200);
    expect(live.title).toBe("Merino crew sweater");
    expect(live.revision).toBe(1);

    const forced = await expectStatus(
      await t.request("POST", "/v1/admin/products/merino-crew-sweater/publish", {
        headers: { ...editor, "if-match": `"v${patched.version}"` },
        body: { force: { reason: "SMS copy follows tomorrow" } },
      }),
      200,
    );
    expect(forced.publishedRevision).toBe(2);
    const audit = await expectStatus(await t.request("GET", "/v1/admin/products/merino-crew-sweater/audit", { headers: editor }), 200);
    const entryOf = audit.data.find((a: any) => a.action === "product.publish_forced");
    expect(entryOf.detail.forced).toBe("SMS copy follows tomorrow");
    expect(entryOf.detail.violations.map((v: any) => v.rule)).toContain("stale_override");
  });

  /** The SMS renderer with its body broken after rendering; its manifest still claims everything. */
  const broken = (rewrite: (body: string) => string): Renderer => ({
    ...smsRenderer,
    render: (view, options) => {
      const out = smsRenderer.render(view, options);
      return { ...out, body: rewrite(out.body) };
    },
  });
  for (const [what, rewrite, rule] of [
    ["drops an action from its body", (body: string) => body.replace(/ADD [A-Z0-9-]+/g, ""), "action_missing"],
    ["formats the price its own way", (body: string) => body.replaceAll("€", "EUR"), "fact_missing"],
    ["goes over its segment budget", (body: string) => `${body}\n${"x".repeat(480)}`, "limit_exceeded"],
  ] as const) {
    it(`refuses to publish when one channel ${what}, naming the channel, the locale and the rule`, async () => {
      const t = await demoApp({ renderers: { ...renderers, sms: broken(rewrite) } });
      const editor = await t.auth("catalog:write", "catalog:publish");
      const entry = await expectStatus(await t.request("GET", "/v1/admin/products/ribbed-beanie", { headers: editor }), 200);
      const refused = await expectStatus(
        await t.request("POST", "/v1/admin/products/ribbed-beanie/publish", { headers: { ...editor, "if-match": `"v${entry.version}"` } }),
        422,
      );
      expect(refused.code).toBe("parity_failed");
      expect([...new Set(refused.violations.map((v: any) => `${v.channel}/${v.locale}/${v.rule}`))].sort()).toEqual([
        `sms/en/${rule}`,
        `sms/fr/${rule}`,
      ]);
      const after = await expectStatus(await t.request("GET", "/v1/admin/products/ribbed-beanie", { headers: editor }), 200);
      expect(after.version).toBe(entry.version);
    });
  }
});

describe("GET /v1/consistency", () => {
  it("audits the whole demo store clean on every channel, and reports a forced violation filtered by channel and rule", async () => {
    const t = await demoApp();
    const reader = await t.auth("catalog:read");
    expect((await t.request("GET", "/v1/consistency")).status).toBe(401);
    const clean = await expectStatus(await t.request("GET", "/v1/consistency", { headers: reader }), 200);
    expect(clean.summary).toMatchObject({ entities: 33 + 13 + 14, violations: 0, entitiesWithViolations: 0 });
    expect(clean.summary.renders).toBe((33 + 13) * 18);

    const editor = await t.auth("catalog:write", "catalog:publish");
    const patched = await patchDraft(t, editor, "/v1/admin/products/merino-crew-sweater", { title: { en: "Merino crew-neck jumper" } });
    await expectStatus(
      await t.request("POST", "/v1/admin/products/merino-crew-sweater/publish", {
        headers: { ...editor, "if-match": `"v${patched.version}"` },
        body: { force: { reason: "test" } },
      }),
      200,
    );
    const report = await expectStatus(await t.request("GET", "/v1/consistency?channel=sms&rule=stale_override", { headers: reader }), 200);
    expect(report.summary).toMatchObject({
      violations: 1,
      entitiesWithViolations: 1,
      byRule: { stale_override: 1 },
      byChannel: { sms: 1 },
    });
    expect(report.entities[0].entity).toEqual({ type: "product", key: "merino-crew-sweater" });
    const web = await expectStatus(await t.request("GET", "/v1/consistency?channel=web", { headers: reader }), 200);
    expect(web.summary.violations).toBe(0);
  });
});

describe("the quick start's own base URL", () => {
  it("audits the demo store clean when PUBLIC_BASE_URL is the local http://127.0.0.1:8787 default (loopback http is allowed for development)", async () => {
    const t = await demoApp({ config: { PUBLIC_BASE_URL: "http://127.0.0.1:8787" } });
    const report = await expectStatus(await t.request("GET", "/v1/consistency", { headers: await t.auth("catalog:read") }), 200);
    expect(report.summary.violations).toBe(0);
  });
});
