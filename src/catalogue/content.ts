/**
 * One source as files: the content bundle (locales, products, messages,
 * actions), its validation, import and export. Runtime-neutral — the CLI reads
 * and writes directories (`src/cli/content-files.ts`); the admin API takes the
 * same bundle as JSON.
 *
 * Import validates everything first and writes nothing when anything is wrong;
 * it is idempotent (unchanged entities are not written and get no revision);
 * export writes the canonical form, so import-then-export reproduces the files
 * byte for byte.
 */

import { z } from "@hono/zod-openapi";
import { and, asc, eq, inArray, ne, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { entries, inventory, locales as localesTable, revisions } from "../db/schema";
import { type FieldError, zodIssuesToFieldErrors } from "../lib/errors";
import { actionKind } from "./actions";
import type { PageBuilder } from "./answers";
import { type DeliveryCounts, DeliveryFile, type DeliveryOptionDoc, readDeliveryOptions, saveDeliveryOptions } from "./delivery";
import { ActionDoc, LocaleDoc, MessageDoc, OVERRIDABLE_FIELDS, ProductDoc, Variant } from "./documents";
import {
  createEntry,
  createPublishedStatements,
  type EntityKind,
  type EntryRow,
  publishEntry,
  restoreEntry,
  serialize,
  updateDraft,
  type WriteContext,
} from "./entries";
import { listAllLocales, localizedFields, saveLocale } from "./locales";
import { messageKind } from "./messages";
import { dueAnswerCount, inventoryInserts, productKind, refreshProductAnswers, setStock } from "./products";

/** A product file: the document, with each variant's stock (which goes to inventory). */
export const ProductFile = ProductDoc.extend({
  variants: z
    .array(Variant.extend({ stock: z.number().int().min(0).max(10_000_000).default(0) }))
    .min(1)
    .max(100),
}).openapi("ProductFile");
export type ProductFile = z.infer<typeof ProductFile>;

export const LocalesFile = z.array(LocaleDoc).min(1).max(50);

export interface RawFile {
  /** Where it came from, for problem reports: `products/wool-hat.json`, or `products[3]` for JSON bodies. */
  path: string;
  data: unknown;
  /** Why the file could not be read (invalid JSON, with line and column): a problem of its own; `data` is then undefined. */
  unreadable?: string;
}

export interface ContentBundle {
  locales: RawFile | null;
  /** `delivery.json`; null leaves the stored delivery options as they are. */
  delivery?: RawFile | null;
  products: RawFile[];
  messages: RawFile[];
  actions: RawFile[];
}

export interface ContentProblem {
  file: string;
  pointer: string;
  message: string;
}

export interface ParsedBundle {
  locales: LocaleDoc[] | null;
  delivery: DeliveryOptionDoc[] | null;
  products: ProductFile[];
  messages: MessageDoc[];
  actions: ActionDoc[];
}

export type EntityCounts = { created: number; updated: number; unchanged: number };
export interface ImportReport {
  problems: ContentProblem[];
  locales: EntityCounts;
  products: EntityCounts;
  messages: EntityCounts;
  actions: EntityCounts;
  delivery: DeliveryCounts;
}

/** Product files per slice of an import: read, looked up and (new ones) created and published in one atomic write. */
const BULK_CHUNK = 200;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The canonical text of a content file. */
export function fileText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Wraps a JSON body (`{ locales, products, messages, actions }`) as a bundle with synthetic paths. */
export function bundleFromJson(body: {
  locales?: unknown;
  delivery?: unknown;
  products?: unknown[];
  messages?: unknown[];
  actions?: unknown[];
}): ContentBundle {
  const list = (name: string, items: unknown[] | undefined) => (items ?? []).map((data, i) => ({ path: `${name}[${i}]`, data }));
  return {
    locales: body.locales === undefined ? null : { path: "locales", data: body.locales },
    delivery: body.delivery === undefined ? null : { path: "delivery", data: body.delivery },
    products: list("products", body.products),
    messages: list("messages", body.messages),
    actions: list("actions", body.actions),
  };
}

function fromFieldErrors(file: string, errors: FieldError[]): ContentProblem[] {
  return errors.map((e) => ({ file, pointer: e.pointer, message: e.message }));
}

/**
 * The validation of a bundle, one file at a time: locales when it is made, then each product file as it
 * is read ({@link BundleValidator.product}), then messages, actions and delivery ({@link BundleValidator.rest}).
 * Problems accumulate in order; what it keeps between product files is their keys (slug and SKUs, with the
 * file that used each first), never their documents.
 */
interface BundleValidator {
  readonly problems: ContentProblem[];
  readonly locales: LocaleDoc[] | null;
  product(file: RawFile): ProductFile | null;
  rest(bundle: Pick<ContentBundle, "delivery" | "messages" | "actions">): Omit<ParsedBundle, "locales" | "products">;
}

function bundleValidator(head: Pick<ContentBundle, "locales">, existingLocales: LocaleDoc[]): BundleValidator {
  const problems: ContentProblem[] = [];
  const parse = <T>(schema: z.ZodType<T, unknown>, file: RawFile): T | null => {
    const result = schema.safeParse(file.data);
    if (result.success) return result.data;
    problems.push(...fromFieldErrors(file.path, zodIssuesToFieldErrors(result.error.issues, "body")));
    return null;
  };

  const locales = head.locales ? parse(LocalesFile as z.ZodType<LocaleDoc[], unknown>, head.locales) : null;
  const effectiveLocales = locales ?? existingLocales;
  if (head.locales && locales) {
    const defaults = locales.filter((l) => l.default);
    if (defaults.length !== 1)
      problems.push({
        file: head.locales.path,
        pointer: "",
        message: `Exactly one locale must be the default (found ${defaults.length}).`,
      });
    const codes = new Set<string>();
    locales.forEach((l, i) => {
      if (codes.has(l.code)) problems.push({ file: head.locales!.path, pointer: `/${i}/code`, message: `Duplicate locale "${l.code}".` });
      codes.add(l.code);
    });
    locales.forEach((l, i) => {
      if (l.fallback !== null && !codes.has(l.fallback)) {
        problems.push({
          file: head.locales!.path,
          pointer: `/${i}/fallback`,
          message: `Fallback "${l.fallback}" is not a configured locale.`,
        });
      }
    });
  }
  if (!effectiveLocales.length) problems.push({ file: "locales.json", pointer: "", message: "No locales: add locales.json." });
  const known = new Set(effectiveLocales.map((l) => l.code));
  const defaultCode = effectiveLocales.find((l) => l.default)?.code;

  const checkFile = (
    file: RawFile,
    key: string,
    keyField: string,
    type: keyof typeof OVERRIDABLE_FIELDS,
    data: Record<string, unknown>,
  ) => {
    const base = file.path.split("/").pop() ?? "";
    if (base.endsWith(".json") && base !== `${key}.json`) {
      problems.push({ file: file.path, pointer: `/${keyField}`, message: `The file name must be "${key}.json" (its ${keyField}).` });
    }
    checkLocales(file, type, data);
  };
  /** Locale rules, also run on files that failed their schema so that one pass reports everything. */
  const checkLocales = (file: RawFile, type: keyof typeof OVERRIDABLE_FIELDS | "delivery", data: Record<string, unknown>, at = "") => {
    const fields: { pointer: string; map: Record<string, string> }[] = [];
    localizedFields(data, at, fields);
    for (const { pointer, map } of fields) {
      if (defaultCode && map[defaultCode] === undefined)
        problems.push({ file: file.path, pointer, message: `Missing the default locale "${defaultCode}".` });
      for (const code of Object.keys(map)) {
        if (!known.has(code))
          problems.push({ file: file.path, pointer: `${pointer}/${code}`, message: `"${code}" is not a configured locale.` });
      }
    }
    const overrides = Array.isArray(data.overrides) ? (data.overrides as { field: string; locale: string }[]) : [];
    overrides.forEach((o, i) => {
      if (type === "delivery" || !(OVERRIDABLE_FIELDS[type] as readonly string[]).includes(o.field)) {
        problems.push({ file: file.path, pointer: `/overrides/${i}/field`, message: `"${o.field}" cannot be overridden.` });
      }
      if (!known.has(o.locale))
        problems.push({ file: file.path, pointer: `/overrides/${i}/locale`, message: `"${o.locale}" is not a configured locale.` });
    });
  };

  const uniqueKeys = { products: new Map<string, string>(), messages: new Map<string, string>(), actions: new Map<string, string>() };
  const skus = new Map<string, string>();

  const product = (file: RawFile): ProductFile | null => {
    if (file.unreadable !== undefined) {
      problems.push({ file: file.path, pointer: "", message: file.unreadable });
      return null;
    }
    const doc = parse(ProductFile as unknown as z.ZodType<ProductFile, unknown>, file);
    if (!doc) {
      if (isObject(file.data)) checkLocales(file, "product", file.data);
      return null;
    }
    checkFile(file, doc.slug, "slug", "product", doc as unknown as Record<string, unknown>);
    const other = uniqueKeys.products.get(doc.slug);
    if (other) problems.push({ file: file.path, pointer: "/slug", message: `Slug "${doc.slug}" is also used by ${other}.` });
    uniqueKeys.products.set(doc.slug, file.path);
    doc.variants.forEach((v, i) => {
      const owner = skus.get(v.sku);
      if (owner) problems.push({ file: file.path, pointer: `/variants/${i}/sku`, message: `SKU ${v.sku} is also used by ${owner}.` });
      skus.set(v.sku, file.path);
    });
    return doc;
  };

  const simple = <T extends { key: string }>(
    files: RawFile[],
    schema: z.ZodType<T, unknown>,
    type: "message" | "action",
    map: Map<string, string>,
  ) => {
    const out: T[] = [];
    for (const file of files) {
      const doc = parse(schema, file);
      if (!doc) {
        if (isObject(file.data)) checkLocales(file, type, file.data);
        continue;
      }
      checkFile(file, doc.key, "key", type, doc as unknown as Record<string, unknown>);
      const other = map.get(doc.key);
      if (other) problems.push({ file: file.path, pointer: "/key", message: `Key "${doc.key}" is also used by ${other}.` });
      map.set(doc.key, file.path);
      out.push(doc);
    }
    return out;
  };
  const rest = (bundle: Pick<ContentBundle, "delivery" | "messages" | "actions">) => {
    const messages = simple(bundle.messages, MessageDoc as unknown as z.ZodType<MessageDoc, unknown>, "message", uniqueKeys.messages);
    const actions = simple(bundle.actions, ActionDoc as unknown as z.ZodType<ActionDoc, unknown>, "action", uniqueKeys.actions);
    const keywords = new Map<string, string>();
    for (const a of actions) {
      const other = keywords.get(a.keyword);
      if (other)
        problems.push({
          file: uniqueKeys.actions.get(a.key) ?? a.key,
          pointer: "/keyword",
          message: `Keyword ${a.keyword} is also used by ${other}.`,
        });
      keywords.set(a.keyword, a.key);
    }
    const delivery = bundle.delivery ? parse(DeliveryFile as unknown as z.ZodType<DeliveryOptionDoc[], unknown>, bundle.delivery) : null;
    if (bundle.delivery && Array.isArray(bundle.delivery.data)) {
      const file = bundle.delivery;
      (file.data as unknown[]).forEach((option, i) => {
        if (!isObject(option)) return;
        checkLocales({ path: file.path, data: option }, "delivery", option, `/${i}`);
        // An option is priced in every currency the shop sells in: no channel falls back to another currency.
        const prices = isObject(option.prices) ? option.prices : {};
        for (const currency of new Set(effectiveLocales.map((l) => l.currency))) {
          if (prices[currency] === undefined)
            problems.push({
              file: file.path,
              pointer: `/${i}/prices`,
              message: `No price in ${currency} (the currency of a configured locale).`,
            });
        }
      });
    }
    return { delivery, messages, actions };
  };
  return { problems, locales, product, rest };
}

/**
 * Validates a whole bundle: every file against its schema, then the rules that
 * span files. Reports every problem (file + JSON Pointer), not just the first.
 */
export function validateBundle(
  bundle: ContentBundle,
  existingLocales: LocaleDoc[] = [],
): { ok: true; parsed: ParsedBundle } | { ok: false; problems: ContentProblem[] } {
  const validator = bundleValidator(bundle, existingLocales);
  const products: ProductFile[] = [];
  for (const file of bundle.products) {
    const doc = validator.product(file);
    if (doc) products.push(doc);
  }
  const rest = validator.rest(bundle);
  if (validator.problems.length) return { ok: false, problems: validator.problems };
  return { ok: true, parsed: { locales: validator.locales, products, ...rest } };
}

function localeDocOf(row: typeof localesTable.$inferSelect): LocaleDoc {
  return { code: row.code, name: row.name, fallback: row.fallback, default: row.isDefault, currency: row.currency };
}

interface Existing {
  entry: EntryRow;
  publishedText: string | null;
}

/** A subquery of the given strings (one bound parameter, a JSON array: D1 allows at most 100 per statement). */
const listed = (values: readonly string[]) => sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;

/** The entries of one type, by key (with the text of each one's published revision): all of them, or only those keys. */
async function existingEntries(db: Database, type: EntityKind<never>["type"], keys?: readonly string[]): Promise<Map<string, Existing>> {
  const rows = await db.orm
    .select({ entry: entries, publishedText: revisions.document })
    .from(entries)
    .leftJoin(revisions, eq(revisions.id, entries.publishedRevisionId))
    .where(keys ? and(eq(entries.type, type), inArray(entries.key, listed(keys))) : eq(entries.type, type));
  return new Map(rows.map((r) => [r.entry.key, { entry: r.entry, publishedText: r.publishedText }]));
}

/** The stock rows of some SKUs. */
async function stockOf(db: Database, skus: readonly string[]): Promise<Map<string, { stock: number; version: number; entryId: string }>> {
  const rows = await db.orm
    .select({ sku: inventory.sku, stock: inventory.stock, version: inventory.version, entryId: inventory.entryId })
    .from(inventory)
    .where(inArray(inventory.sku, listed(skus)));
  return new Map(rows.map((r) => [r.sku, r]));
}

/** Product files read one at a time: `count` of them, and `read()` yields them in order, again on each call. */
export interface ProductSource {
  count: number;
  read(): AsyncIterable<RawFile>;
}

/** A bundle whose product files are read as they are needed: a content directory of any size in bounded memory. */
export interface ContentSource extends Omit<ContentBundle, "products"> {
  products: ProductSource;
}

function productSource(products: RawFile[] | ProductSource): ProductSource {
  if (!Array.isArray(products)) return products;
  return {
    count: products.length,
    async *read() {
      yield* products;
    },
  };
}

/** Reads an async sequence in slices of `size` (the last one shorter). */
async function* slices<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let slice: T[] = [];
  for await (const item of items) {
    slice.push(item);
    if (slice.length === size) {
      yield slice;
      slice = [];
    }
  }
  if (slice.length) yield slice;
}

