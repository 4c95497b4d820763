/** The editors' API of one kind of entry (products, messages, actions): validate → domain → respond. */

import type { Context } from "hono";
import { readAuditLog } from "../../catalogue/audit-log";
import type { Override } from "../../catalogue/documents";
import {
  type BeforePublish,
  createEntry,
  diffDocuments,
  type EntityKind,
  type EntryRow,
  getEntry,
  getRevision,
  listEntries,
  listRevisions,
  mergePatch,
  parseDocument,
  publishEntry,
  publishedTexts,
  requireVersion,
  restoreEntry,
  rollbackEntry,
  updateDraft,
  withdrawEntry,
} from "../../catalogue/entries";
import { loadLocales } from "../../catalogue/locales";
import type { AppEnv } from "../../lib/context";
import type { Router } from "../../lib/create-router";
import { decodeCursor, encodeCursor } from "../../lib/cursor";
import { ApiError } from "../../lib/errors";
import { type Doc, entryDto, overrideTarget, respondEntry, revisionDto, writeContext } from "./entries.handlers";
import { entryRoutes, type KindSpec } from "./entries.routes";

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
    const rows = await listEntries(db, kind.type, { status: query.status, q: query.q, afterKey: after?.k, limit: query.limit + 1 });
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
    const rows = await readAuditLog(db, { entityType: kind.type, entityKey: entry.key, limit: 500 });
    c.header("cache-control", "no-store");
    return c.json({ data: rows }, 200);
  });
}
