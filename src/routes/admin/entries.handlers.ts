/**
 * What the handlers of the editors' API share (products, messages and actions): the entry's representation and
 * its ETag, the write context, an override's target. The routes are registered in `entries.index.ts`.
 */

import type { Context } from "hono";
import { OVERRIDABLE_FIELDS, type Override } from "../../catalogue/documents";
import { type EntityKind, type EntryRow, entryEtag, publishedTexts, type RevisionRow, staleOverrides } from "../../catalogue/entries";
import { type LocaleSet, loadLocales, overrideBase } from "../../catalogue/locales";
import type { AppEnv } from "../../lib/context";
import { ApiError } from "../../lib/errors";

export type Doc = { overrides: Override[] } & Record<string, unknown>;

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
export async function overrideTarget(c: Context<AppEnv>, kind: EntityKind<Doc>, doc: Doc, locale: string, field: string) {
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

export function revisionDto(r: RevisionRow, entry: EntryRow) {
  return {
    number: r.number,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    note: r.note,
    restoredFrom: r.restoredFrom,
    live: r.id === entry.publishedRevisionId,
  };
}
