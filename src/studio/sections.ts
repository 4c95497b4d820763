/**
 * The sections of each kind's edit form: a product's texts, media, variants with prices and stock; a
 * message's kind, validity, texts and facts; an action's keyword and labels; and each kind's channel
 * overrides, per locale.
 */
import { CHANNELS, MESSAGE_KINDS, OVERRIDABLE_FIELDS } from "../catalogue/documents";
import type { LocaleSet } from "../catalogue/locales";
import {
  CHANNEL_LABELS,
  datetimeField,
  integerField,
  listField,
  localizedField,
  moneyField,
  overrideField,
  plainField,
  selectField,
  stockField,
} from "./fields";
import type { Doc, FieldSpec, GroupSpec, SectionSpec, StockRow } from "./forms";

function overrideSections(type: keyof typeof OVERRIDABLE_FIELDS, locales: LocaleSet): SectionSpec {
  const groups: GroupSpec[] = CHANNELS.map((channel) => ({
    legend: `${CHANNEL_LABELS[channel]} overrides`,
    collapsible: true,
    fields: locales.rows.flatMap((l) => OVERRIDABLE_FIELDS[type].map((field) => overrideField(channel, l.code, field, locales))),
  }));
  return {
    id: "overrides",
    title: "Channel overrides",
    note: "Channel-specific wording replaces the base text on one channel only. Leave empty to use the base text.",
    groups,
  };
}

// --- Sections per kind -----------------------------------------------------------------------

function localizedGroup(
  path: readonly (string | number)[],
  label: string,
  locales: LocaleSet,
  options: { control?: "text" | "textarea"; max: number; requiredInDefault: boolean; rows?: number },
): FieldSpec[] {
  return locales.rows.map((l) =>
    localizedField(path, l.code, `${label} (${l.code})`, {
      control: options.control,
      max: options.max,
      required: options.requiredInDefault && l.code === locales.default.code,
      rows: options.rows,
    }),
  );
}

export function productSections(doc: Doc, locales: LocaleSet, stock: Map<string, StockRow>): SectionSpec[] {
  const texts: GroupSpec[] = locales.rows.map((l) => ({
    legend: `${l.name} (${l.code})`,
    collapsible: false,
    fields: [
      localizedField(["title"], l.code, `Title (${l.code})`, { max: 200, required: l.code === locales.default.code }),
      localizedField(["summary"], l.code, `Summary (${l.code})`, {
        control: "textarea",
        max: 500,
        required: l.code === locales.default.code,
        rows: 2,
      }),
      localizedField(["description"], l.code, `Description (${l.code})`, {
        control: "textarea",
        max: 10_000,
        required: l.code === locales.default.code,
        rows: 4,
      }),
    ],
  }));
  const media = (doc.media as { url: string }[] | undefined) ?? [];
  const mediaGroups: GroupSpec[] = media.map((_, i) => ({
    legend: `Image ${i + 1}`,
    collapsible: false,
    fields: [
      plainField(["media", i, "url"], `Image ${i + 1} URL`, 2048),
      ...localizedGroup(["media", i, "alt"], `Image ${i + 1} alt text`, locales, { max: 300, requiredInDefault: true }),
    ],
  }));
  const currencies = [...new Set(locales.rows.map((l) => l.currency))];
  const variants = (doc.variants as { sku: string; prices: Record<string, number> }[] | undefined) ?? [];
  const variantGroups: GroupSpec[] = variants.map((v, i) => {
    const own = [...new Set([...currencies, ...Object.keys(v.prices ?? {})])].sort();
    return {
      legend: `Variant ${v.sku}`,
      collapsible: false,
      fields: [
        ...localizedGroup(["variants", i, "title"], `${v.sku} title`, locales, { max: 120, requiredInDefault: false }),
        ...own.map((cur) => moneyField(["variants", i, "prices"], cur, `${v.sku} price (${cur})`, true)),
        ...own.map((cur) => moneyField(["variants", i, "compareAtPrices"], cur, `${v.sku} was-price (${cur})`, false)),
        selectField(["variants", i, "backorder"], `${v.sku} when out of stock`, [
          { value: "deny", label: "Show out of stock" },
          { value: "preorder", label: "Keep selling (preorder)" },
        ]),
        integerField(["variants", i, "lowStockThreshold"], `${v.sku} low-stock threshold`),
        stockField(v.sku, stock.get(v.sku)),
      ],
    };
  });
  return [
    { id: "texts", title: "Texts", note: null, groups: texts },
    { id: "media", title: "Media", note: "Every image needs alternative text in the default locale.", groups: mediaGroups },
    {
      id: "variants",
      title: "Variants, prices and stock",
      note: "Stock is operational: it changes at once on every channel, without publishing.",
      groups: variantGroups,
    },
    overrideSections("product", locales),
  ];
}

export function messageSections(locales: LocaleSet): SectionSpec[] {
  const texts: GroupSpec[] = locales.rows.map((l) => ({
    legend: `${l.name} (${l.code})`,
    collapsible: false,
    fields: [
      localizedField(["title"], l.code, `Title (${l.code})`, { max: 200, required: l.code === locales.default.code }),
      localizedField(["body"], l.code, `Long form (${l.code})`, {
        control: "textarea",
        max: 5_000,
        required: l.code === locales.default.code,
        rows: 4,
      }),
      localizedField(["short"], l.code, `Short form (${l.code})`, {
        control: "textarea",
        max: 300,
        required: l.code === locales.default.code,
        rows: 2,
      }),
    ],
  }));
  return [
    {
      id: "message",
      title: "Message",
      note: null,
      groups: [
        {
          legend: "Kind and validity",
          collapsible: false,
          fields: [
            selectField(
              ["kind"],
              "Kind",
              MESSAGE_KINDS.map((k) => ({ value: k, label: k })),
            ),
            datetimeField(["startsAt"], "Valid from"),
            datetimeField(["endsAt"], "Valid until"),
          ],
        },
      ],
    },
    { id: "texts", title: "Texts", note: null, groups: texts },
    {
      id: "facts",
      title: "Facts every channel must show",
      note: null,
      groups: [
        {
          legend: "Facts",
          collapsible: false,
          fields: [
            listField(["facts", "codes"], "Promo codes"),
            listField(["facts", "percentages"], "Percentages", true),
            listField(["facts", "dates"], "Dates (YYYY-MM-DD)"),
            listField(["facts", "links"], "Links"),
          ],
        },
      ],
    },
    overrideSections("message", locales),
  ];
}

export function actionSections(locales: LocaleSet): SectionSpec[] {
  const texts: GroupSpec[] = locales.rows.map((l) => ({
    legend: `${l.name} (${l.code})`,
    collapsible: false,
    fields: [
      localizedField(["label"], l.code, `Label (${l.code})`, { max: 40, required: l.code === locales.default.code }),
      localizedField(["confirmation"], l.code, `Confirmation (${l.code})`, {
        control: "textarea",
        max: 300,
        required: l.code === locales.default.code,
        rows: 2,
      }),
    ],
  }));
  return [
    {
      id: "action",
      title: "Action",
      note: null,
      groups: [
        {
          legend: "SMS keyword and state",
          collapsible: false,
          fields: [
            { ...plainField(["keyword"], "SMS keyword", 12), hint: "2–12 uppercase letters or digits, e.g. BUY." },
            selectField(
              ["enabled"],
              "Enabled",
              [
                { value: "true", label: "Enabled" },
                { value: "false", label: "Disabled" },
              ],
              true,
            ),
          ],
        },
      ],
    },
    { id: "texts", title: "Labels", note: null, groups: texts },
    overrideSections("action", locales),
  ];
}
