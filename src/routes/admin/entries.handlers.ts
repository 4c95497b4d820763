/** Handlers of the editors' API shared by products, messages and actions: validate → domain → respond. */

import { and, asc, desc, eq, gt, inArray, like, ne } from "drizzle-orm";
import type { Context } from "hono";
import { OVERRIDABLE_FIELDS, type Override } from "../../catalogue/documents";
import {
  type BeforePublish,
  createEntry,
  diffDocuments,
  type EntityKind,
  type EntryRow,
  entryEtag,
  getEntry,
  getRevision,
  listRevisions,
  mergePatch,
  parseDocument,
  publishEntry,
  requireVersion,
  restoreEntry,
  rollbackEntry,
  staleOverrides,
  updateDraft,
  withdrawEntry,
} from "../../catalogue/entries";
import { type LocaleSet, loadLocales, overrideBase } from "../../catalogue/locales";
import type { Database } from "../../db/client";
import { auditLog, entries, revisions } from "../../db/schema";
import type { AppEnv } from "../../lib/context";
import type { Router } from "../../lib/create-router";
import { decodeCursor, encodeCursor } from "../../lib/cursor";
import { ApiError } from "../../lib/errors";
import { entryRoutes, type KindSpec } from "./entries.routes";

type Doc = { overrides: Override[] } & Record<string, unknown>;

/** The editors' representation of an entry. It changes exactly when the version does, so the version is its ETag. */
export function entryDto(entry: EntryRow, param: string, publishedText: string | null, locales: LocaleSet) {
  const draft = JSON.parse(entry.draft) as Doc;
  return {
    id: entry.id,
    [param]: entry.key,
    status: entry.status,
    version: entry.version,
    publishedRevision: entry.publishedRevisionId ? entry.lastRevisionNumber : null,
    hasUnpublishedChanges: publishedText === null || publishedText !== entry.draft,
    staleOverrides: staleOverrides(draft, locales).map(({ channel, locale, field }) => ({ channel, locale, field })),
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
    draft,
  };
}

async function publishedTexts(db: Database, rows: EntryRow[]): Promise<Map<string, string>> {
  const ids = rows.map((r) => r.publishedRevisionId).filter((x): x is string => !!x);
  if (!ids.length) return new Map();
  const found = await db.orm.select({ id: revisions.id, document: revisions.document }).from(revisions).where(inArray(revisions.id, ids));
  return new Map(found.map((r) => [r.id, r.document]));
}

/** Responds with one entry and its ETag. */
export async function respondEntry<S extends 200 | 201 = 200>(c: Context<AppEnv>, entry: EntryRow, param: string, status = 200 as S) {
  const [texts, locales] = await Promise.all([publishedTexts(c.get("db"), [entry]), loadLocales(c.get("db"))]);
  c.header("etag", entryEtag(entry.version));
  c.header("cache-control", "no-store");
  // Typed loosely on purpose: this one representation answers the generic and the product-only
  // routes, whose declared schema is the same AdminX component (checked by the contract tests).
  return c.json(entryDto(entry, param, entry.publishedRevisionId ? (texts.get(entry.publishedRevisionId) ?? null) : null, locales), status);
}

export function writeContext(c: Context<AppEnv>) {
  return { keyId: c.get("principal")?.keyId ?? null, now: c.get("clock")() };
}

/** The base fields of a document that channels may override, checked against the configured locales. */
async function overrideTarget(c: Context<AppEnv>, kind: EntityKind<Doc>, doc: Doc, locale: string, field: string) {
  const fields = OVERRIDABLE_FIELDS[kind.type] as readonly string[];
  if (!fields.includes(field)) {
    throw new ApiError("unprocessable", `"${field}" cannot be overridden. Overridable ${kind.type} fields: ${fields.join(", ")}.`);
  }
  const locales = await loadLocales(c.get("db"));
  if (!locales.byCode.has(locale)) throw new ApiError("unsupported_locale", `Locale "${locale}" is not configured.`);
  // Read along the locale's chain: an override may be written for any configured locale (content/README.md, "Overrides").
  const base = overrideBase(doc, field, locales, locale);
  if (base === undefined) throw new ApiError("unprocessable", `The base ${field} has no text to override yet.`);
  return base;
}

