import { SegmentedMessage } from "sms-segments-calculator";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProductRenderView } from "../../src/channels/contract";
import { SMS_SEGMENT_BUDGET } from "../../src/channels/sms-text";
import { checkChannel, pagesOf } from "../../src/consistency/engine";
import { BASE_URL, type Demo, loadDemo } from "../../test/helpers/demo";
import { smsRenderer } from ".";

let demo: Demo;
beforeAll(async () => {
  demo = await loadDemo();
});

const render = (view: Parameters<typeof smsRenderer.render>[0]) => smsRenderer.render(view, { baseUrl: BASE_URL });

/** A product view with hostile or oversized text in its title and summary (facts follow the title). */
function withText(view: ProductRenderView, title: string, summary = view.summary): ProductRenderView {
  return { ...view, title, summary, facts: view.facts.map((f) => (f.name === "title" ? { ...f, value: title } : f)) };
}

describe("SMS renderer", () => {
  it("renders a product as title, price, availability, summary, its link and the keyword menu", async () => {
    const out = render(await demo.product("merino-crew-sweater", "sms"));
    expect(out.body).toBe(
      [
        "Merino crew - €89.00 (Was €110.00) - In stock",
        "A light, warm crew-neck in fine merino wool.",
        "https://shop.example/products/merino-crew-sweater",
        "Reply ADD MER-CRE-SWE-S-NAVY (Add to cart) or VIEW merino-crew-sweater (View details).",
      ].join("\n"),
    );
    expect(out.contentType).toBe("text/plain; charset=utf-8");
    expect(out.manifest.actions).toEqual([
      {
        key: "add_to_cart",
        input: { sku: "MER-CRE-SWE-S-NAVY" },
        label: "Add to cart",
        control: { kind: "keyword", text: "ADD MER-CRE-SWE-S-NAVY" },
      },
      {
        key: "view_product",
        input: { slug: "merino-crew-sweater" },
        label: "View details",
        control: { kind: "keyword", text: "VIEW merino-crew-sweater" },
      },
    ]);
    expect(out.manifest.degradations).toEqual([]);
  });

  it("shows a promotion's short form and adds the facts it does not carry (the end date), in the locale's words", async () => {
    const en = render(await demo.message("winter_sale", "sms", "en"));
    expect(en.body).toBe("WINTER20: 20% off knitwear until 6 Jan\nJanuary 6, 2027\nhttps://shop.example/messages/winter_sale");
    const fr = render(await demo.message("winter_sale", "sms", "fr"));
    expect(fr.body).toBe("WINTER20 : 20 % sur la maille jusqu'au 6 janv.\n6 janvier 2027\nhttps://shop.example/messages/winter_sale");
  });

  it("keeps every demo product and message, in both locales, within the segment budget with every fact and action (Twilio's count)", async () => {
    const pages = pagesOf({ products: new Set(), messages: new Set(), categories: new Set() });
    const slugs = (demo.db.client.prepare("SELECT slug FROM published_products ORDER BY slug").all() as { slug: string }[]).map(
      (r) => r.slug,
    );
    const keys = (demo.db.client.prepare("SELECT key FROM published_messages ORDER BY key").all() as { key: string }[]).map((r) => r.key);
    expect(slugs.length).toBeGreaterThanOrEqual(30);
    for (const locale of ["en", "fr"]) {
      const actions = await demo.actions(locale);
      const ctx = { baseUrl: BASE_URL, actions, pageExists: (path: string) => pages(path) || /^\/(products|messages)\//.test(path) };
      for (const slug of slugs) {
        const view = await demo.product(slug, "sms", locale);
        const { violations, rendered } = checkChannel(smsRenderer, view, { type: "product", key: slug }, ctx);
        expect(violations, `${slug} ${locale}`).toEqual([]);
        expect(new SegmentedMessage(rendered[0]!.body).segmentsCount).toBeLessThanOrEqual(SMS_SEGMENT_BUDGET);
      }
      for (const key of keys) {
        const view = await demo.message(key, "sms", locale);
        expect(checkChannel(smsRenderer, view, { type: "message", key }, ctx).violations, `${key} ${locale}`).toEqual([]);
      }
    }
  });

  it("sends catalogue markup, quotes, emoji and RTL text as plain text, removes control characters, and switches to UCS-2", async () => {
    const hostile = '<script>alert(1)</script> & "q" 👍🏽 עברית\u0007\u001b';
    const out = render(withText(await demo.product("enamel-mug", "sms"), hostile, "Short."));
    expect(out.body.split("\n")[0]).toBe('<script>alert(1)</script> & "q" 👍🏽 עברית - €15.00 - In stock');
    expect(new SegmentedMessage(out.body).encodingName).toBe("UCS-2");
    const seen = smsRenderer.inspect(out.body, { format: "text", baseUrl: BASE_URL, actions: await demo.actions() });
    expect(seen.text).toContain("<script>alert(1)</script>");
    expect(seen.limits).toEqual([]);
  });

  it("degrades in order — summary, then labels, then a cut — and reports each step", async () => {
    const view = await demo.product("merino-crew-sweater", "sms");
    const longSummary = render(withText(view, view.title, "Soft. ".repeat(60)));
    expect(longSummary.manifest.degradations.map((d) => d.detail)).toEqual(["Summary left out to stay within 3 segments."]);
    expect(longSummary.body).not.toContain("Soft.");

    const longTitle = render(withText(view, "Merino ".repeat(45).trim(), "Soft."));
    expect(longTitle.manifest.degradations.map((d) => d.detail)).toEqual([
      "Summary left out to stay within 3 segments.",
      "Action labels left out; the keywords stay.",
    ]);
    expect(longTitle.body).toContain("Reply ADD MER-CRE-SWE-S-NAVY or VIEW merino-crew-sweater.");
    expect(new SegmentedMessage(longTitle.body).segmentsCount).toBe(3);

    const huge = render(withText(view, "Merino ".repeat(80).trim(), "Soft."));
    expect(huge.manifest.degradations.at(-1)).toEqual({ rule: "sms.segments", detail: "Cut to 3 segments." });
    expect(huge.body.endsWith("...")).toBe(true);
    expect(new SegmentedMessage(huge.body).segmentsCount).toBe(3);
  });

  it("inspect decodes only catalogue keywords with their argument, and reports a body over Twilio's 1,600 characters", async () => {
    const actions = await demo.actions();
    const seen = smsRenderer.inspect("Reply ADD SKU-1 or CART, or NOTAKEYWORD X. See https://shop.example/cart.", {
      format: "text",
      baseUrl: BASE_URL,
      actions,
    });
    expect(seen.controls.map((c) => c.decoded)).toEqual([
      { key: "add_to_cart", input: { sku: "SKU-1" } },
      { key: "view_cart", input: {} },
    ]);
    expect(seen.links).toEqual(["https://shop.example/cart"]);
    const long = smsRenderer.inspect("a".repeat(1601), { format: "text", baseUrl: BASE_URL, actions });
    expect(long.limits.map((l) => l.rule)).toEqual(["sms.segments", "sms.body.max"]);
  });
});
