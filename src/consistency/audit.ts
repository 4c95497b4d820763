/**
 * Audits: one entity (the publish gate, preview) or the whole published
 * catalogue (`GET /v1/consistency`, `unison check`), on every channel, format
 * and locale. Each render is checked by the engine; results are cached per
 * view (see `cache.ts`), so an unchanged entity costs a hash, not a render.
 */
import type { ActionView } from "../catalogue/actions";
import { type ActionDoc, CHANNELS, type Channel, type MessageDoc, type Override, type ProductDoc } from "../catalogue/documents";
import { staleOverrides } from "../catalogue/entries";
import { fallbackChain, type LocaleSet, loadLocales, overrideBase } from "../catalogue/locales";
import { listLiveMessages } from "../catalogue/messages";
import { listLiveProducts, type StockLevels, type ViewContext } from "../catalogue/products";
import type { EntityView, Rendered } from "../channels/contract";
import { catalogueActions, messageForChannel, messageSource, productForChannel, productSource } from "../channels/load";
import type { CatalogueAction } from "../channels/views";
import type { Database } from "../db/client";
import { publishedMessages, publishedProductCategories, publishedProducts } from "../db/schema";
import { strongEtag } from "../lib/etag";
import { type RenderCache, renderChecked } from "./cache";
import { claimDifference, claimKeys, namesSameEntity, visibleText } from "./claims";
import { type CheckContext, pagesOf, type Registry, type Rule, type Violation } from "./engine";

export interface AuditEnv {
  registry: Registry;
  baseUrl: string;
  now: Date;
  cache?: RenderCache | undefined;
  /** Only these channels (default: all). */
  channels?: readonly Channel[] | undefined;
}

/** Per-locale inputs every render of an audit shares: computed once per audit, not per entity. */
export interface AuditScope {
  locales: LocaleSet;
  perLocale: { ctx: ViewContext; actions: CatalogueAction[]; actionViews: ActionView[] }[];
  live: { products: Set<string>; messages: Set<string>; categories: Set<string> };
  /** Whether a path is a live page: one predicate per scope, so what it answered is remembered across entities. */
  pageExists: (path: string) => boolean;
  /** Names this scope's live pages and catalogue: cached checks are valid only within the same stamp. */
  stamp: string;
}

export async function auditScope(db: Database, baseUrl: string): Promise<AuditScope> {
  const locales = await loadLocales(db);
  const perLocale = await Promise.all(
    locales.rows.map(async (row) => {
      const ctx: ViewContext = { locales, locale: row.code, chain: fallbackChain(locales, row.code), baseUrl };
      const actions = await catalogueActions(db, ctx);
      return { ctx, actions, actionViews: actions.map((a) => a.view) };
    }),
  );
  const [products, messages, categories] = await Promise.all([
    db.orm.select({ k: publishedProducts.slug }).from(publishedProducts),
    db.orm.select({ k: publishedMessages.key }).from(publishedMessages),
    db.orm.selectDistinct({ k: publishedProductCategories.category }).from(publishedProductCategories),
  ]);
  const live = {
    products: new Set(products.map((r) => r.k)),
    messages: new Set(messages.map((r) => r.k)),
    categories: new Set(categories.map((r) => r.k)),
  };
  const stamp = strongEtag(
    JSON.stringify([[...live.products].sort(), [...live.messages].sort(), [...live.categories].sort(), perLocale.map((p) => p.actions)]),
  );
  return { locales, perLocale, live, pageExists: pagesOf(live), stamp };
}

export interface EntityAudit {
  entity: Violation["entity"];
  violations: Violation[];
  /** Every render, per channel, format and locale (what preview shows side by side). */
  renders: (Rendered & { locale: string })[];
}

type Subject =
  | { type: "product"; doc: ProductDoc; stock: StockLevels; meta: { revision: number; publishedAt: string } }
  | { type: "message"; doc: MessageDoc; meta: { revision: number; publishedAt: string } };

/** Stale overrides are an editorial violation: publishing them would ship text written for an older base. */
function staleViolations(entity: Violation["entity"], doc: ProductDoc | MessageDoc, locales: LocaleSet): Violation[] {
  return staleOverrides(doc as never, locales).map((o) => ({
    entity,
    channel: o.channel,
    format: null,
    locale: o.locale,
    rule: "stale_override" as Rule,
    field: `overrides/${o.channel}/${o.locale}/${o.field}`,
    detail: `The ${o.channel} override of ${o.field} (${o.locale}) was written for "${o.basedOn}"; the base text has changed since. Confirm or reset it.`,
  }));
}

/**
 * Overrides carry their base's claims (content/README.md, "Overrides"): an override of a text field may
 * reword and shorten its base text (in the override's locale, read along the locale chain) but make
 * exactly the same claims — no amount, percentage, date, availability, code or link added, dropped or
 * changed; a title override names the same entity (it keeps base title words and adds none); a label
 * override shows something once invisible characters are removed.
 */
