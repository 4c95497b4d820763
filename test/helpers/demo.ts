/**
 * The demo store (content/) in a fresh in-memory database, and the render
 * views of its entities: what renderer and consistency tests project.
 */
import { fileURLToPath } from "node:url";
import type { ActionView } from "../../src/catalogue/actions";
import { findLiveAction } from "../../src/catalogue/actions";
import { importContent } from "../../src/catalogue/content";
import type { Channel } from "../../src/catalogue/documents";
import { fallbackChain, loadLocales } from "../../src/catalogue/locales";
import { findLiveMessage } from "../../src/catalogue/messages";
import { findLiveProduct, inventoryFor, stockLevels, type ViewContext } from "../../src/catalogue/products";
import type { MessageRenderView, ProductRenderView } from "../../src/channels/contract";
import {
  catalogueActions,
  messageForChannel,
  messageSource,
  type ProductSource,
  productForChannel,
  productSource,
} from "../../src/channels/load";
import { readContentDir } from "../../src/cli/content-files";
import type { SqliteDatabase } from "../../src/node/sqlite";
import { freshDb } from "./db";

export const CONTENT_DIR = fileURLToPath(new URL("../../content", import.meta.url));
export const BASE_URL = "https://shop.example";
export const DEMO_NOW = new Date("2026-11-24T12:00:00Z");

export interface Demo {
  db: SqliteDatabase;
  now: Date;
  ctx(locale: string): Promise<ViewContext>;
  /** What a product's channel views are built from (`productForChannel`, `productForDisplay`). */
  source(slug: string, locale?: string): Promise<ProductSource>;
  product(slug: string, channel: Channel, locale?: string): Promise<ProductRenderView>;
  message(key: string, channel: Channel, locale?: string): Promise<MessageRenderView>;
  /** The live action catalogue in a locale (what inspection decodes keywords against). */
  actions(locale?: string): Promise<ActionView[]>;
}

/** Imports content/ into a fresh database (published), once per call. */
export async function loadDemo(now = DEMO_NOW): Promise<Demo> {
  const db = await freshDb(now);
  const report = await importContent(db, await readContentDir(CONTENT_DIR), { keyId: null, now });
  if (report.problems.length) throw new Error(`demo content does not import: ${JSON.stringify(report.problems.slice(0, 3))}`);
  const ctx = async (locale: string): Promise<ViewContext> => {
    const locales = await loadLocales(db);
    return { locales, locale, chain: fallbackChain(locales, locale), baseUrl: BASE_URL };
  };
  const source = async (slug: string, locale = "en"): Promise<ProductSource> => {
    const view = await ctx(locale);
    const live = await findLiveProduct(db, slug);
    if (!live) throw new Error(`no live product ${slug}`);
    const stock = stockLevels(await inventoryFor(db, [live.entryId]));
    return productSource(live.doc, stock, live, view, await catalogueActions(db, view));
  };
  return {
    db,
    now,
    ctx,
    source,
    async product(slug, channel, locale = "en") {
      return productForChannel(await source(slug, locale), channel);
    },
    async message(key, channel, locale = "en") {
      const view = await ctx(locale);
      const live = await findLiveMessage(db, key);
      if (!live) throw new Error(`no live message ${key}`);
      return messageForChannel(messageSource(live.doc, live, view, now), channel);
    },
    async actions(locale = "en") {
      return (await catalogueActions(db, await ctx(locale))).map((a) => a.view);
    },
  };
}

export { findLiveAction };
