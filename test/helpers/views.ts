/**
 * Test helper: every view kind built the way delivery builds it (the builders
 * of src/channels/views.ts over the demo catalogue), for the renderer tests.
 */

import { listDeliveryOptions } from "../../src/catalogue/delivery";
import { money } from "../../src/catalogue/money";
import { findLiveProduct, inventoryFor, stockLevels } from "../../src/catalogue/products";
import type { EntityView } from "../../src/channels/contract";
import { catalogueActions, productSource } from "../../src/channels/load";
import { actionResultRenderView, cartRenderView, orderRenderView, productListRenderView } from "../../src/channels/views";
import type { CartView } from "../../src/journeys/carts";
import type { OrderView } from "../../src/journeys/orders";
import { BASE_URL, type Demo } from "./demo";

const SLUGS = ["merino-crew-sweater", "enamel-mug", "trail-boots"];

/** A cart of two lines, one whose price has changed since it was added. */
export function demoCart(locale: string): CartView {
  const m = (amount: number) => money(amount, "EUR", locale);
  const line = (sku: string, product: string, title: string, quantity: number, unit: number, current: number) => ({
    sku,
    product,
    url: `${BASE_URL}/products/${product}`,
    title,
    quantity,
    unitPrice: m(unit),
    lineTotal: m(unit * quantity),
    currentPrice: m(current),
    priceChanged: unit !== current,
    availability: "in_stock" as const,
    addedAt: "2026-11-24T10:00:00.000Z",
  });
  return {
    id: "cart_1",
    customer: "cus_1",
    version: 3,
    lines: [
      line("MER-CRE-SWE-S-NAVY", "merino-crew-sweater", "Merino crew sweater (S / Navy)", 2, 8900, 8900),
      line("ENA-MUG", "enamel-mug", "Enamel mug", 1, 1800, 1500),
    ],
    itemCount: 3,
    subtotal: m(19600),
    priceChanges: true,
    updatedAt: "2026-11-24T11:00:00.000Z",
  };
}

/** A placed order of two lines. */
export function demoOrder(locale: string, status: OrderView["status"] = "placed"): OrderView {
  const m = (amount: number) => money(amount, "EUR", locale);
  return {
    number: "UN-K7QM3XZT",
    customer: "cus_1",
    status,
    channel: "mobile",
    placedAt: "2026-11-24T11:30:00.000Z",
    lines: [
      {
        sku: "MER-CRE-SWE-S-NAVY",
        product: "merino-crew-sweater",
        title: "Merino crew sweater",
        quantity: 2,
        unitPrice: m(8900),
        lineTotal: m(17800),
      },
      { sku: "ENA-MUG", product: "enamel-mug", title: "Enamel mug", quantity: 1, unitPrice: m(1800), lineTotal: m(1800) },
    ],
    itemCount: 3,
    subtotal: m(19600),
    delivery: null,
    total: m(19600),
    amountDue: m(19600),
    cancelledAt: null,
    returnRequestedAt: null,
    returnReason: null,
  };
}

/** Live products as the catalogue pages list them: their documents and localized views. */
async function liveProducts(demo: Demo, locale: string) {
  const ctx = await demo.ctx(locale);
  const actions = await catalogueActions(demo.db, ctx);
  return Promise.all(
    SLUGS.map(async (slug) => {
      const live = await findLiveProduct(demo.db, slug);
      if (!live) throw new Error(`no live product ${slug}`);
      return productSource(live.doc, stockLevels(await inventoryFor(demo.db, [live.entryId])), live, ctx, actions);
    }),
  );
}

/** One view of each of the six kinds, in a locale. */
export async function everyKind(demo: Demo, locale: string): Promise<Record<EntityView["kind"], EntityView>> {
  const ctx = await demo.ctx(locale);
  const actions = await catalogueActions(demo.db, ctx);
  const product = await demo.product("merino-crew-sweater", "mobile", locale);
  const cart = cartRenderView(demoCart(locale), actions, "mobile", locale, BASE_URL, await listDeliveryOptions(demo.db, locale));
  return {
    product,
    product_list: productListRenderView(await liveProducts(demo, locale), actions, "mobile", {
      locale,
      url: `${BASE_URL}/products?page=1`,
      category: null,
      nextUrl: `${BASE_URL}/products?page=2`,
    }),
    message: await demo.message("winter_sale", "mobile", locale),
    cart,
    order: orderRenderView(demoOrder(locale), actions, "mobile", locale, BASE_URL),
    action_result: actionResultRenderView({
      action: "add_to_cart",
      title: "Added to your cart.",
      text: `${product.title} — ${product.price}`,
      ok: true,
      locale,
      url: cart.url,
      facts: [{ name: "total", value: cart.subtotal }],
      next: cart.actions.filter((a) => a.key === "checkout"),
    }),
  };
}
