/**
 * Render, preview and audit handlers: thin — read the catalogue, build the
 * view once, render through the registry (cached), respond.
 */
import type { Context } from "hono";
import type { Channel } from "../../catalogue/documents";
import { getEntry } from "../../catalogue/entries";
import { liveMessageOnce } from "../../catalogue/messages";
import { findLiveProduct } from "../../catalogue/products";
import { renderBodyComponents } from "../../channels/bodies";
import type { EntityView, Renderer } from "../../channels/contract";
import { catalogueActions, messageForChannel, messageSource, prefetchActions, productForDisplay, productSource } from "../../channels/load";
import { storedProductPage } from "../../channels/pages";
import type { ProductPageParts, ProductPages } from "../../channels/site";
import { auditCatalogue } from "../../consistency/audit";
import { renderCached } from "../../consistency/cache";
import type { Registry } from "../../consistency/engine";
import { auditDocument } from "../../consistency/gate";
import { memoized, prefetch, sharedRead } from "../../db/client";
import type { AppEnv } from "../../lib/context";
import type { Router } from "../../lib/create-router";
import { ApiError, validationError } from "../../lib/errors";
import { matchesIfNoneMatch, strongEtag } from "../../lib/etag";
import { cacheHeaders, viewContext } from "../delivery/delivery.index";
import { consistencyReport, previewMessage, previewProduct, renderMessage, renderProduct } from "./render.routes";

/** The renderer for a channel and a format it supports (a format of another channel is a 400 on `format`). */
function rendererFor(c: Context<AppEnv>, channel: Channel, format: string | undefined) {
  const renderer = c.get("renderers")[channel];
  if (format !== undefined && !renderer.formats.includes(format)) {
    throw validationError(
      [{ code: "custom", path: ["format"], message: `The ${channel} channel renders ${renderer.formats.join(", ")}.`, input: format }],
      "query",
    );
  }
  return renderer;
}

/** What a render endpoint sends: the body, its strong tag, and how many degradations the render reported. */
interface Output {
  body: string;
  contentType: string;
  etag: string;
  degradations: number;
}

/** `renderCached`, as sent. */
function renderOutput(
  renderer: Renderer,
  view: EntityView,
  options: { baseUrl: string; format?: string | undefined },
  c: Context<AppEnv>,
): Output {
  const out = renderCached(renderer, view, options, c.get("renderCache"));
  return { body: out.body, contentType: out.contentType, etag: out.etag, degradations: out.manifest.degradations.length };
}

function respondRendered(c: Context<AppEnv>, renderer: Renderer, view: EntityView, format: string | undefined, locale: string) {
  return respondOutput(c, renderOutput(renderer, view, { baseUrl: c.get("config").PUBLIC_BASE_URL, format }, c), locale);
}

function respondOutput(c: Context<AppEnv>, out: Output, locale: string) {
  cacheHeaders(c, locale);
  c.header("etag", out.etag);
  if (matchesIfNoneMatch(c.req.header("if-none-match"), out.etag)) return c.body(null, 304);
  c.header("content-type", out.contentType);
  c.header("x-unison-degradations", String(out.degradations));
  return c.body(out.body, 200);
}

/** A product's web render from its stored parts: what `renderOutput` gives for the view they were cut from. */
function composedRender(pages: ProductPages, parts: ProductPageParts, baseUrl: string): Output {
  const body = pages.compose(parts, { baseUrl });
  return { body, contentType: pages.contentType, etag: strongEtag(body), degradations: parts.degradations };
}

