/**
 * The canonical documents editors write: products, messages and actions, with
 * their localized fields and per-channel overrides. These zod schemas are the
 * single definition of the content model — the editors' API, the `content/`
 * import format (and its JSON Schema) and the storage layer all use them.
 *
 * Localized text is a map from locale code to string; the default locale is
 * required (checked against the configured locales when a document is written).
 */
import { z } from "@hono/zod-openapi";

export const CHANNELS = ["web", "mobile", "sms", "chat", "agent"] as const;
export type Channel = (typeof CHANNELS)[number];

export const LocaleCode = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, "A locale is a BCP 47 language tag such as `en` or `fr-CA`.")
  .openapi({ example: "en" });

export const Slug = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "Use lowercase letters, digits and single hyphens.")
  .openapi({ example: "merino-crew-sweater" });

export const Key = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, "Use lowercase letters, digits and underscores, starting with a letter.")
  .openapi({ example: "free_shipping" });

export const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, "An ISO 4217 currency code such as `EUR`.")
  .openapi({ example: "EUR" });

/**
 * Records come out of parsing with their keys sorted, so a parsed document has
 * one canonical serialization: equal content gives equal bytes (revision
 * comparison, ETags, and `export` reproducing files byte for byte).
 */
export function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key] as T;
  return out;
}

/** Text per locale. Empty strings are refused: a blank is never a valid translation. */
export const localized = (max: number) =>
  z
    .record(LocaleCode, z.string().trim().min(1).max(max))
    .openapi({
      type: "object",
      additionalProperties: { type: "string" },
      example: { en: "Merino crew sweater", fr: "Pull col rond en mérinos" },
    })
    .transform(sortedRecord);
export type Localized = Record<string, string>;

export const Override = z
  .strictObject({
    channel: z.enum(CHANNELS),
    locale: LocaleCode,
    field: z.string().min(1).max(64).openapi({ example: "title" }),
    value: z.string().trim().min(1).max(4096).openapi({ example: "Merino crew" }),
    /** The base text this override was written against; when the base differs, the override is stale. */
    basedOn: z.string().openapi({ example: "Merino crew-neck sweater in navy" }),
  })
  .openapi("Override");
export type Override = z.infer<typeof Override>;

/** An https URL, or a path under `/media/` on the project's own domain (resolved against PUBLIC_BASE_URL). */
const MediaUrl = z
  .string()
  .max(2048)
  .regex(/^(https:\/\/[^\s]+|\/media\/[A-Za-z0-9._/-]+)$/, "Use an https URL or a /media/… path.")
  .openapi({ example: "/media/products/merino-crew-sweater-1.svg" });

export const Media = z.strictObject({
  url: MediaUrl,
  alt: localized(300).openapi({ description: "Alternative text, required in the default locale." }),
});

export const Attribute = z.strictObject({
  key: Key,
  label: localized(80),
  value: localized(300),
});

export const AVAILABILITIES = ["in_stock", "low_stock", "preorder", "out_of_stock"] as const;
export type Availability = (typeof AVAILABILITIES)[number];

export const Variant = z
  .strictObject({
    sku: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Z0-9][A-Z0-9-]*$/, "Use uppercase letters, digits and hyphens.")
      .openapi({ example: "MER-CREW-NAVY-M" }),
    title: localized(120).optional(),
    options: z
      .record(Key, z.string().min(1).max(60))
      .default({})
      .openapi({ example: { size: "M", color: "Navy" } })
      .transform(sortedRecord),
    prices: z
      .record(CurrencyCode, z.number().int().min(0).max(1_000_000_000))
      .refine((p) => Object.keys(p).length > 0, "At least one price.")
      .openapi({ description: "Price per currency, in minor units (cents).", example: { EUR: 8900 } })
      .transform(sortedRecord),
    compareAtPrices: z
      .record(CurrencyCode, z.number().int().min(0).max(1_000_000_000))
      .openapi({ description: "The struck-through 'was' price per currency, in minor units." })
      .transform(sortedRecord)
      .optional(),
    /** What an empty shelf means: `deny` shows out of stock, `preorder` keeps selling. */
    backorder: z.enum(["deny", "preorder"]).default("deny"),
    lowStockThreshold: z.number().int().min(0).max(10_000).default(5),
  })
  .openapi("Variant");
export type Variant = z.infer<typeof Variant>;

export const ProductDoc = z
  .strictObject({
    slug: Slug,
    title: localized(200),
    summary: localized(500),
    description: localized(10_000),
    categories: z.array(Slug).max(20).default([]),
    media: z.array(Media).max(20).default([]),
    attributes: z.array(Attribute).max(50).default([]),
    variants: z
      .array(Variant)
      .min(1)
      .max(100)
      .refine((v) => new Set(v.map((x) => x.sku)).size === v.length, "SKUs must be unique within a product."),
    overrides: z.array(Override).max(200).default([]),
  })
  .openapi("ProductDocument");