export interface EntryRouteOptions {
  beforePublish?: BeforePublish | undefined;
  /** Builds the full document for create (products add stock handling). */
  create?: (c: Context<AppEnv>, body: unknown) => Promise<EntryRow>;
}

/** Registers the editors' API of one kind. */
export function registerEntryRoutes(app: Router, kind: EntityKind<Doc>, spec: KindSpec, options: EntryRouteOptions = {}) {
  const { ops } = entryRoutes(spec);
  const param = spec.param;
  const keyOf = (c: Context<AppEnv>) => (c.req.param() as Record<string, string>)[param] as string;

  app.openapi(ops.list, async (c) => {
    const query = c.req.valid("query");
    const db = c.get("db");
    const filter = `${query.status ?? ""}|${query.q ?? ""}`;
    const after = query.cursor
      ? decodeCursor(`admin:${kind.type}`, query.cursor, (v): v is { k: string; f: string } => typeof v.k === "string" && v.f === filter)
      : null;
    const rows = await db.orm
      .select()
      .from(entries)
      .where(
        and(
          eq(entries.type, kind.type),
          query.status ? eq(entries.status, query.status) : ne(entries.status, "archived"),
          query.q ? like(entries.key, `%${query.q.replaceAll("%", "").replaceAll("_", "")}%`) : undefined,
          after ? gt(entries.key, after.k) : undefined,
        ),
      )
      .orderBy(asc(entries.key))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const [texts, locales] = await Promise.all([publishedTexts(db, page), loadLocales(db)]);
    const last = page.at(-1);
    c.header("cache-control", "no-store");
    return c.json(
      {
        data: page.map((e) => entryDto(e, param, e.publishedRevisionId ? (texts.get(e.publishedRevisionId) ?? null) : null, locales)),
        nextCursor: rows.length > query.limit && last ? encodeCursor(`admin:${kind.type}`, { k: last.key, f: filter }) : null,
      },
      200,
    );
  });

  app.openapi(ops.create, async (c) => {
    const body = c.req.valid("json");
    const entry = options.create
      ? await options.create(c, body)
      : await createEntry(c.get("db"), kind, writeContext(c), parseDocument(kind, body));
    c.header("location", `/v1/admin/${spec.plural}/${entry.key}`);
    return respondEntry(c, entry, param, 201);
  });

  app.openapi(ops.get, async (c) => respondEntry(c, await getEntry(c.get("db"), kind.type, keyOf(c)), param));

  app.openapi(ops.patch, async (c) => {
    const patch = c.req.valid("json");
    const db = c.get("db");
    const entry = await getEntry(db, kind.type, keyOf(c));
    const version = requireVersion(c.req.header("if-match"), entry);
    const merged = mergePatch(JSON.parse(entry.draft), patch);
    const doc = parseDocument(kind, merged);
    return respondEntry(c, await updateDraft(db, kind, writeContext(c), entry, version, doc), param);
  });

  app.openapi(ops.publish, async (c) => {
    const db = c.get("db");
    const entry = await getEntry(db, kind.type, keyOf(c));
    const version = requireVersion(c.req.header("if-match"), entry);
    const body = (c.req.valid("json") ?? {}) as { note?: string; force?: { reason: string } };
    const published = await publishEntry(db, kind, writeContext(c), entry, version, {
      note: body.note ?? null,
      force: body.force ?? null,
      beforePublish: options.beforePublish,
    });
    return respondEntry(c, published, param);
  });

  for (const [op, to] of [
    [ops.unpublish, "draft"],
    [ops.archive, "archived"],
  ] as const) {
    app.openapi(op, async (c) => {
      const db = c.get("db");
      const entry = await getEntry(db, kind.type, keyOf(c));
      const version = requireVersion(c.req.header("if-match"), entry);
      return respondEntry(c, await withdrawEntry(db, kind, writeContext(c), entry, version, to), param);
    });
  }

  app.openapi(ops.restore, async (c) => {
    const db = c.get("db");
    const entry = await getEntry(db, kind.type, keyOf(c));
    const version = requireVersion(c.req.header("if-match"), entry);
    return respondEntry(c, await restoreEntry(db, kind, writeContext(c), entry, version), param);
  });

  app.openapi(ops.revisions, async (c) => {
    const db = c.get("db");
    const entry = await getEntry(db, kind.type, keyOf(c));
    const rows = await listRevisions(db, entry);
    c.header("cache-control", "no-store");
    return c.json({ data: rows.map((r) => revisionDto(r, entry)) }, 200);
  });

  app.openapi(ops.revision, async (c) => {
    const db = c.get("db");
    const entry = await getEntry(db, kind.type, keyOf(c));
    const { number } = c.req.valid("param") as unknown as { number: number };
    const row = await getRevision(db, entry, number);
    c.header("cache-control", "private, max-age=31536000, immutable");
    return c.json({ ...revisionDto(row, entry), document: JSON.parse(row.document) }, 200);
  });

  app.openapi(ops.diff, async (c) => {
    const db = c.get("db");
    const entry = await getEntry(db, kind.type, keyOf(c));
    const { from, to } = c.req.valid("query");
    const load = async (ref: string) =>
      ref === "draft" ? JSON.parse(entry.draft) : JSON.parse((await getRevision(db, entry, Number(ref))).document);
    const changes = diffDocuments(await load(from), await load(to));
    c.header("cache-control", "no-store");
    return c.json({ from, to, changes }, 200);
  });

  app.openapi(ops.rollback, async (c) => {
    const db = c.get("db");
    const entry = await getEntry(db, kind.type, keyOf(c));
    const version = requireVersion(c.req.header("if-match"), entry);
    const { revision } = c.req.valid("json");
    return respondEntry(c, await rollbackEntry(db, kind, writeContext(c), entry, version, revision, options.beforePublish), param);
  });

  const overrideWrite = async (
    c: Context<AppEnv>,
    change: (doc: Doc, target: { channel: Override["channel"]; locale: string; field: string; base: string }) => Override[],
    action: string,
  ) => {
    const db = c.get("db");
    const entry = await getEntry(db, kind.type, keyOf(c));
    const version = requireVersion(c.req.header("if-match"), entry);
    const { channel, locale, field } = c.req.param() as { channel: Override["channel"]; locale: string; field: string };
    const doc = JSON.parse(entry.draft) as Doc;
    const base = await overrideTarget(c, kind, doc, locale, field);
    const next = parseDocument(kind, { ...doc, overrides: change(doc, { channel, locale, field, base }) });
    return respondEntry(
      c,
      await updateDraft(db, kind, writeContext(c), entry, version, next, { action, detail: { channel, locale, field } }),
      param,
    );
  };
  const same = (o: Override, t: { channel: string; locale: string; field: string }) =>
    o.channel === t.channel && o.locale === t.locale && o.field === t.field;

  app.openapi(ops.putOverride, async (c) => {
    const { value } = c.req.valid("json");
    return overrideWrite(
      c,
      (doc, t) => [
        ...doc.overrides.filter((o) => !same(o, t)),
        { channel: t.channel, locale: t.locale, field: t.field, value, basedOn: t.base },
      ],
      `${kind.type}.override.set`,
    );
  });

  app.openapi(ops.confirmOverride, async (c) =>
    overrideWrite(
      c,
      (doc, t) => {
        if (!doc.overrides.some((o) => same(o, t))) throw new ApiError("not_found", "No such override.");
        return doc.overrides.map((o) => (same(o, t) ? { ...o, basedOn: t.base } : o));
      },
      `${kind.type}.override.confirm`,
    ),
  );

  app.openapi(ops.deleteOverride, async (c) =>
    overrideWrite(
      c,
      (doc, t) => {
        if (!doc.overrides.some((o) => same(o, t))) throw new ApiError("not_found", "No such override.");
        return doc.overrides.filter((o) => !same(o, t));
      },
      `${kind.type}.override.reset`,
    ),
  );

  app.openapi(ops.audit, async (c) => {
    const db = c.get("db");
    const entry = await getEntry(db, kind.type, keyOf(c));
    const rows = await db.orm
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityType, kind.type), eq(auditLog.entityKey, entry.key)))
      .orderBy(desc(auditLog.at), desc(auditLog.id))
      .limit(500);
    c.header("cache-control", "no-store");
    return c.json({ data: rows.map((r) => ({ ...r, detail: r.detail ? (JSON.parse(r.detail) as unknown) : null })) }, 200);
  });
}

function revisionDto(r: typeof revisions.$inferSelect, entry: EntryRow) {
  return {
    number: r.number,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    note: r.note,
    restoredFrom: r.restoredFrom,
    live: r.id === entry.publishedRevisionId,
  };
}
