/**
 * Delivery options: how an order reaches the customer (standard, express, pick-up …), with a localized
 * name, a price per currency and a lead time in days. Editors define them in `content/delivery.json`;
 * every channel that offers checkout reads them from here, so each offers the same options with the
 * same names and prices (docs/channels.md, rule 3: prices are formatted once, by {@link money}).
 *
 * Like locales they have no draft state: an import applies them, and an export writes them back.
 */
import { z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import { type Database, memoized, prepared } from "../db/client";
import { auditLog, deliveryOptions } from "../db/schema";
import { newId } from "../lib/ids";
import { CurrencyCode, Key, localized, sortedRecord } from "./documents";
import { fallbackChain, type LocaleSet, loadLocales, resolveText } from "./locales";
import { type Money, MoneySchema, money } from "./money";
import { priceIn } from "./products";

export const DELIVERY_KINDS = ["shipping", "pickup"] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export const DeliveryOptionDoc = z
  .strictObject({
    key: Key.openapi({ example: "standard" }),
    name: localized(60).openapi({ example: { en: "Standard delivery", fr: "Livraison standard" } }),
    /** `pickup` needs no street address: the customer collects the order at the shop. */
    kind: z.enum(DELIVERY_KINDS).default("shipping"),
    prices: z
      .record(CurrencyCode, z.number().int().min(0).max(100_000_000))
      .refine((p) => Object.keys(p).length > 0, "At least one price.")
      .openapi({ description: "Price per currency, in minor units (cents); 0 is free.", example: { EUR: 490 } })
      .transform(sortedRecord),
    freeOver: z
      .record(CurrencyCode, z.number().int().min(0).max(1_000_000_000))
      .openapi({ description: "Free when the order's subtotal reaches this amount, per currency, in minor units.", example: { EUR: 7500 } })
      .transform(sortedRecord)
      .optional(),
    leadTimeDays: z
      .strictObject({ min: z.number().int().min(0).max(365), max: z.number().int().min(0).max(365) })
      .refine((d) => d.min <= d.max, { message: "min must not be more than max.", path: ["max"] })
      .openapi({ description: "Business days from order to delivery (or to ready for pick-up).", example: { min: 2, max: 4 } }),
    enabled: z.boolean().default(true),
  })
  .openapi("DeliveryOptionDocument");
export type DeliveryOptionDoc = z.infer<typeof DeliveryOptionDoc>;

/** `content/delivery.json`: the options in the order channels offer them. */
export const DeliveryFile = z
  .array(DeliveryOptionDoc)
  .max(20)
  .superRefine((options, ctx) => {
    const seen = new Set<string>();
    options.forEach((o, i) => {
      if (seen.has(o.key)) ctx.addIssue({ code: "custom", path: [i, "key"], message: `Key "${o.key}" is used twice.` });
      seen.add(o.key);
    });
  });

export const DeliveryOptionViewSchema = z
  .object({
    key: z.string().openapi({ example: "standard" }),
    name: z.string().openapi({ example: "Standard delivery" }),
    kind: z.enum(DELIVERY_KINDS),
    price: MoneySchema,
    freeOver: MoneySchema.nullable().openapi({ description: "The subtotal from which this option is free; null when it never is." }),
    leadTimeDays: z.object({ min: z.number().int(), max: z.number().int() }).openapi({ example: { min: 2, max: 4 } }),
    leadTime: z.string().openapi({ description: "The lead time, worded once for the locale.", example: "2–4 business days" }),
  })
  .openapi("DeliveryOption");
export type DeliveryOptionView = z.infer<typeof DeliveryOptionViewSchema>;

const LEAD_TIME: Record<string, (min: number, max: number) => string> = {
  en: (min, max) => (max === 0 ? "Today" : min === max ? `${max} business day${max === 1 ? "" : "s"}` : `${min}–${max} business days`),
  fr: (min, max) =>
    max === 0
      ? "Aujourd'hui"
      : min === max
        ? `${max} jour${max === 1 ? "" : "s"} ouvré${max === 1 ? "" : "s"}`
        : `${min} à ${max} jours ouvrés`,
};

/** The lead time in words (`2–4 business days`, `2 à 4 jours ouvrés`); English for languages without wording. */
export function leadTimeText(locale: string, min: number, max: number): string {
  const words = LEAD_TIME[locale] ?? LEAD_TIME[locale.split("-")[0] ?? ""] ?? LEAD_TIME.en!;
  return words(min, max);
}

/** One option as a channel shows it: name, price and lead time resolved for the locale, once. */
export function deliveryOptionView(doc: DeliveryOptionDoc, locales: LocaleSet, locale: string): DeliveryOptionView {
  const currency = locales.byCode.get(locale)?.currency ?? locales.default.currency;
  const [amount, cur] = priceIn(doc.prices, currency, locales.default.currency) ?? [0, currency];
  return {
    key: doc.key,
    name: resolveText(doc.name, fallbackChain(locales, locale)) ?? doc.key,
    kind: doc.kind,
    price: money(amount, cur, locale) satisfies Money,
    freeOver: doc.freeOver?.[cur] !== undefined ? money(doc.freeOver[cur], cur, locale) : null,
    leadTimeDays: { min: doc.leadTimeDays.min, max: doc.leadTimeDays.max },
    leadTime: leadTimeText(locale, doc.leadTimeDays.min, doc.leadTimeDays.max),
  };
}

/**
 * What an option costs on an order of `subtotal` (minor units of the option's currency): free from its
 * `freeOver` amount, its price otherwise.
 */
export function deliveryPrice(option: DeliveryOptionView, subtotal: number, locale: string): Money {
  const free = option.freeOver && option.freeOver.currency === option.price.currency && subtotal >= option.freeOver.amount;
  return free ? money(0, option.price.currency, locale) : option.price;
}

/** Every stored option (enabled or not), in offering order, as documents. */
export async function readDeliveryOptions(db: Database): Promise<DeliveryOptionDoc[]> {
  return memoized(db, "delivery-options", async () => {
    const query = prepared(db, "delivery-options", (orm) =>
      orm.select().from(deliveryOptions).orderBy(asc(deliveryOptions.position), asc(deliveryOptions.key)).prepare(),
    );
    const rows = await query.all();
    return rows.map((r) => JSON.parse(r.document) as DeliveryOptionDoc);
  });
}

/**
 * The enabled delivery options for a locale, in the order editors listed them: what every channel that
 * offers checkout offers. Empty before any option is imported.
 *
 * @example
 * const options = await listDeliveryOptions(db, "fr");
 * options[0]; // { key: "standard", name: "Livraison standard", price: { amount: 490, currency: "EUR", formatted: "4,90 €" }, … }
 */
export async function listDeliveryOptions(db: Database, locale: string): Promise<DeliveryOptionView[]> {
  const [docs, locales] = await Promise.all([readDeliveryOptions(db), loadLocales(db)]);
  return docs.filter((d) => d.enabled).map((d) => deliveryOptionView(d, locales, locale));
}

/** One enabled option by key, for a locale; null when there is none (unknown or disabled). */
export async function findDeliveryOption(db: Database, key: string, locale: string): Promise<DeliveryOptionView | null> {
  return (await listDeliveryOptions(db, locale)).find((o) => o.key === key) ?? null;
}

export interface DeliveryCounts {
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
}

/**
 * Makes the stored options exactly `docs` (in that order): new ones are added, changed ones updated,
 * options no longer listed removed — in one atomic unit, with an audit row per change. Orders keep
 * their own copy of the option they chose, so removing one changes no order.
 */
export async function saveDeliveryOptions(
  db: Database,
  docs: DeliveryOptionDoc[],
  ctx: { keyId: string | null; now: Date },
  options: { dryRun?: boolean } = {},
): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  const current = new Map((await db.orm.select().from(deliveryOptions)).map((r) => [r.key, r]));
  const at = ctx.now.toISOString();
  const audit = (action: string, key: string, fromVersion: number | null, toVersion: number | null) => ({
    id: newId("aud"),
    at,
    keyId: ctx.keyId,
    action: `delivery_option.${action}`,
    entityType: "delivery_option",
    entityKey: key,
    fromVersion,
    toVersion,
  });
  const writes: ((orm: Database["orm"]) => unknown)[] = [];
  docs.forEach((doc, position) => {
    const document = JSON.stringify(doc);
    const row = current.get(doc.key);
    current.delete(doc.key);
    if (row && row.document === document && row.position === position) {
      counts.unchanged++;
      return;
    }
    counts[row ? "updated" : "created"]++;
    const version = (row?.version ?? 0) + 1;
    const values = { key: doc.key, document, position, enabled: doc.enabled, version, updatedAt: at };
    writes.push((orm) =>
      row ? orm.update(deliveryOptions).set(values).where(eq(deliveryOptions.key, doc.key)) : orm.insert(deliveryOptions).values(values),
    );
    writes.push((orm) => orm.insert(auditLog).values(audit(row ? "update" : "create", doc.key, row?.version ?? null, version)));
  });
  for (const row of current.values()) {
    counts.removed++;
    writes.push((orm) => orm.delete(deliveryOptions).where(eq(deliveryOptions.key, row.key)));
    writes.push((orm) => orm.insert(auditLog).values(audit("remove", row.key, row.version, null)));
  }
  if (writes.length && !options.dryRun) await db.atomic((orm) => writes.map((w) => w(orm)) as never);
  return counts;
}
