/**
 * The editorial life of every content entity — product, message, action — in
 * one place: a draft with a version, publish (freezes a revision and updates the
 * delivery projection), unpublish, archive, restore, rollback, and the audit
 * trail. Each write is one compare-and-set on the entry's version plus the
 * statements that go with it, run as one atomic unit on either driver.
 *
 * Entity-specific behaviour (which projection rows a live revision has) comes
 * from an {@link EntityKind}; see `products.ts`, `messages.ts`, `actions.ts`.
 */

import type { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, gt, inArray, like, ne, sql } from "drizzle-orm";
import { type Database, guard, isGuardFailure, isUniqueViolation, type Orm, releaseGuard, type Statement } from "../db/client";
import { auditLog, type EntityType, entries, revisions } from "../db/schema";
import { ApiError, toPointer, validationError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { Override } from "./documents";
import { checkDocumentLocales, type LocaleSet, overrideBase } from "./locales";

export type EntryRow = typeof entries.$inferSelect;

/** Who is writing, and when. */
export interface WriteContext {
  keyId: string | null;
  now: Date;
}

export interface EntityKind<D extends { overrides: Override[] }> {
  type: EntityType;
  /** The document schema (strict; records sorted, so parse output is canonical). */
  schema: z.ZodType<D, unknown>;
  keyOf(doc: D): string;
  /** Plural path segment in URLs, e.g. `products`. */
  plural: string;
  /** Statements that make a revision live in the delivery projection. */
  project(orm: Orm, live: { entryId: string; revisionId: string; doc: D; now: string }): Statement[];
  /** Statements that remove an entry from the delivery projection. */
  unproject(orm: Orm, entryId: string): Statement[];
  /** Checks against other data before a write (locales, SKUs …); throws ApiError. */
  validate?(db: Database, doc: D, entry: EntryRow | null): Promise<void>;
}

/** Parses a document with the kind's schema; failures are 400s pointing at each field. */
export function parseDocument<D extends { overrides: Override[] }>(kind: EntityKind<D>, input: unknown, detail?: string): D {
  const parsed = kind.schema.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues, "body", detail);
  return parsed.data;
}

export function serialize(doc: unknown): string {
  return JSON.stringify(doc);
}

export async function findEntry(db: Database, type: EntityType, key: string): Promise<EntryRow | null> {
  const [row] = await db.orm
    .select()
    .from(entries)
    .where(and(eq(entries.type, type), eq(entries.key, key)))
    .limit(1);
  return row ?? null;
}

export async function getEntry(db: Database, type: EntityType, key: string): Promise<EntryRow> {
  const row = await findEntry(db, type, key);
  if (!row) throw new ApiError("not_found", `No ${type} with key "${key}".`);
  return row;
}

/** The strong ETag of an entry's editorial representation: it changes exactly when the version does. */
export function entryEtag(version: number): string {
  return `"v${version}"`;
}

/**
 * Parses `If-Match` against the entry's version. None → 428; stale → 412 with
 * the current version. `*` matches any existing entry (RFC 9110).
 */
export function requireVersion(ifMatch: string | undefined, current: EntryRow | { version: number }): number {
  if (!ifMatch) {
    throw new ApiError("precondition_required", 'This write needs an If-Match header with the ETag you last read (e.g. If-Match: "v3").', {
      extra: { currentVersion: current.version },
    });
  }
  if (ifMatch.trim() === "*") return current.version;
  const tags = ifMatch.split(",").map((t) => t.trim());
  if (tags.includes(entryEtag(current.version))) return current.version;
  throw new ApiError("precondition_failed", "Someone else changed this since you read it. Re-read it, re-apply your change and retry.", {
    extra: { currentVersion: current.version },
    headers: { etag: entryEtag(current.version) },
  });
}

function auditRow(
  ctx: WriteContext,
  action: string,
  entry: { type: string; key: string },
  change: {
    fromVersion?: number | null;
    toVersion?: number | null;
    fromRevision?: number | null;
    toRevision?: number | null;
    detail?: unknown;
  },
) {
  return {
    id: newId("aud"),
    at: ctx.now.toISOString(),
    keyId: ctx.keyId,
    action,
    entityType: entry.type,
    entityKey: entry.key,
    fromVersion: change.fromVersion ?? null,
    toVersion: change.toVersion ?? null,
    fromRevision: change.fromRevision ?? null,
    toRevision: change.toRevision ?? null,
    detail: change.detail === undefined ? null : JSON.stringify(change.detail),
  };
}

