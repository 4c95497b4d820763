/**
 * Locales, their fallback chains and negotiation. Every localized field is read
 * through a chain (e.g. `fr-CA → fr → en`) that always ends at the default
 * locale, which every document must fill in.
 */

import { z } from "@hono/zod-openapi";
import { and, asc, eq, sql } from "drizzle-orm";
import { type Database, guardWhen, isGuardFailure, memoized, prepared, releaseGuard } from "../db/client";
import { auditLog, locales } from "../db/schema";
import { ApiError, type FieldError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { Localized, Override } from "./documents";

export type LocaleRow = typeof locales.$inferSelect;

export interface LocaleSet {
  rows: LocaleRow[];
  default: LocaleRow;
  byCode: Map<string, LocaleRow>;
}

/**
 * What reads negotiate to before any locale is configured (a shop starting from nothing, a Worker before
 * its first import): it is in no `rows` and no `byCode`, so delivery lists answer empty, `?locale=` is
 * still refused (400) and documents are not checked against it.
 */
export const UNCONFIGURED_LOCALE: LocaleRow = {
  code: "en",
  name: "English",
  fallback: null,
  isDefault: true,
  currency: "EUR",
  position: 0,
  archived: false,
  version: 0,
  createdAt: "1970-01-01T00:00:00.000Z",
  updatedAt: "1970-01-01T00:00:00.000Z",
};

export function loadLocales(db: Database): Promise<LocaleSet> {
  // Read on every request that negotiates a locale; remembered until the database changes. Treat it as frozen.
  return memoized(db, "locales", async () => {
    const rows = await prepared(db, "active-locales", (orm) =>
      orm.select().from(locales).where(eq(locales.archived, false)).orderBy(asc(locales.position), asc(locales.code)).prepare(),
    ).all();
    const def = rows.find((r) => r.isDefault) ?? rows[0] ?? UNCONFIGURED_LOCALE;
    return { rows, default: def, byCode: new Map(rows.map((r) => [r.code, r])) };
  });
}

/** The fallback chain of a locale, ending at the default locale, without repeats or cycles. */
export function fallbackChain(set: LocaleSet, code: string): string[] {
  const chain: string[] = [];
  let current: string | null = code;
  while (current && !chain.includes(current) && set.byCode.has(current)) {
    chain.push(current);
    current = set.byCode.get(current)?.fallback ?? null;
  }
  if (!chain.includes(set.default.code)) chain.push(set.default.code);
  return chain;
}

/** Reads a localized field through a chain; undefined only when no locale of the chain has it. */
export function resolveText(value: Localized | undefined, chain: readonly string[]): string | undefined {
  if (!value) return undefined;
  for (const code of chain) {
    const text = value[code];
    if (text !== undefined) return text;
  }
  return undefined;
}

/**
 * The base text an override written for `locale` stands for: the field read along that locale's chain
 * (only its own text when the locale is not configured, e.g. archived).
 */
export function overrideBase(doc: Record<string, unknown>, field: string, set: LocaleSet, locale: string): string | undefined {
  const base = doc[field];
  if (!base || typeof base !== "object" || Array.isArray(base)) return undefined;
  return resolveText(base as Localized, set.byCode.has(locale) ? fallbackChain(set, locale) : [locale]);
}

/** An override a view uses in a locale it was not written for (its chain fell back to it): `from` is where it was written. */
export type InheritedOverride = Override & { from?: string };

/**
 * The overrides a view read through `chain` uses (content/README.md, "Overrides"): overrides fall back
 * like base fields. Per channel and field, the first locale of the chain that has an override or a base
 * text decides, and its override wins over its base text — so a French SMS of a title written only in
 * English shows the English SMS title override, and a French base title hides it. Returned under the
 * chain's first locale (`overridden(…, chain[0], …)` finds them); an inherited one keeps its own locale
 * in `from`.
 *
 * @example
 * overridesAlong({ title: { en: "Two-person tent" }, overrides: [{ channel: "sms", locale: "en", field: "title", value: "2p tent", … }] }, ["fr", "en"])
 * // [{ channel: "sms", locale: "fr", field: "title", value: "2p tent", …, from: "en" }]
 */
export function overridesAlong(
  doc: { overrides: readonly Override[] } & Record<string, unknown>,
  chain: readonly string[],
): InheritedOverride[] {
  const [first] = chain;
  if (!doc.overrides.length || first === undefined) return doc.overrides as Override[];
  const out: InheritedOverride[] = [];
  const decided = new Set<string>();
  for (const code of chain) {
    for (const o of doc.overrides) {
      const slot = `${o.channel}|${o.field}`;
      if (o.locale !== code || decided.has(slot)) continue;
      decided.add(slot);
      out.push(code === first ? o : { ...o, locale: first, from: code });
    }
    // A base text in this locale decides every channel that has no override here.
    for (const o of doc.overrides) {
      const base = doc[o.field];
      if (base && typeof base === "object" && (base as Localized)[code] !== undefined) decided.add(`${o.channel}|${o.field}`);
    }
  }
  return out;
}

/**
 * Picks the response locale: `?locale=` wins (unknown → 400), then the best
 * `Accept-Language` match by q-value (exact tag, then its language), then the default.
 */
export function negotiateLocale(set: LocaleSet, query: string | undefined, acceptLanguage: string | undefined): string {
  if (query) {
    if (set.byCode.has(query)) return query;
    throw new ApiError("unsupported_locale", `Locale "${query}" is not configured. Available: ${set.rows.map((r) => r.code).join(", ")}.`);
  }
  if (acceptLanguage) {
    const ranges = acceptLanguage
      .split(",")
      .map((part, index) => {
        const [tag = "", ...params] = part.trim().split(";");
        const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
        return { tag: tag.trim(), q: q ? Number(q.slice(2)) : 1, index };
      })
      .filter((r) => r.tag && Number.isFinite(r.q) && r.q > 0)
      .sort((a, b) => b.q - a.q || a.index - b.index);
    for (const { tag } of ranges) {
      if (tag === "*") return set.default.code;
      const exact = set.rows.find((r) => r.code.toLowerCase() === tag.toLowerCase());
      if (exact) return exact.code;
      const language = tag.split("-")[0]?.toLowerCase();
      const partial = set.rows.find((r) => r.code.toLowerCase() === language);
      if (partial) return partial.code;
    }
  }
  return set.default.code;
}

export const LocaleDtoSchema = z
  .object({
    code: z.string().openapi({ example: "fr" }),
    name: z.string().openapi({ example: "Français" }),
    fallback: z.string().nullable().openapi({ example: "en" }),
    default: z.boolean(),
    currency: z.string().openapi({ example: "EUR" }),
    fallbackChain: z.array(z.string()).openapi({ example: ["fr", "en"] }),
    version: z.number().int(),
  })
  .openapi("LocaleInfo");

export function localeDto(set: LocaleSet, row: LocaleRow) {
  return {
    code: row.code,
    name: row.name,
    fallback: row.fallback,
    default: row.isDefault,
    currency: row.currency,
    fallbackChain: fallbackChain(set, row.code),
    version: row.version,
  };
}

/** Every locale, archived ones included (for editors). */
export async function listAllLocales(db: Database): Promise<LocaleRow[]> {
  return db.orm.select().from(locales).orderBy(asc(locales.position), asc(locales.code));
}

/**
 * Writes a locale (create when `expectedVersion` is null). Keeps exactly one
 * default: making one the default clears the flag elsewhere in the same atomic unit.
 */
export async function saveLocale(
  db: Database,
  doc: { code: string; name: string; fallback: string | null; default: boolean; currency: string; position?: number },
  expectedVersion: number | null,
  now: Date,
  actorKeyId: string | null = null,
): Promise<LocaleRow> {
  const all = await listAllLocales(db);
  const existing = all.find((l) => l.code === doc.code);
  if (expectedVersion === null && existing) throw new ApiError("already_exists", `Locale "${doc.code}" already exists.`);
  if (expectedVersion !== null && !existing) throw new ApiError("not_found", `No locale "${doc.code}".`);
  if (doc.fallback !== null && !all.some((l) => l.code === doc.fallback && !l.archived)) {
    throw new ApiError("invalid_reference", `Fallback locale "${doc.fallback}" does not exist.`);
  }
  if (doc.fallback === doc.code) throw new ApiError("invalid_reference", "A locale cannot fall back to itself.");
  const isDefault = doc.default || all.filter((l) => !l.archived && l.code !== doc.code).every((l) => !l.isDefault);
  if (existing?.isDefault && !doc.default) {
    throw new ApiError("conflict", "Make another locale the default instead of unsetting this one.");
  }
  const at = now.toISOString();
  const row: LocaleRow = {
    code: doc.code,
    name: doc.name,
    fallback: doc.fallback,
    isDefault,
    currency: doc.currency,
    position: doc.position ?? existing?.position ?? all.length,
    archived: false,
    version: (existing?.version ?? 0) + 1,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
  };
  const token = newId("wt");
  try {
    await db.atomic((orm) => [
      existing
        ? orm
            .update(locales)
            .set(row)
            .where(and(eq(locales.code, doc.code), eq(locales.version, expectedVersion ?? 0)))
        : orm.insert(locales).values(row),
      guardWhen(token, sql`SELECT changes()`),
      ...(isDefault ? [orm.update(locales).set({ isDefault: false }).where(sql`${locales.code} <> ${doc.code}`)] : []),
      orm.insert(auditLog).values({
        id: newId("aud"),
        at,
        keyId: actorKeyId,
        action: existing ? "locale.update" : "locale.create",
        entityType: "locale",
        entityKey: doc.code,
        fromVersion: existing?.version ?? null,
        toVersion: row.version,
      }),
      releaseGuard(token),
    ]);
  } catch (error) {
    if (isGuardFailure(error)) {
      throw new ApiError("precondition_failed", "This locale changed since you read it.", { extra: { currentVersion: existing?.version } });
    }
    throw error;
  }
  return row;
}

/** Archives a locale: delivery stops offering it; documents keep their text in it. The default cannot be archived. */
export async function archiveLocale(
  db: Database,
  code: string,
  expectedVersion: number,
  now: Date,
  actorKeyId: string | null = null,
): Promise<LocaleRow> {
  const all = await listAllLocales(db);
  const existing = all.find((l) => l.code === code);
  if (!existing || existing.archived) throw new ApiError("not_found", `No active locale "${code}".`);
  if (existing.isDefault) throw new ApiError("conflict", "The default locale cannot be archived; make another locale the default first.");
  const dependants = all.filter((l) => !l.archived && l.fallback === code).map((l) => l.code);
  if (dependants.length)
    throw new ApiError("conflict", `Locales ${dependants.join(", ")} fall back to "${code}"; change their fallback first.`);
  const at = now.toISOString();
  const token = newId("wt");
  try {
    await db.atomic((orm) => [
      orm
        .update(locales)
        .set({ archived: true, version: expectedVersion + 1, updatedAt: at })
        .where(and(eq(locales.code, code), eq(locales.version, expectedVersion))),
      guardWhen(token, sql`SELECT changes()`),
      orm.insert(auditLog).values({
        id: newId("aud"),
        at,
        keyId: actorKeyId,
        action: "locale.archive",
        entityType: "locale",
        entityKey: code,
        fromVersion: expectedVersion,
        toVersion: expectedVersion + 1,
      }),
      releaseGuard(token),
    ]);
  } catch (error) {
    if (isGuardFailure(error))
      throw new ApiError("precondition_failed", "This locale changed since you read it.", { extra: { currentVersion: existing.version } });
    throw error;
  }
  return { ...existing, archived: true, version: expectedVersion + 1, updatedAt: at };
}

/** Every localized text map in a document, with its JSON Pointer (overrides, options, prices and facts are not localized). */
export function localizedFields(value: unknown, pointer: string, out: { pointer: string; map: Record<string, string> }[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      localizedFields(v, `${pointer}/${i}`, out);
    });
    return;
  }
  if (!value || typeof value !== "object") return;
  const LOCALIZED = ["title", "summary", "description", "body", "short", "label", "value", "confirmation", "alt", "name"];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === "overrides" || k === "options" || k === "prices" || k === "compareAtPrices" || k === "facts") continue;
    if (LOCALIZED.includes(k) && v && typeof v === "object" && !Array.isArray(v)) {
      out.push({ pointer: `${pointer}/${k}`, map: v as Record<string, string> });
    } else localizedFields(v, `${pointer}/${k}`, out);
  }
}