/**
 * Imports a bundle. Nothing is written when any file has a problem.
 *
 * Product files are read twice, a slice at a time — once to validate them all (and check that no SKU
 * belongs to another product), then to write them — so memory holds one slice of documents and the
 * keys seen, whatever the catalogue's size; a {@link ContentSource} reads them from disk each time.
 * `onProgress` is told of each pass (`validated`, then `imported`).
 *
 * @example
 * const report = await importContent(db, bundle, { keyId: null, now: new Date() });
 * if (report.problems.length) console.error(report.problems);
 */
export async function importContent(
  db: Database,
  bundle: ContentBundle | ContentSource,
  ctx: WriteContext,
  options: {
    publish?: boolean;
    dryRun?: boolean;
    onProgress?: (done: number, total: number, pass: "validated" | "imported" | "answered") => void;
    /** Builds the products' stored pages with their answers (src/channels/pages.ts). */
    pages?: PageBuilder | undefined;
  } = {},
): Promise<ImportReport> {
  const publish = options.publish ?? true;
  const zero = (): EntityCounts => ({ created: 0, updated: 0, unchanged: 0 });
  const report: ImportReport = {
    problems: [],
    locales: zero(),
    products: zero(),
    messages: zero(),
    actions: zero(),
    delivery: { ...zero(), removed: 0 },
  };
  const files = productSource(bundle.products);
  const total = files.count + bundle.messages.length + bundle.actions.length;
  const counter = (pass: "validated" | "imported") => {
    let done = 0;
    return (n = 1) => {
      if (n === 0) return;
      const before = done;
      done += n;
      if (options.onProgress && (Math.floor(done / 500) > Math.floor(before / 500) || done === total))
        options.onProgress(done, total, pass);
    };
  };

  // First pass: every file validated, nothing written. SKUs already owned by another product are a problem
  // like any other, reported (once the files themselves are valid) before anything is written.
  const currentLocales = (await listAllLocales(db)).filter((l) => !l.archived);
  const validator = bundleValidator(bundle, currentLocales.map(localeDocOf));
  const skuProblems: ContentProblem[] = [];
  const validated = counter("validated");
  for await (const slice of slices(files.read(), BULK_CHUNK)) {
    const docs = slice.map((file) => ({ file, doc: validator.product(file) }));
    validated(slice.length);
    if (validator.problems.length) continue;
    const owners = await existingEntries(
      db,
      "product",
      docs.map((d) => d.doc!.slug),
    );
    const stock = await stockOf(
      db,
      docs.flatMap((d) => d.doc!.variants.map((v) => v.sku)),
    );
    for (const { file, doc } of docs) {
      const own = owners.get(doc!.slug)?.entry.id;
      doc!.variants.forEach((v, i) => {
        const owner = stock.get(v.sku)?.entryId;
        if (owner && owner !== own) {
          skuProblems.push({ file: file.path, pointer: `/variants/${i}/sku`, message: `SKU ${v.sku} belongs to another product.` });
        }
      });
    }
  }
  const parsed = validator.rest(bundle);
  validated(bundle.messages.length + bundle.actions.length);
  if (validator.problems.length) return { ...report, problems: validator.problems };
  if (skuProblems.length) return { ...report, problems: skuProblems };

  // Locales first: documents are validated against them. Fallback targets before the locales that use them.
  if (validator.locales) {
    const pending = [...validator.locales].sort((a, b) => Number(b.default) - Number(a.default));
    const done = new Set(currentLocales.map((l) => l.code));
    for (let guard = 0; pending.length && guard < 100; guard++) {
      const doc = pending.shift()!;
      if (doc.fallback && !done.has(doc.fallback) && pending.some((p) => p.code === doc.fallback)) {
        pending.push(doc);
        continue;
      }
      const existing = currentLocales.find((l) => l.code === doc.code);
      const position = validator.locales.indexOf(doc);
      if (existing && JSON.stringify(localeDocOf(existing)) === JSON.stringify(doc) && existing.position === position) {
        report.locales.unchanged++;
      } else if (!options.dryRun) {
        await saveLocale(db, { ...doc, position }, existing ? existing.version : null, ctx.now, ctx.keyId);
        report.locales[existing ? "updated" : "created"]++;
      } else report.locales[existing ? "updated" : "created"]++;
      done.add(doc.code);
    }
  }

  // Delivery options have no drafts: like locales, they take effect on import.
  if (parsed.delivery) report.delivery = await saveDeliveryOptions(db, parsed.delivery, ctx, { dryRun: options.dryRun ?? false });

  // Second pass, a slice at a time: what each file changes, read against the stored entries and stock of
  // that slice only. New products that go live are created and published in bulk, a slice per atomic unit.
  const imported = counter("imported");
  for await (const slice of slices(files.read(), BULK_CHUNK)) {
    const docs = slice.map((file) => {
      const checked = (ProductFile as unknown as z.ZodType<ProductFile, unknown>).safeParse(file.data);
      // Validated in the first pass: a file that fails now was changed during the import.
      if (!checked.success) throw new Error(`${file.path} changed during the import; run it again.`);
      return checked.data;
    });
    const products = await existingEntries(
      db,
      "product",
      docs.map((d) => d.slug),
    );
    const stockNow = await stockOf(
      db,
      docs.flatMap((d) => d.variants.map((v) => v.sku)),
    );
    const fresh: { doc: ProductDoc; variants: ProductFile["variants"] }[] = [];
    for (const file of docs) {
      const { variants, ...rest } = file;
      const doc = ProductDoc.parse({ ...rest, variants: variants.map(({ stock: _s, ...v }) => v) });
      const text = serialize(doc);
      const found = products.get(doc.slug);
      imported();
      if (!found && publish) {
        report.products.created++;
        fresh.push({ doc, variants });
        continue;
      }
      const stockChanges = variants.filter((v) => stockNow.get(v.sku)?.stock !== v.stock);
      const draftSame = !!found && found.entry.draft === text && found.entry.status !== "archived";
      const liveSame = !publish || found?.publishedText === text;
      if (draftSame && liveSame && stockChanges.length === 0) {
        report.products.unchanged++;
        continue;
      }
      report.products[found ? "updated" : "created"]++;
      if (options.dryRun) continue;
      let entry = found?.entry ?? null;
      if (!entry) {
        entry = await createEntry(db, productKind, ctx, doc, (orm, id) => inventoryInserts(orm, id, variants, ctx.now.toISOString()));
      } else {
        if (entry.status === "archived") entry = await restoreEntry(db, productKind, ctx, entry, entry.version);
        const current = entry;
        if (current.draft !== text) {
          entry = await updateDraft(db, productKind, ctx, current, current.version, doc, {
            extra: (orm) =>
              inventoryInserts(
                orm,
                current.id,
                variants.filter((v) => !stockNow.has(v.sku)),
                ctx.now.toISOString(),
              ),
          });
        }
        for (const v of variants) {
          const row = stockNow.get(v.sku);
          if (row && row.stock !== v.stock) await setStock(db, v.sku, v.stock, row.version, ctx.now);
        }
      }
      if (publish && (found?.publishedText !== text || entry.status !== "published")) {
        await publishEntry(db, productKind, ctx, entry, entry.version);
      }
    }
    if (!options.dryRun && fresh.length) {
      const now = ctx.now.toISOString();
      await db.atomic((orm) =>
        fresh.flatMap(({ doc, variants }) =>
          createPublishedStatements(orm, productKind, ctx, doc, (o, id) => inventoryInserts(o, id, variants, now)),
        ),
      );
    }
  }

  const simple = async <D extends MessageDoc | ActionDoc>(docs: D[], kind: EntityKind<D>, counts: EntityCounts) => {
    const existing = await existingEntries(db, kind.type);
    for (const doc of docs) {
      const text = serialize(doc);
      const found = existing.get(doc.key);
      imported();
      if (found && found.entry.draft === text && (!publish || found.publishedText === text) && found.entry.status !== "archived") {
        counts.unchanged++;
        continue;
      }
      counts[found ? "updated" : "created"]++;
      if (options.dryRun) continue;
      let entry = found?.entry ?? (await createEntry(db, kind, ctx, doc));
      if (entry.status === "archived") entry = await restoreEntry(db, kind, ctx, entry, entry.version);
      if (found && entry.draft !== text) entry = await updateDraft(db, kind, ctx, entry, entry.version, doc);
      if (publish) entry = await publishEntry(db, kind, ctx, entry, entry.version);
    }
  };
  await simple(parsed.messages, messageKind, report.messages);
  await simple(parsed.actions, actionKind, report.actions);
  // The stored answers of every product the import moved (src/catalogue/answers.ts), a batch per atomic unit.
  if (!options.dryRun) {
    const onProgress = options.onProgress;
    const due = onProgress ? await dueAnswerCount(db) : 0;
    let answered = 0;
    const onBatch = (n: number) => {
      const before = answered;
      answered += n;
      if (Math.floor(answered / 500) > Math.floor(before / 500) || answered === due) onProgress?.(answered, due, "answered");
    };
    await refreshProductAnswers(db, { all: true, pages: options.pages, ...(due ? { onBatch } : {}) });
  }
  return report;
}