export function registerRenderRoutes(app: Router, registry: Registry) {
  // RenderBody's oneOf names these components; registered so the document holds them.
  for (const [name, schema] of renderBodyComponents(registry)) app.openAPIRegistry.register(name, schema);
  app.openapi(renderProduct, async (c) => {
    const { channel, slug } = c.req.valid("param");
    const { locale, format } = c.req.valid("query");
    // The format is checked before any read: a wrong one is a 400 whatever the slug.
    const renderer = rendererFor(c, channel, format);
    const db = c.get("db");
    // A web page from its stored parts (src/channels/pages.ts) in the frame a render without chrome draws.
    const pages = channel === "web" && (format ?? renderer.formats[0]) === renderer.formats[0] ? renderer.site?.productPages : undefined;
    const liveProduct = () => sharedRead(db, `live-product|${slug}`, () => findLiveProduct(db, slug));
    // Where each read is a round trip (D1), what does not depend on the locale goes out with the locales: the live
    // actions' stamp (and, on a cold isolate, the actions), and the product's row unless a stored page will likely
    // spare it.
    prefetchActions(db);
    if (!pages) prefetch(db, liveProduct);
    const ctx = await viewContext(c, locale);
    const baseUrl = c.get("config").PUBLIC_BASE_URL;
    const render = async () => {
      const stored = pages ? await storedProductPage(db, slug, ctx, pages) : null;
      if (pages && stored) return composedRender(pages, stored, baseUrl);
      const live = await liveProduct();
      if (!live) return null;
      const view = productForDisplay(productSource(live.doc, live.stock, live, ctx, await catalogueActions(db, ctx)), channel);
      return renderOutput(renderer, view, { baseUrl, format }, c);
    };
    // As `GET /v1/products/{slug}` does: the render is remembered until the database changes when the response
    // cache does not keep it (it is off, or the request carries a key: a chat bot's or an SMS gateway's).
    const out = c.get("answerCached")
      ? await render()
      : await memoized(db, `render|${channel}|${format ?? ""}|${ctx.locale}|${baseUrl}|${slug}`, render);
    if (!out) throw new ApiError("not_found", `No published product with slug "${slug}".`);
    return respondOutput(c, out, ctx.locale);
  });

  app.openapi(renderMessage, async (c) => {
    const { channel, key } = c.req.valid("param");
    const { locale, format } = c.req.valid("query");
    const renderer = rendererFor(c, channel, format);
    const db = c.get("db");
    // The message does not depend on the locale: where each read is a round trip (D1), it goes out with them.
    prefetch(db, () => liveMessageOnce(db, key));
    const ctx = await viewContext(c, locale);
    const live = await liveMessageOnce(db, key);
    if (!live) throw new ApiError("not_found", `No published message with key "${key}".`);
    const view = messageForChannel(messageSource(live.doc, live, ctx, c.get("clock")()), channel);
    return respondRendered(c, renderer, view, format, ctx.locale);
  });

  for (const [route, type] of [
    [previewProduct, "product"],
    [previewMessage, "message"],
  ] as const) {
    app.openapi(route, async (c) => {
      const params = c.req.valid("param") as { slug?: string; key?: string };
      const db = c.get("db");
      const entry = await getEntry(db, type, params.slug ?? params.key ?? "");
      const audit = await auditDocument(
        db,
        { type, entryId: entry.id, doc: JSON.parse(entry.draft), now: c.get("clock")(), revision: entry.lastRevisionNumber + 1 },
        { registry: c.get("renderers"), baseUrl: c.get("config").PUBLIC_BASE_URL, cache: c.get("renderCache"), withRenders: true },
      );
      c.header("cache-control", "private, no-store");
      return c.json(
        {
          entity: { type, key: entry.key, version: entry.version, status: entry.status },
          verdict: { ok: audit.violations.length === 0, violations: audit.violations },
          renders: audit.renders.map((r) => ({
            channel: r.channel,
            format: r.format,
            locale: r.locale,
            contentType: r.contentType,
            body: r.body,
            manifest: r.manifest,
          })),
        },
        200,
      );
    });
  }

  app.openapi(consistencyReport, async (c) => {
    const { channel, rule } = c.req.valid("query");
    const report = await auditCatalogue(
      c.get("db"),
      {
        registry: c.get("renderers"),
        baseUrl: c.get("config").PUBLIC_BASE_URL,
        now: c.get("clock")(),
        cache: c.get("renderCache"),
        channels: channel ? [channel] : undefined,
      },
      { rule },
    );
    c.header("cache-control", "private, no-cache");
    return c.json(report, 200);
  });
}
