/**
 * One codec, and the engine against mutated outputs, by property-based tests
 * (fast-check). Whatever a view model offers — any valid SKU, slug or order
 * argument, built-in or new action — the inbound decoders read back the same
 * action and arguments, and the audit (which reads bodies with those very
 * decoders) agrees. Then every renderer's real output has one claim removed
 * or altered, and the engine must catch each mutation.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import type { ActionView } from "../../src/catalogue/actions";
import { CHANNELS } from "../../src/catalogue/documents";
import { decodePostback, parseSms } from "../../src/channels/commands";
import { decodesTo, type EntityView, linksIn, type Renderer } from "../../src/channels/contract";
import { keywordControls } from "../../src/channels/keywords";
import { offer } from "../../src/channels/views";
import { claimKey, claimsIn } from "../../src/consistency/claims";
import { type CheckContext, checkChannel, pagesOf } from "../../src/consistency/engine";
import { BASE_URL, type Demo, loadDemo } from "../helpers/demo";

const SKU = fc.stringMatching(/^[A-Z0-9][A-Z0-9-]{0,63}$/);
const SLUG = fc
  .array(fc.stringMatching(/^[a-z0-9]{1,12}$/), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join("-").slice(0, 100).replace(/-+$/, ""))
  .filter((s) => /^[a-z0-9]+(-[a-z0-9]+)*$/.test(s));
const ORDER = fc.stringMatching(/^UN-[A-Z0-9]{8}$/);

function action(key: string, keyword: string, appliesTo: ActionView["appliesTo"]): ActionView {
  return { key, locale: "en", label: key, confirmation: "", appliesTo, enabled: true, keyword, revision: 1, publishedAt: "x" };
}

const CATALOGUE = [
  action("add_to_cart", "ADD", ["product"]),
  action("view_product", "VIEW", ["product"]),
  action("notify_back_in_stock", "NOTIFY", ["product"]),
  action("cancel_order", "CANCELORDER", ["order"]),
  action("gift_wrap", "GIFT", ["product"]),
  action("track_parcel", "TRACK", ["order"]),
];

/** The offers a view model makes of each action for an argument (views.ts `offer`). */
function offersFor(sku: string, slug: string, order: string) {
  const of = (key: string, input: Record<string, string>) =>
    offer({ view: CATALOGUE.find((a) => a.key === key)!, overrides: [] }, "sms", input, BASE_URL);
  return [
    of("add_to_cart", { sku }),
    of("view_product", { slug }),
    of("notify_back_in_stock", { sku }),
    of("cancel_order", { orderNumber: order }),
    of("gift_wrap", { slug }),
    of("track_parcel", { orderNumber: order }),
  ];
}