/**
 * The whole catalogue (non-archived drafts, current stock, locales) as canonical files. With
 * `published`, each entity's published revision instead, and only entities that are live: what a
 * deploy copies, so an unpublished edit does not go live by import.
 */
export async function exportContent(db: Database, options: { published?: boolean } = {}): Promise<{ path: string; text: string }[]> {
  const files: { path: string; text: string }[] = [];
  for await (const file of contentFiles(db, options)) files.push(file);
  return files;
}

/** Entities read per page by {@link contentFiles}. */
const EXPORT_PAGE = 200;

/**
 * {@link exportContent}'s files one at a time, in the same order, reading the entries a page of 200 at a
 * time (keyset on type and key) with the stock of that page only: `unison export` writes each file as it
 * comes, so its memory does not grow with the catalogue (100,000 products).
 *
 * @example
 * for await (const file of contentFiles(db)) await writeFile(join(dir, file.path), file.text);
 */
export async function* contentFiles(
  db: Database,
  options: { published?: boolean /** Entities per page (tests: several pages of a small catalogue). */; pageSize?: number } = {},
): AsyncGenerator<{ path: string; text: string }> {
  const localeRows = (
    await db.orm
      .select()
      .from(localesTable)
      .where(eq(localesTable.archived, false))
      .orderBy(asc(localesTable.position), asc(localesTable.code))
  ).map(localeDocOf);
  yield { path: "locales.json", text: fileText(localeRows) };
  const delivery = await readDeliveryOptions(db);
  if (delivery.length) yield { path: "delivery.json", text: fileText(delivery) };
  let after: { type: string; key: string } | null = null;
  for (;;) {
    const page: { id: string; type: string; key: string; draft: string; published: string | null }[] = await db.orm
      .select({ id: entries.id, type: entries.type, key: entries.key, draft: entries.draft, published: revisions.document })
      .from(entries)
      .leftJoin(revisions, eq(revisions.id, entries.publishedRevisionId))
      .where(
        and(
          options.published ? eq(entries.status, "published") : ne(entries.status, "archived"),
          after ? sql`(${entries.type}, ${entries.key}) > (${after.type}, ${after.key})` : undefined,
        ),
      )
      .orderBy(asc(entries.type), asc(entries.key))
      .limit(options.pageSize ?? EXPORT_PAGE);
    if (!page.length) return;
    // The page's stock in one statement with one parameter (`listed`: D1 binds at most 100).
    const productIds = page.filter((row) => row.type === "product").map((row) => row.id);
    const stock = new Map<string, number>();
    if (productIds.length) {
      const rows = await db.orm
        .select({ sku: inventory.sku, stock: inventory.stock })
        .from(inventory)
        .where(inArray(inventory.entryId, listed(productIds)));
      for (const row of rows) stock.set(row.sku, row.stock);
    }
    for (const row of page) {
      const doc = JSON.parse(options.published && row.published ? row.published : row.draft) as Record<string, unknown>;
      if (row.type === "product") {
        const product = doc as unknown as ProductDoc;
        const withStock = ProductFile.parse({
          ...product,
          variants: product.variants.map((v) => ({ ...v, stock: stock.get(v.sku) ?? 0 })),
        });
        yield { path: `products/${row.key}.json`, text: fileText(withStock) };
      } else {
        yield { path: `${row.type}s/${row.key}.json`, text: fileText(doc) };
      }
    }
    const last = page.at(-1)!;
    after = { type: last.type, key: last.key };
  }
}