export function overrideViolations(
  entity: Violation["entity"],
  doc: { overrides: readonly Override[] } & Record<string, unknown>,
  locales: LocaleSet,
): Violation[] {
  const out: Violation[] = [];
  for (const o of doc.overrides) {
    const baseText = overrideBase(doc, o.field, locales, o.locale);
    if (baseText === undefined) continue;
    const where = { entity, channel: o.channel, format: null, locale: o.locale, field: `overrides/${o.channel}/${o.locale}/${o.field}` };
    if (o.field === "label" || o.field === "title") {
      if (!visibleText(o.value)) {
        out.push({
          ...where,
          rule: "label_invisible",
          detail: `The ${o.channel} ${o.field} (${o.locale}) shows nothing once invisible characters are removed.`,
        });
        continue;
      }
    }
    // Both read in the override's locale chain: a French override of an English-only base is held to the English text's claims.
    const chain = locales.byCode.has(o.locale) ? fallbackChain(locales, o.locale) : [o.locale];
    const said = claimKeys([o.value], chain);
    const meant = claimKeys([baseText], chain);
    const { added, dropped } = claimDifference(said, meant);
    if (added.length || dropped.length) {
      out.push({
        ...where,
        rule: "override_claims",
        detail: `The ${o.channel} ${o.field} (${o.locale}) must make its base text's claims, no more, no fewer:${added.length ? ` adds ${added.join(", ")}` : ""}${added.length && dropped.length ? ";" : ""}${dropped.length ? ` drops ${dropped.join(", ")}` : ""}.`,
      });
    }
    // A label override is a name too: "Buy for €1", "Return" or "Contact agent" on "Add to cart" is another offer.
    if (((o.field === "title" && entity.type === "product") || o.field === "label") && !namesSameEntity(o.value, baseText)) {
      out.push({
        ...where,
        rule: "override_entity",
        detail: `The ${o.channel} ${o.field} "${o.value}" (${o.locale}) does not name "${baseText}": a ${o.field} override keeps at least half of the base's words and every number, adds no word, symbol or mark.`,
      });
    }
  }
  return out;
}

/** An action's labels (base and overrides) must each show something: a button without a visible name is no control. */
export function labelViolations(doc: Pick<ActionDoc, "key" | "label" | "overrides">, locales: LocaleSet): Violation[] {
  const entity = { type: "action" as const, key: doc.key };
  const out: Violation[] = [];
  for (const [locale, label] of Object.entries(doc.label)) {
    if (!visibleText(label)) {
      out.push({
        entity,
        channel: null,
        format: null,
        locale,
        field: "label",
        rule: "label_invisible",
        detail: `The label (${locale}) shows nothing once invisible characters are removed.`,
      });
    }
  }
  return [...out, ...overrideViolations(entity, doc as never, locales)];
}

