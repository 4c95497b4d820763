/**
 * The cart's delivery options are claims every channel showing a cart makes: each option's name, its
 * price on this cart and its lead time (name and price on SMS), and — where a channel can place the
 * order without an address — the pick-up option as a control that decodes to `checkout` with it. A
 * renderer that drops an option, changes its price or loses the pick-up control is caught.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import { listDeliveryOptions } from "../../src/catalogue/delivery";
import type { Channel } from "../../src/catalogue/documents";
import type { CartRenderView, Renderer } from "../../src/channels/contract";
import { catalogueActions } from "../../src/channels/load";
import { cartRenderView } from "../../src/channels/views";
import { type CheckContext, checkChannel, pagesOf } from "../../src/consistency/engine";
import { BASE_URL, type Demo, loadDemo } from "../helpers/demo";
import { demoCart } from "../helpers/views";

let demo: Demo;
let ctx: CheckContext;
const entity = { type: "action" as const, key: "checkout" };
const CHANNELS = Object.keys(renderers) as Channel[];

beforeAll(async () => {
  demo = await loadDemo();
  ctx = {
    baseUrl: BASE_URL,
    actions: await demo.actions("en"),
    pageExists: pagesOf({ products: new Set(["merino-crew-sweater", "enamel-mug"]), messages: new Set(), categories: new Set() }),
  };
});

async function cart(channel: Channel, locale = "en"): Promise<CartRenderView> {
  const actions = await catalogueActions(demo.db, await demo.ctx(locale));
  return cartRenderView(demoCart(locale), actions, channel, locale, BASE_URL, await listDeliveryOptions(demo.db, locale));
}

/** A channel's renderer with its body rewritten after rendering (its manifest still claims everything). */
function tampered(renderer: Renderer, rewrite: (body: string) => string): Renderer {
  return {
    ...renderer,
    render: (view, options) => ({ ...renderer.render(view, options), body: rewrite(renderer.render(view, options).body) }),
  };
}

describe("delivery options in the audit of a cart", () => {
  it("every channel states every option with its price and offers pick-up as a checkout control: no violations", async () => {
    for (const channel of CHANNELS) {
      const view = await cart(channel);
      expect(
        view.delivery.map((d) => d.key),
        channel,
      ).toEqual(["standard", "express", "pickup"]);
      const facts = view.facts.filter((f) => f.name === "delivery").map((f) => f.value);
      // Standard delivery is free on this €196.00 cart (free over €75.00): the price is the cart's, not the list price.
      expect(facts[0], channel).toMatch(/^Standard delivery:? €0\.00/);
      expect(facts, channel).toHaveLength(3);
      expect(checkChannel(renderers[channel], view, entity, ctx).violations, channel).toEqual([]);
    }
  });

  it("offers pick-up as a direct checkout everywhere but the web, whose checkout asks address and option", async () => {
    for (const channel of CHANNELS) {
      const offers = (await cart(channel)).actions.filter((a) => a.key === "checkout").map((a) => a.input);
      expect(offers, channel).toEqual(channel === "web" ? [{}] : [{}, { deliveryOption: "pickup" }]);
    }
  });

  it("catches a channel that drops an option", async () => {
    for (const channel of CHANNELS) {
      const broken = tampered(renderers[channel], (body) => body.replaceAll("Express delivery", "Delivery"));
      const violations = checkChannel(broken, await cart(channel), entity, ctx).violations;
      expect(violations.length, channel).toBeGreaterThan(0);
      expect(
        violations.every((v) => v.rule === "fact_missing" && v.detail.includes("Express delivery")),
        channel,
      ).toBe(true);
    }
  });

  it("catches a channel that changes an option's price", async () => {
    for (const channel of CHANNELS) {
      const broken = tampered(renderers[channel], (body) => body.replaceAll("€12.90", "€9.90"));
      const violations = checkChannel(broken, await cart(channel), entity, ctx).violations;
      expect(violations.length, channel).toBeGreaterThan(0);
      expect(
        violations.every((v) => v.rule === "fact_missing" && v.detail.includes("€12.90")),
        channel,
      ).toBe(true);
    }
  });

  it("catches an SMS and a chat reply that lose the pick-up control", async () => {
    const sms = tampered(renderers.sms, (body) => body.replace("BUY pickup", "BUY"));
    expect(checkChannel(sms, await cart("sms"), entity, ctx).violations).toEqual([
      expect.objectContaining({ rule: "action_missing", detail: expect.stringContaining("deliveryOption=pickup") }),
    ]);
    const chat = tampered(renderers.chat, (body) => body.replaceAll("a:checkout:pickup", "a:checkout"));
    const rules = checkChannel(chat, await cart("chat"), entity, ctx).violations.map((v) => v.rule);
    expect(rules).toContain("action_missing");
  });
});