/**
 * The locale rules of a document written through the editors' API, as the
 * content import applies them: every localized field has the default locale,
 * and only configured locales. 400 with a JSON Pointer per problem.
 *
 * @example
 * await checkDocumentLocales(db, doc); // throws validation_failed for { title: { fr: "…" } } when en is the default
 */
export async function checkDocumentLocales(db: Database, doc: unknown): Promise<void> {
  // A server with no locale yet (before its first import) has nothing to check against.
  const rows = await listAllLocales(db);
  if (!rows.some((r) => !r.archived)) return;
  const set = await loadLocales(db);
  const fields: { pointer: string; map: Record<string, string> }[] = [];
  localizedFields(doc, "", fields);
  const errors: FieldError[] = [];
  for (const { pointer, map } of fields) {
    if (map[set.default.code] === undefined) {
      errors.push({ in: "body", pointer, code: "missing_default_locale", message: `Missing the default locale "${set.default.code}".` });
    }
    for (const code of Object.keys(map)) {
      if (!set.byCode.has(code)) {
        errors.push({
          in: "body",
          pointer: `${pointer}/${code}`,
          code: "unknown_locale",
          message: `"${code}" is not a configured locale.`,
        });
      }
    }
  }
  if (errors.length)
    throw new ApiError("validation_failed", `The document breaks the locale rules: ${errors.length} problem(s).`, { extra: { errors } });
}