describe("one codec: what a renderer encodes, inbound decodes, and the audit agrees", () => {
  it("decodes every offer's SMS command, postback and written command back to the same action and arguments", () => {
    fc.assert(
      fc.property(SKU, SLUG, ORDER, (sku, slug, order) => {
        for (const o of offersFor(sku, slug, order)) {
          const sms = parseSms(o.command, CATALOGUE);
          expect(sms.kind === "action" && decodesTo(sms, o), `${o.command}`).toBe(true);
          const postback = decodePostback(o.postback, CATALOGUE);
          expect(postback.kind === "action" && decodesTo(postback, o), o.postback).toBe(true);
          // The audit reads the command back out of a sentence, as SMS and chat fallbacks write it.
          const seen = keywordControls(`Reply ${o.command} (${o.label}), or CART.`, CATALOGUE);
          expect(
            seen.some((c) => decodesTo(c.decoded, o)),
            o.command,
          ).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("finds a link with balanced parentheses, without a scheme, or in capitals, and leaves sentence punctuation out", () => {
    expect(linksIn("See https://en.wikipedia.org/wiki/Fjord_(geography).")).toEqual(["https://en.wikipedia.org/wiki/Fjord_(geography)"]);
    expect(linksIn("(see https://shop.example/a)")).toEqual(["https://shop.example/a"]);
    expect(linksIn("Deals: www.Fjord-Deals.example/tent, today")).toEqual(["https://www.fjord-deals.example/tent"]);
    expect(linksIn("HTTPS://SHOP.example/Tent")).toEqual(["https://shop.example/Tent"]);
    expect(linksIn("Node.js and 1/6/2027 are not links")).toEqual([]);
  });
});

describe("claims are whole tokens", () => {
  it("reads 120% as 120, 16 January 2027 as the 16th, SALE not in Wholesale, and money in any notation as one amount", () => {
    const keys = (text: string, locale = "en") => claimsIn(text, [locale]).map(claimKey);
    expect(keys("120% wool")).toEqual(["percent:120"]);
    expect(keys("until 16 January 2027")).toEqual(["date:2027-01-16"]);
    expect(keys("Wholesale prices")).toEqual([]);
    expect(keys("€89.00 · 89,00 € · EUR 89 · 89 EUR")).toEqual(Array(4).fill("money:EUR 89"));
    expect(keys("1\u202f234,50\u00a0€", "fr")).toEqual(["money:EUR 1234.5"]);
    expect(keys("use code sale20 or WINTER20")).toEqual(["code:WINTER20", "code:sale20"]);
    expect(keys("Sorry, this tent is out of stock.")).toEqual(["availability:out_of_stock"]);
  });
});

describe("mutation testing: each renderer's real output with one claim removed or altered", () => {
  let demo: Demo;
  const targets: { renderer: Renderer; format: string; view: EntityView; ctx: CheckContext; what: string }[] = [];

  beforeAll(async () => {
    demo = await loadDemo();
    const live = { products: new Set<string>(), messages: new Set<string>(), categories: new Set<string>() };
    const pageExists = pagesOf(live);
    for (const locale of ["en", "fr"]) {
      const actions = await demo.actions(locale);
      for (const channel of CHANNELS) {
        const views: [string, EntityView][] = [
          ["merino-crew-sweater", await demo.product("merino-crew-sweater", channel, locale)],
          ["two-person-tent", await demo.product("two-person-tent", channel, locale)],
          ["winter_sale", await demo.message("winter_sale", channel, locale)],
          ["free_shipping", await demo.message("free_shipping", channel, locale)],
        ];
        for (const [key, view] of views) {
          if (view.kind === "product") live.products.add(key);
          else live.messages.add(key);
          for (const format of renderers[channel].formats) {
            targets.push({
              renderer: renderers[channel],
              format,
              view,
              ctx: { baseUrl: BASE_URL, actions, pageExists },
              what: `${key} ${channel}/${format}/${locale}`,
            });
          }
        }
      }
    }
  });

  /** The body with `change` applied, through a renderer whose manifest still claims everything. */
  const tampered = (renderer: Renderer, change: (body: string) => string): Renderer => ({
    ...renderer,
    render: (view, options) => {
      const out = renderer.render(view, options);
      return { ...out, body: change(out.body) };
    },
  });

  it("catches 100% of mutations: every fact removed, and one occurrence of a price, percentage, date or code altered", () => {
    let tried = 0;
    let caught = 0;
    const missed: string[] = [];
    const attempt = (t: (typeof targets)[number], label: string, change: (body: string) => string) => {
      const entity = { type: t.view.kind === "product" ? ("product" as const) : ("message" as const), key: "x" };
      const before = checkChannel(t.renderer, t.view, entity, t.ctx, [t.format]).violations.length;
      expect(before, t.what).toBe(0);
      const after = checkChannel(tampered(t.renderer, change), t.view, entity, t.ctx, [t.format]).violations.length;
      tried++;
      if (after > 0) caught++;
      else missed.push(`${t.what}: ${label}`);
    };
    fc.assert(
      fc.property(fc.constantFrom(...targets), fc.nat(), (t, pick) => {
        const body = t.renderer.render(t.view, { baseUrl: BASE_URL, format: t.format }).body;
        const canonical = new Set(t.view.canonical ?? []);
        for (const fact of t.view.facts) {
          const forms = [fact.value, ...(fact.alternatives ?? [])].filter((f) => body.includes(f));
          if (!forms.length) continue;
          // Removed: no form of the fact is left anywhere in the body.
          const anySpace = (f: string) =>
            new RegExp(f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/[\s\u00a0\u202f]/g, "[\\s\\u00a0\\u202f]"), "g");
          attempt(t, `removed ${fact.name} "${fact.value}"`, (b) => forms.reduce((out, f) => out.replace(anySpace(f), ""), b));
          // Altered: one occurrence of one form gets another number, which the canonical content does not claim.
          const form = forms[pick % forms.length]!;
          const altered = form.replace(/\d/, (d) => String((Number(d) + 3) % 10));
          if (altered === form || claimsIn(altered, [t.view.locale]).every((c) => canonical.has(claimKey(c)))) continue;
          const count = body.split(form).length - 1;
          const at = pick % count;
          attempt(t, `altered ${fact.name} "${form}" → "${altered}" (occurrence ${at + 1})`, (b) => {
            const parts = b.split(form);
            return parts.map((p, i) => (i === 0 ? p : (i === at + 1 ? altered : form) + p)).join("");
          });
          // A code in another case is another code.
          if (fact.name === "code") attempt(t, `lower-cased code ${fact.value}`, (b) => b.split(fact.value).join(fact.value.toLowerCase()));
        }
      }),
      { numRuns: targets.length * 3 },
    );
    console.log(`mutation testing: caught ${caught}/${tried} (${((100 * caught) / tried).toFixed(1)}%)`);
    expect(missed).toEqual([]);
    expect(tried).toBeGreaterThan(200);
  });
});