export type ProductDoc = z.infer<typeof ProductDoc>;

export const MESSAGE_KINDS = ["promotion", "announcement", "policy", "faq", "system"] as const;

export const MessageFacts = z
  .strictObject({
    codes: z
      .array(z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,31}$/))
      .max(10)
      .default([])
      .openapi({ example: ["WINTER20"] }),
    percentages: z
      .array(z.number().min(0).max(100))
      .max(10)
      .default([])
      .openapi({ example: [20] }),
    dates: z
      .array(z.string().date())
      .max(10)
      .default([])
      .openapi({ example: ["2026-12-31"] }),
    links: z
      .array(
        z
          .string()
          .max(2048)
          .regex(
            /^(https:\/\/[^\s]+|\/[A-Za-z0-9._~/-]*)$/,
            "Use an https URL, or a path on the shop's own domain such as /messages/returns_policy (resolved against PUBLIC_BASE_URL).",
          ),
      )
      .max(10)
      .default([])
      .openapi({ example: ["/messages/returns_policy"] }),
  })
  .openapi("MessageFacts", { description: "The facts a message carries; every channel must show each of them." });

export const MessageDoc = z
  .strictObject({
    key: Key,
    kind: z.enum(MESSAGE_KINDS),
    title: localized(200),
    body: localized(5_000).openapi({ description: "The long form." }),
    short: localized(300).openapi({ description: "The short form, for SMS, banners and chat." }),
    startsAt: z.string().datetime({ offset: true }).nullable().default(null),
    endsAt: z.string().datetime({ offset: true }).nullable().default(null),
    facts: MessageFacts.default({ codes: [], percentages: [], dates: [], links: [] }),
    overrides: z.array(Override).max(200).default([]),
  })
  .refine((m) => !m.startsAt || !m.endsAt || m.startsAt < m.endsAt, {
    message: "endsAt must be after startsAt.",
    path: ["endsAt"],
  })
  .superRefine((m, ctx) => {
    // content/README.md: promo codes appear literally in `body` and `short` in every locale.
    for (const code of m.facts.codes) {
      for (const field of ["body", "short"] as const) {
        for (const [locale, text] of Object.entries(m[field])) {
          if (!text.includes(code)) {
            ctx.addIssue({
              code: "custom",
              path: [field, locale],
              message: `The promo code ${code} (in facts.codes) must appear literally in ${field} (${locale}).`,
            });
          }
        }
      }
    }
  })
  .openapi("MessageDocument");
export type MessageDoc = z.infer<typeof MessageDoc>;

export const ACTION_TARGETS = ["product", "cart", "order", "global"] as const;

/** SMS compliance words (CTIA / Twilio): an action keyword must never be one of them. */
export const COMPLIANCE_WORDS = [
  "STOP",
  "STOPALL",
  "UNSUBSCRIBE",
  "CANCEL",
  "END",
  "QUIT",
  "REVOKE",
  "OPTOUT",
  "START",
  "YES",
  "UNSTOP",
  "HELP",
  "INFO",
] as const;

export const ActionDoc = z
  .strictObject({
    key: Key,
    label: localized(40),
    confirmation: localized(300),
    appliesTo: z.array(z.enum(ACTION_TARGETS)).min(1),
    enabled: z.boolean().default(true),
    keyword: z
      .string()
      .regex(/^[A-Z][A-Z0-9]{1,11}$/, "A keyword is 2–12 uppercase letters or digits.")
      .refine((k) => !(COMPLIANCE_WORDS as readonly string[]).includes(k), "This keyword is reserved for SMS compliance.")
      .openapi({ description: "The SMS reply keyword.", example: "BUY" }),
    overrides: z.array(Override).max(200).default([]),
  })
  .openapi("ActionDocument");
export type ActionDoc = z.infer<typeof ActionDoc>;

/** Which base fields of each entity type channels may override. */
export const OVERRIDABLE_FIELDS = {
  product: ["title", "summary", "description"],
  message: ["title", "body", "short"],
  action: ["label", "confirmation"],
} as const;

export const LocaleDoc = z
  .strictObject({
    code: LocaleCode,
    name: z.string().min(1).max(60).openapi({ example: "Français" }),
    fallback: LocaleCode.nullable().default(null),
    default: z.boolean().default(false),
    currency: CurrencyCode,
  })
  .openapi("Locale");
export type LocaleDoc = z.infer<typeof LocaleDoc>;