/** Every live product as an audit subject, a page of 100 at a time with its stock (memory stays bounded). */
export async function* liveProductPages(db: Database): AsyncGenerator<Subject[]> {
  let cursor: string | undefined;
  do {
    const page = await listLiveProducts(db, { limit: 100, cursor });
    yield page.items.map((live) => ({ type: "product" as const, doc: live.doc, stock: live.stock, meta: live }));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** Audits one product or message document on every channel, format and locale. */
export function auditSubject(subject: Subject, scope: AuditScope, env: AuditEnv, options: { withRenders?: boolean } = {}): EntityAudit {
  const key = subject.type === "product" ? subject.doc.slug : subject.doc.key;
  const entity = { type: subject.type, key };
  const violations = [
    ...staleViolations(entity, subject.doc, scope.locales),
    ...overrideViolations(entity, subject.doc as never, scope.locales),
  ];
  const renders: EntityAudit["renders"] = [];
  // The entity itself is live once published: its own page counts as existing. The sets are copied only
  // when it adds to them (a draft being previewed) — in an audit of the live catalogue it never does, and a
  // copy per entity of a 10,000-entry set made the audit quadratic.
  const withAll = (set: ReadonlySet<string>, add: readonly string[]) => (add.every((v) => set.has(v)) ? set : new Set([...set, ...add]));
  const live = {
    products: subject.type === "product" ? withAll(scope.live.products, [key]) : scope.live.products,
    messages: subject.type === "message" ? withAll(scope.live.messages, [key]) : scope.live.messages,
    categories: subject.type === "product" ? withAll(scope.live.categories, subject.doc.categories) : scope.live.categories,
  };
  const unchanged =
    live.products === scope.live.products && live.messages === scope.live.messages && live.categories === scope.live.categories;
  const pageExists = unchanged ? scope.pageExists : pagesOf(live);
  const stamp = unchanged ? scope.stamp : `${scope.stamp}+${key}`;
  const foreign =
    subject.type === "product" ? new Set(subject.doc.media.map((m) => m.url)) : new Set<string>(subject.doc.facts.links ?? []);
  for (const { ctx, actions, actionViews } of scope.perLocale) {
    const check: CheckContext & { stamp: string } = {
      baseUrl: env.baseUrl,
      actions: actionViews,
      pageExists,
      allowedForeign: foreign,
      stamp,
    };
    const source =
      subject.type === "product"
        ? productSource(subject.doc, subject.stock, subject.meta, ctx, actions)
        : messageSource(subject.doc, subject.meta, ctx, env.now);
    for (const channel of env.channels ?? CHANNELS) {
      const view: EntityView =
        subject.type === "product"
          ? productForChannel(source as ReturnType<typeof productSource>, channel)
          : messageForChannel(source as ReturnType<typeof messageSource>, channel);
      const result = renderChecked(env.registry[channel], view, entity, check, env.cache);
      violations.push(...result.violations);
      if (options.withRenders) for (const r of result.rendered) renders.push({ ...r, locale: ctx.locale });
    }
  }
  return { entity, violations, renders };
}

/** An action's SMS keyword must be unique among live actions (else SMS replies would be ambiguous). */
export function keywordConflicts(
  doc: Pick<ActionDoc, "key" | "keyword">,
  others: readonly Pick<ActionView, "key" | "keyword">[],
): Violation[] {
  const clash = others.find((a) => a.key !== doc.key && a.keyword === doc.keyword);
  return clash
    ? [
        {
          entity: { type: "action", key: doc.key },
          channel: "sms",
          format: null,
          locale: null,
          rule: "keyword_conflict",
          field: "keyword",
          detail: `The keyword ${doc.keyword} already runs "${clash.key}".`,
        },
      ]
    : [];
}

export interface AuditReport {
  summary: {
    entities: number;
    renders: number;
    violations: number;
    entitiesWithViolations: number;
    byRule: Record<string, number>;
    byChannel: Record<string, number>;
  };
  entities: { entity: Violation["entity"]; violations: Violation[] }[];
}

/**
 * Audits every published product and message. `filter` narrows what is
 * reported (by channel or rule) without changing what is checked.
 */
export async function auditCatalogue(
  db: Database,
  env: AuditEnv,
  filter: { rule?: Rule | undefined; onProgress?: (done: number) => void } = {},
): Promise<AuditReport> {
  const scope = await auditScope(db, env.baseUrl);
  const results: EntityAudit[] = [];
  let renders = 0;
  const formatsPerLocale = (env.channels ?? CHANNELS).reduce((n, ch) => n + env.registry[ch].formats.length, 0);
  for await (const page of liveProductPages(db)) {
    for (const subject of page) {
      results.push(auditSubject(subject, scope, env));
      renders += formatsPerLocale * scope.perLocale.length;
    }
    filter.onProgress?.(results.length);
  }
  let cursor: string | undefined;
  do {
    const page = await listLiveMessages(db, { limit: 100, cursor, includeInactive: true }, env.now);
    for (const live of page.items) {
      results.push(auditSubject({ type: "message", doc: live.doc, meta: live }, scope, env));
      renders += formatsPerLocale * scope.perLocale.length;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const actionViews = scope.perLocale[0]?.actionViews ?? [];
  for (const action of actionViews) {
    const labels = scope.perLocale.flatMap(({ ctx, actions }) => {
      const found = actions.find((a) => a.view.key === action.key);
      if (!found) return [];
      const entity = { type: "action" as const, key: action.key };
      const own = visibleText(found.view.label)
        ? []
        : [
            {
              entity,
              channel: null,
              format: null,
              locale: ctx.locale,
              field: "label",
              rule: "label_invisible" as Rule,
              detail: `The label (${ctx.locale}) shows nothing once invisible characters are removed.`,
            },
          ];
      // The overrides written for this locale, held to their base label and confirmation as the gate holds them (an
      // override inherited along the chain is reported once, in the locale it was written for).
      const written = found.overrides.filter((o) => !o.from && o.locale === ctx.locale);
      const base = {
        label: { [ctx.locale]: found.view.label },
        confirmation: { [ctx.locale]: found.view.confirmation },
        overrides: written,
      };
      return [...own, ...overrideViolations(entity, base, scope.locales)];
    });
    results.push({
      entity: { type: "action", key: action.key },
      violations: [...keywordConflicts(action, actionViews), ...labels],
      renders: [],
    });
  }
  const byRule: Record<string, number> = {};
  const byChannel: Record<string, number> = {};
  const entities = results
    .map((r) => ({
      entity: r.entity,
      violations: r.violations.filter(
        (v) => (!filter.rule || v.rule === filter.rule) && (!env.channels || !v.channel || env.channels.includes(v.channel)),
      ),
    }))
    .filter((r) => r.violations.length);
  for (const { violations } of entities) {
    for (const v of violations) {
      byRule[v.rule] = (byRule[v.rule] ?? 0) + 1;
      if (v.channel) byChannel[v.channel] = (byChannel[v.channel] ?? 0) + 1;
    }
  }
  return {
    summary: {
      entities: results.length,
      renders,
      violations: entities.reduce((n, e) => n + e.violations.length, 0),
      entitiesWithViolations: entities.length,
      byRule,
      byChannel,
    },
    entities,
  };
}
