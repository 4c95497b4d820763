/**
 * Test support for the chat renderer: views of every kind built with the real
 * builders (src/channels/views.ts) from the demo catalogue, a check of the
 * consistency engine's four requirements, and helpers to render and inspect.
 * Imported by the tests only (the demo database runs on better-sqlite3).
 */
import { listDeliveryOptions } from "../../src/catalogue/delivery";
import { listLiveMessages } from "../../src/catalogue/messages";
import { findLiveProduct, inventoryFor, listLiveProducts, productView, stockLevels } from "../../src/catalogue/products";
import type { ActionOffer, EntityView, Inspection, Rendered } from "../../src/channels/contract";
import { decodesTo, showsFact } from "../../src/channels/contract";
import { catalogueActions } from "../../src/channels/load";
import {
  actionResultRenderView,
  type CatalogueAction,
  cartRenderView,
  orderRenderView,
  productListRenderView,
} from "../../src/channels/views";
import { BASE_URL, type Demo } from "../../test/helpers/demo";
import { demoCart, demoOrder } from "../../test/helpers/views";
import { chatRenderer } from "./index";

export { BASE_URL };

/** Every published demo product's slug, sorted. */
export async function productSlugs(demo: Demo): Promise<string[]> {
  return (await listLiveProducts(demo.db, { limit: 100 })).items.map((p) => p.doc.slug).sort();
}

/** Every published demo message's key, sorted (inactive ones too: they still render in preview). */
export async function messageKeys(demo: Demo): Promise<string[]> {
  return (await listLiveMessages(demo.db, { limit: 100, includeInactive: true }, demo.now)).items.map((m) => m.doc.key).sort();
}

async function actionsOf(demo: Demo, locale: string): Promise<CatalogueAction[]> {
  return catalogueActions(demo.db, await demo.ctx(locale));
}

/** A catalogue page of the given products, through the real list builder. */
export async function listView(demo: Demo, slugs: readonly string[], locale = "en", nextUrl: string | null = null) {
  const ctx = await demo.ctx(locale);
  const products = [];
  for (const slug of slugs) {
    const live = await findLiveProduct(demo.db, slug);
    if (!live) throw new Error(`no live product ${slug}`);
    products.push({ doc: live.doc, view: productView(live.doc, stockLevels(await inventoryFor(demo.db, [live.entryId])), live, ctx) });
  }
  return productListRenderView(products, await actionsOf(demo, locale), "chat", {
    locale,
    url: `${BASE_URL}/products`,
    category: null,
    nextUrl,
  });
}

/** The shared test cart (two lines, one of whose prices changed), as chat renders it. */
export async function cartView(demo: Demo, locale = "en") {
  return cartRenderView(
    demoCart(locale),
    await actionsOf(demo, locale),
    "chat",
    locale,
    BASE_URL,
    await listDeliveryOptions(demo.db, locale),
  );
}

/** The shared test order, as chat renders it. */
export async function orderView(demo: Demo, locale = "en") {
  return orderRenderView(demoOrder(locale), await actionsOf(demo, locale), "chat", locale, BASE_URL);
}

/** The reply to an action, offering `next` (a given number of offers, for the limits tests). */
export function resultView(next: ActionOffer[], locale = "en") {
  return actionResultRenderView({
    action: "add_to_cart",
    title: "Added to your cart",
    text: "Merino crew sweater (M / Oat) is in your cart.",
    ok: true,
    locale,
    url: `${BASE_URL}/cart`,
    facts: [{ name: "title", value: "Merino crew sweater (M / Oat)" }],
    next,
  });
}

/** `n` distinct offers: each demo product's own offers, in catalogue order, labelled distinctly ("View details #3"). */
export async function offers(demo: Demo, n: number, locale = "en"): Promise<ActionOffer[]> {
  const out: ActionOffer[] = [];
  for (const slug of await productSlugs(demo)) {
    if (out.length >= n) break;
    out.push(...(await demo.product(slug, "chat", locale)).actions);
  }
  return out.slice(0, n).map((o, i) => relabel(o, `${o.label} #${i + 1}`));
}

/** An offer with a given label (and optionally postback), the rest copied from `base`. */
export function relabel(base: ActionOffer, label: string, postback = base.postback): ActionOffer {
  return { ...base, label, postback };
}

/** Renders a view and inspects the body, as the consistency engine does. */
export function roundTrip(view: EntityView, format: string, actions: Parameters<typeof chatRenderer.inspect>[1]["actions"]) {
  const out: Rendered = chatRenderer.render(view, { baseUrl: BASE_URL, format });
  const seen: Inspection = chatRenderer.inspect(out.body, { format, baseUrl: BASE_URL, actions });
  return { out, seen };
}

/**
 * What the consistency engine would object to, as readable lines: facts not
 * shown, actions without a decoding control, limits broken, foreign links.
 */
export function problems(view: EntityView, seen: Inspection, mediaUrls: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const fact of view.facts)
    if (!showsFact(seen.text, fact, chatRenderer.normalizeFact)) out.push(`fact ${fact.name} "${fact.value}" not shown`);
  for (const offer of view.actions) {
    if (!seen.controls.some((c) => decodesTo(c.decoded, offer))) out.push(`action ${offer.postback} has no control`);
  }
  for (const limit of seen.limits) out.push(`limit ${limit.rule}: ${limit.detail}`);
  for (const link of seen.links) if (!link.startsWith(BASE_URL) && !mediaUrls.includes(link)) out.push(`foreign link ${link}`);
  return out;
}