/**
 * Creates a draft entry (and, for products, whatever `extra` adds: inventory rows).
 * A duplicate key is 409.
 */
export async function createEntry<D extends { overrides: Override[] }>(
  db: Database,
  kind: EntityKind<D>,
  ctx: WriteContext,
  doc: D,
  extra: (orm: Orm, entryId: string) => Statement[] = () => [],
): Promise<EntryRow> {
  await checkDocumentLocales(db, doc);
  await kind.validate?.(db, doc, null);
  const now = ctx.now.toISOString();
  const row: EntryRow = {
    id: newId(kind.type.slice(0, 3)),
    type: kind.type,
    key: kind.keyOf(doc),
    status: "draft",
    draft: serialize(doc),
    version: 1,
    writeToken: newId("wt"),
    publishedRevisionId: null,
    lastRevisionNumber: 0,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await db.atomic((orm) => [
      orm.insert(entries).values(row),
      ...extra(orm, row.id),
      orm.insert(auditLog).values(auditRow(ctx, `${kind.type}.create`, row, { toVersion: 1 })),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ApiError("already_exists", `A ${kind.type} with key "${row.key}" (or one of its SKUs) already exists.`);
    }
    throw error;
  }
  return row;
}

/**
 * The compare-and-set at the heart of every editorial write: the entry moves
 * from `expectedVersion` to the next version with `changes`, and `extra` runs
 * in the same atomic unit — or nothing happens and the caller gets 412.
 */
async function casWrite(
  db: Database,
  entry: EntryRow,
  expectedVersion: number,
  changes: Partial<Omit<EntryRow, "id" | "version" | "writeToken">>,
  extra: (orm: Orm) => Statement[],
): Promise<EntryRow> {
  const token = newId("wt");
  try {
    await db.atomic((orm) => [
      orm
        .update(entries)
        .set({ ...changes, version: sql`${entries.version} + 1`, writeToken: token })
        .where(and(eq(entries.id, entry.id), eq(entries.version, expectedVersion))),
      guard(token),
      ...extra(orm),
      releaseGuard(token),
    ]);
  } catch (error) {
    if (isGuardFailure(error)) {
      const [current] = await db.orm.select().from(entries).where(eq(entries.id, entry.id)).limit(1);
      throw new ApiError(
        "precondition_failed",
        "Someone else changed this since you read it. Re-read it, re-apply your change and retry.",
        {
          extra: { currentVersion: current?.version ?? null },
          headers: current ? { etag: entryEtag(current.version) } : {},
        },
      );
    }
    if (isUniqueViolation(error)) throw new ApiError("already_exists", "That would duplicate an existing key or SKU.");
    throw error;
  }
  return { ...entry, ...changes, version: expectedVersion + 1, writeToken: token } as EntryRow;
}

/** Replaces the draft with `doc` (already merged and parsed). */
export async function updateDraft<D extends { overrides: Override[] }>(
  db: Database,
  kind: EntityKind<D>,
  ctx: WriteContext,
  entry: EntryRow,
  expectedVersion: number,
  doc: D,
  options: { action?: string; detail?: unknown; extra?: (orm: Orm) => Statement[] } = {},
): Promise<EntryRow> {
  if (entry.status === "archived") throw new ApiError("conflict", `This ${kind.type} is archived; restore it before editing.`);
  await checkDocumentLocales(db, doc);
  await kind.validate?.(db, doc, entry);
  const before = JSON.parse(entry.draft) as unknown;
  const changed = diffDocuments(before, doc).map((d) => d.path);
  return casWrite(db, entry, expectedVersion, { draft: serialize(doc), updatedAt: ctx.now.toISOString() }, (orm) => [
    ...(options.extra?.(orm) ?? []),
    orm.insert(auditLog).values(
      auditRow(ctx, options.action ?? `${kind.type}.update`, entry, {
        fromVersion: expectedVersion,
        toVersion: expectedVersion + 1,
        detail: options.detail ?? { changed },
      }),
    ),
  ]);
}

/**
 * Hook run before a document goes live (the consistency gate plugs in here). It
 * throws to refuse; when forced it lets the document through and returns what
 * it would have refused, for the audit log.
 */
export type BeforePublish = (input: {
  db: Database;
  now: Date;
  type: EntityType;
  entryId: string;
  key: string;
  doc: unknown;
  force: { reason: string } | null;
}) => Promise<{ overridden: unknown[] } | undefined>;

/**
 * Publishes `doc` as a new revision: freezes it, makes it live in the delivery
 * projection, and records who did it — atomically.
 */
async function goLive<D extends { overrides: Override[] }>(
  db: Database,
  kind: EntityKind<D>,
  ctx: WriteContext,
  entry: EntryRow,
  expectedVersion: number,
  doc: D,
  meta: { note: string | null; restoredFrom: number | null; action: string; detail?: Record<string, unknown> },
): Promise<EntryRow> {
  const now = ctx.now.toISOString();
  const number = entry.lastRevisionNumber + 1;
  const revisionId = newId("rev");
  const previous = entry.publishedRevisionId ? entry.lastRevisionNumber : null;
  const document = serialize(doc);
  return casWrite(
    db,
    entry,
    expectedVersion,
    { status: "published", draft: document, publishedRevisionId: revisionId, lastRevisionNumber: number, updatedAt: now },
    (orm) => [
      orm.insert(revisions).values({
        id: revisionId,
        entryId: entry.id,
        number,
        document,
        note: meta.note,
        restoredFrom: meta.restoredFrom,
        createdAt: now,
        createdBy: ctx.keyId,
      }),
      ...kind.unproject(orm, entry.id),
      ...kind.project(orm, { entryId: entry.id, revisionId, doc, now }),
      orm.insert(auditLog).values(
        auditRow(ctx, meta.action, entry, {
          fromVersion: expectedVersion,
          toVersion: expectedVersion + 1,
          fromRevision: previous,
          toRevision: number,
          detail:
            meta.note || meta.restoredFrom || meta.detail
              ? { note: meta.note, restoredFrom: meta.restoredFrom, ...meta.detail }
              : undefined,
        }),
      ),
    ],
  );
}

/**
 * The statements that create an entry already published as revision 1 — exactly
 * what `createEntry` followed by `publishEntry` write, in one unit. Bulk import
 * puts many of these in one atomic write. The caller validates first.
 */
export function createPublishedStatements<D extends { overrides: Override[] }>(
  orm: Orm,
  kind: EntityKind<D>,
  ctx: WriteContext,
  doc: D,
  extra: (orm: Orm, entryId: string) => Statement[] = () => [],
): Statement[] {
  const now = ctx.now.toISOString();
  const revisionId = newId("rev");
  const document = serialize(doc);
  const row: EntryRow = {
    id: newId(kind.type.slice(0, 3)),
    type: kind.type,
    key: kind.keyOf(doc),
    status: "published",
    draft: document,
    version: 2,
    writeToken: newId("wt"),
    publishedRevisionId: revisionId,
    lastRevisionNumber: 1,
    createdAt: now,
    updatedAt: now,
  };
  return [
    orm.insert(entries).values(row),
    ...extra(orm, row.id),
    orm.insert(auditLog).values(auditRow(ctx, `${kind.type}.create`, row, { toVersion: 1 })),
    orm.insert(revisions).values({
      id: revisionId,
      entryId: row.id,
      number: 1,
      document,
      note: null,
      restoredFrom: null,
      createdAt: now,
      createdBy: ctx.keyId,
    }),
    ...kind.project(orm, { entryId: row.id, revisionId, doc, now }),
    orm.insert(auditLog).values(auditRow(ctx, `${kind.type}.publish`, row, { fromVersion: 1, toVersion: 2, toRevision: 1 })),
  ];
}

export async function publishEntry<D extends { overrides: Override[] }>(
  db: Database,
  kind: EntityKind<D>,
  ctx: WriteContext,
  entry: EntryRow,
  expectedVersion: number,
  options: { note?: string | null; beforePublish?: BeforePublish; force?: { reason: string } | null } = {},
): Promise<EntryRow> {
  if (entry.status === "archived") throw new ApiError("conflict", `This ${kind.type} is archived; restore it before publishing.`);
  const doc = parseDocument(kind, JSON.parse(entry.draft), "The stored draft no longer validates; fix it before publishing.");
  await kind.validate?.(db, doc, entry);
  const gate = await options.beforePublish?.({
    db,
    now: ctx.now,
    type: kind.type,
    entryId: entry.id,
    key: entry.key,
    doc,
    force: options.force ?? null,
  });
  const note = options.force ? `${options.note ? `${options.note} — ` : ""}forced: ${options.force.reason}` : (options.note ?? null);
  return goLive(db, kind, ctx, entry, expectedVersion, doc, {
    note,
    restoredFrom: null,
    action: options.force ? `${kind.type}.publish_forced` : `${kind.type}.publish`,
    ...(options.force ? { detail: { forced: options.force.reason, violations: gate?.overridden ?? [] } } : {}),
  });
}

/** Takes an entry off delivery (it stays as a draft with its revisions); `archive` also hides it from editors' default lists. */
export async function withdrawEntry<D extends { overrides: Override[] }>(
  db: Database,
  kind: EntityKind<D>,
  ctx: WriteContext,
  entry: EntryRow,
  expectedVersion: number,
  to: "draft" | "archived",
): Promise<EntryRow> {
  if (to === "draft" && entry.status !== "published") throw new ApiError("conflict", `This ${kind.type} is not published.`);
  if (to === "archived" && entry.status === "archived") throw new ApiError("conflict", `This ${kind.type} is already archived.`);
  return casWrite(db, entry, expectedVersion, { status: to, publishedRevisionId: null, updatedAt: ctx.now.toISOString() }, (orm) => [
    ...kind.unproject(orm, entry.id),
    orm.insert(auditLog).values(
      auditRow(ctx, `${kind.type}.${to === "draft" ? "unpublish" : "archive"}`, entry, {
        fromVersion: expectedVersion,
        toVersion: expectedVersion + 1,
        fromRevision: entry.publishedRevisionId ? entry.lastRevisionNumber : null,
      }),
    ),
  ]);
}

/** Brings an archived entry back as a draft. */
export async function restoreEntry<D extends { overrides: Override[] }>(
  db: Database,
  kind: EntityKind<D>,
  ctx: WriteContext,
  entry: EntryRow,
  expectedVersion: number,
): Promise<EntryRow> {
  if (entry.status !== "archived") throw new ApiError("conflict", `This ${kind.type} is not archived.`);
  return casWrite(db, entry, expectedVersion, { status: "draft", updatedAt: ctx.now.toISOString() }, (orm) => [
    orm
      .insert(auditLog)
      .values(auditRow(ctx, `${kind.type}.restore`, entry, { fromVersion: expectedVersion, toVersion: expectedVersion + 1 })),
  ]);
}

/** Republishes an earlier revision's document as a new revision, and makes it the draft too. */
export async function rollbackEntry<D extends { overrides: Override[] }>(
  db: Database,
  kind: EntityKind<D>,
  ctx: WriteContext,
  entry: EntryRow,
  expectedVersion: number,
  revisionNumber: number,
  beforePublish?: BeforePublish,
): Promise<EntryRow> {
  if (entry.status === "archived") throw new ApiError("conflict", `This ${kind.type} is archived; restore it before rolling back.`);
  const revision = await getRevision(db, entry, revisionNumber);
  const doc = parseDocument(kind, JSON.parse(revision.document), `Revision ${revisionNumber} no longer validates.`);
  await kind.validate?.(db, doc, entry);
  await beforePublish?.({ db, now: ctx.now, type: kind.type, entryId: entry.id, key: entry.key, doc, force: null });
  return goLive(db, kind, ctx, entry, expectedVersion, doc, {
    note: `Rollback to revision ${revisionNumber}`,
    restoredFrom: revisionNumber,
    action: `${kind.type}.rollback`,
  });
}

export interface EntryListQuery {
  /** One status; without it, every entry but the archived ones. */
  status?: EntryRow["status"] | undefined;
  /** Part of the key (`%` and `_` are dropped, so they match literally nothing special). */
  q?: string | undefined;
  /** The last key of the previous page (keys ascending). */
  afterKey?: string | undefined;
  limit: number;
}

/** Up to `limit` entries of a type, by key, for the editors' lists. */
export async function listEntries(db: Database, type: EntityType, query: EntryListQuery): Promise<EntryRow[]> {
  return db.orm
    .select()
    .from(entries)
    .where(
      and(
        eq(entries.type, type),
        query.status ? eq(entries.status, query.status) : ne(entries.status, "archived"),
        query.q ? like(entries.key, `%${query.q.replaceAll("%", "").replaceAll("_", "")}%`) : undefined,
        query.afterKey !== undefined ? gt(entries.key, query.afterKey) : undefined,
      ),
    )
    .orderBy(asc(entries.key))
    .limit(query.limit);
}

/** The key of the entry with this id, or null. */
export async function entryKeyOf(db: Database, id: string): Promise<string | null> {
  const [row] = await db.orm.select({ key: entries.key }).from(entries).where(eq(entries.id, id));
  return row?.key ?? null;
}

export type RevisionRow = typeof revisions.$inferSelect;

export async function listRevisions(db: Database, entry: EntryRow): Promise<RevisionRow[]> {
  return db.orm.select().from(revisions).where(eq(revisions.entryId, entry.id)).orderBy(desc(revisions.number));
}

export async function getRevision(db: Database, entry: EntryRow, number: number): Promise<RevisionRow> {
  const [row] = await db.orm
    .select()
    .from(revisions)
    .where(and(eq(revisions.entryId, entry.id), eq(revisions.number, number)))
    .limit(1);
  if (!row) throw new ApiError("not_found", `${entry.key} has no revision ${number}.`);
  return row;
}

/** The published document's text of each live entry among `rows`, by revision id (one query for a page of entries). */
export async function publishedTexts(db: Database, rows: EntryRow[]): Promise<Map<string, string>> {
  const ids = rows.map((r) => r.publishedRevisionId).filter((x): x is string => !!x);
  if (!ids.length) return new Map();
  const found = await db.orm.select({ id: revisions.id, document: revisions.document }).from(revisions).where(inArray(revisions.id, ids));
  return new Map(found.map((r) => [r.id, r.document]));
}

/** The published document of an entry, if it is live. */
export async function publishedDocument(db: Database, entry: EntryRow): Promise<unknown | null> {
  if (!entry.publishedRevisionId) return null;
  const [row] = await db.orm.select({ document: revisions.document }).from(revisions).where(eq(revisions.id, entry.publishedRevisionId));
  return row ? (JSON.parse(row.document) as unknown) : null;
}

export interface Change {
  op: "add" | "remove" | "replace";
  path: string;
  from?: unknown;
  to?: unknown;
}

/**
 * A structural diff of two documents as JSON-Pointer changes. Arrays of objects
 * keyed by `sku`, `key` or `channel+locale+field` are matched by key, so removing
 * one variant reads as one removal, not a shift of every later one.
 */
export function diffDocuments(a: unknown, b: unknown, path = ""): Change[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    const keyOf = arrayKey(a) ?? arrayKey(b);
    if (keyOf) {
      const left = new Map(a.map((x) => [keyOf(x), x]));
      const right = new Map(b.map((x) => [keyOf(x), x]));
      const out: Change[] = [];
      for (const [k, v] of left) {
        const p = `${path}${toPointer([k])}`;
        if (!right.has(k)) out.push({ op: "remove", path: p, from: v });
        else out.push(...diffDocuments(v, right.get(k), p));
      }
      for (const [k, v] of right) if (!left.has(k)) out.push({ op: "add", path: `${path}${toPointer([k])}`, to: v });
      return out;
    }
    return [{ op: "replace", path, from: a, to: b }];
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: Change[] = [];
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const p = `${path}${toPointer([k])}`;
      if (!(k in b)) out.push({ op: "remove", path: p, from: a[k] });
      else if (!(k in a)) out.push({ op: "add", path: p, to: b[k] });
      else out.push(...diffDocuments(a[k], b[k], p));
    }
    return out;
  }
  return [{ op: "replace", path, from: a, to: b }];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function arrayKey(items: unknown[]): ((x: unknown) => string) | null {
  if (items.length === 0 || !items.every(isPlainObject)) return null;
  const objs = items as Record<string, unknown>[];
  if (objs.every((o) => typeof o.sku === "string")) return (x) => String((x as Record<string, unknown>).sku);
  if (objs.every((o) => typeof o.key === "string")) return (x) => String((x as Record<string, unknown>).key);
  if (objs.every((o) => typeof o.channel === "string" && typeof o.field === "string")) {
    return (x) => {
      const o = x as Record<string, unknown>;
      return `${o.channel}:${o.locale}:${o.field}`;
    };
  }
  return null;
}

/**
 * RFC 7386 JSON Merge Patch: objects merge, `null` deletes, anything else replaces.
 *
 * @example
 * mergePatch({ title: { en: "A", fr: "B" } }, { title: { fr: null } }) // { title: { en: "A" } }
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * Overrides whose base text has moved on since they were written. The base text of an override is its
 * field read along its locale's chain (a French override of a title written only in English stands for
 * the English title, and turns stale when a French title is written).
 */
export function staleOverrides(doc: { overrides: Override[] } & Record<string, unknown>, locales: LocaleSet): Override[] {
  return doc.overrides.filter((o) => overrideBase(doc, o.field, locales, o.locale) !== o.basedOn);
}
