/**
 * The edit forms of the studio: which fields a product, message or action has,
 * how each reads from and writes into the document, and how errors and
 * violations find their field.
 *
 * A field's `name` is the JSON Pointer of the value it edits (`/title/en`,
 * `/variants/0/prices/EUR`), so a 400 from the API (which names fields by
 * JSON Pointer) lands next to the field it concerns without a mapping table.
 * Overrides are named like the engine names them (`/overrides/sms/fr/title`);
 * stock, which is not part of the document, is `stock:<SKU>`.
 */
import {
  ActionDoc,
  CHANNELS,
  type Channel,
  MESSAGE_KINDS,
  MessageDoc,
  OVERRIDABLE_FIELDS,
  type Override,
  ProductDoc,
} from "../catalogue/documents";
import { type LocaleSet, overrideBase } from "../catalogue/locales";
import type { Violation } from "../consistency/engine";
import { zodIssuesToFieldErrors } from "../lib/errors";

export type KindName = "products" | "messages" | "actions";

export const KINDS = {
  products: { type: "product", param: "slug", noun: "product", plural: "Products", schema: ProductDoc },
  messages: { type: "message", param: "key", noun: "message", plural: "Messages", schema: MessageDoc },
  actions: { type: "action", param: "key", noun: "action", plural: "Actions", schema: ActionDoc },
} as const;

export type Doc = Record<string, unknown> & { overrides: Override[] };

export interface FieldSpec {
  name: string;
  label: string;
  control: "text" | "textarea" | "select" | "datetime";
  lang: string | null;
  rows: number;
  maxlength: number | null;
  hint: string | null;
  inputmode: string | null;
  options: { value: string; label: string }[];
  /** The value as the form shows it. */
  read(doc: Doc): string;
  /** Writes the form's text into the document; returns an error message, or null. */
  write(doc: Doc, text: string): string | null;
}

export interface GroupSpec {
  legend: string;
  collapsible: boolean;
  fields: FieldSpec[];
}

export interface SectionSpec {
  id: string;
  title: string;
  note: string | null;
  groups: GroupSpec[];
}

export interface StockRow {
  sku: string;
  stock: number;
  version: number;
}

// --- Pointers ---------------------------------------------------------------------------------

function getAt(doc: unknown, path: readonly (string | number)[]): unknown {
  let node = doc;
  for (const token of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

function setAt(doc: unknown, path: readonly (string | number)[], value: unknown) {
  let node = doc as Record<string | number, unknown>;
  for (const token of path.slice(0, -1)) {
    if (node[token] === null || typeof node[token] !== "object") node[token] = {};
    node = node[token] as Record<string | number, unknown>;
  }
  node[path[path.length - 1] as string | number] = value;
}

function deleteAt(doc: unknown, path: readonly (string | number)[]) {
  const parent = getAt(doc, path.slice(0, -1));
  if (parent && typeof parent === "object") delete (parent as Record<string | number, unknown>)[path[path.length - 1] as string];
}

const pointer = (path: readonly (string | number)[]) => `/${path.join("/")}`;

/** A field's `id`: its name with every character outside [A-Za-z0-9_-] as `-`. */
export function fieldId(name: string): string {
  return `f${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

// --- Field kinds ------------------------------------------------------------------------------

function base(name: string, label: string, control: FieldSpec["control"]): Omit<FieldSpec, "read" | "write"> {
  return { name, label, control, lang: null, rows: 3, maxlength: null, hint: null, inputmode: null, options: [] };
}

/** Text in one locale. Empty removes that locale's text, except in the default locale, where it is required. */
function localizedField(
  path: readonly (string | number)[],
  locale: string,
  label: string,
  options: { control?: "text" | "textarea"; max: number; required: boolean; rows?: number },
): FieldSpec {
  const full = [...path, locale];
  return {
    ...base(pointer(full), label, options.control ?? "text"),
    lang: locale,
    maxlength: options.max,
    rows: options.rows ?? 3,
    read: (doc) => String(getAt(doc, full) ?? ""),
    write(doc, text) {
      const value = text.trim();
      if (!value) {
        if (options.required) return `Required in the default locale (${locale}).`;
        deleteAt(doc, full);
        return null;
      }
      setAt(doc, full, value);
      return null;
    },
  };
}

function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** An amount in major units (`89.00`) stored in minor units (8900). */
function moneyField(path: readonly (string | number)[], currency: string, label: string, required: boolean): FieldSpec {
  const digits = fractionDigits(currency);
  const full = [...path, currency];
  return {
    ...base(pointer(full), label, "text"),
    inputmode: "decimal",
    hint: null,
    read(doc) {
      const minor = getAt(doc, full);
      return typeof minor === "number" ? (minor / 10 ** digits).toFixed(digits) : "";
    },
    write(doc, text) {
      const value = text.trim().replace(",", ".");
      if (!value) {
        if (required) return `Enter a price in ${currency}.`;
        deleteAt(doc, full);
        const parent = getAt(doc, path);
        if (parent && typeof parent === "object" && !Object.keys(parent).length) deleteAt(doc, path);
        return null;
      }
      const pattern = digits ? new RegExp(`^\\d{1,10}(\\.\\d{1,${digits}})?$`) : /^\d{1,12}$/;
      if (!pattern.test(value)) return `Enter an amount such as ${digits ? `89.${"0".repeat(digits)}` : "8900"}.`;
      setAt(doc, full, Math.round(Number(value) * 10 ** digits));
      return null;
    },
  };
}

function integerField(path: readonly (string | number)[], label: string): FieldSpec {
  return {
    ...base(pointer(path), label, "text"),
    inputmode: "numeric",
    read: (doc) => String(getAt(doc, path) ?? ""),
    write(doc, text) {
      if (!/^\d{1,7}$/.test(text.trim())) return "Enter a whole number.";
      setAt(doc, path, Number(text.trim()));
      return null;
    },
  };
}

function plainField(path: readonly (string | number)[], label: string, max: number): FieldSpec {
  return {
    ...base(pointer(path), label, "text"),
    maxlength: max,
    read: (doc) => String(getAt(doc, path) ?? ""),
    write(doc, text) {
      setAt(doc, path, text.trim());
      return null;
    },
  };
}

function selectField(
  path: readonly (string | number)[],
  label: string,
  options: { value: string; label: string }[],
  boolean = false,
): FieldSpec {
  return {
    ...base(pointer(path), label, "select"),
    options,
    read: (doc) => String(getAt(doc, path) ?? ""),
    write(doc, text) {
      if (!options.some((o) => o.value === text)) return "Choose one of the options.";
      setAt(doc, path, boolean ? text === "true" : text);
      return null;
    },
  };
}

/** A date and time in UTC, as `<input type="datetime-local">` shows it; empty means "none". */
function datetimeField(path: readonly (string | number)[], label: string): FieldSpec {
  return {
    ...base(pointer(path), label, "datetime"),
    hint: "In UTC. Leave empty for none.",
    read(doc) {
      const iso = getAt(doc, path);
      if (typeof iso !== "string") return "";
      const date = new Date(iso);
      return Number.isNaN(date.getTime()) ? "" : date.toISOString().slice(0, 19);
    },
    write(doc, text) {
      const value = text.trim();
      if (!value) {
        setAt(doc, path, null);
        return null;
      }
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return "Enter a date and time such as 2027-01-06T00:00.";
      setAt(doc, path, `${value.length === 16 ? `${value}:00` : value}Z`);
      return null;
    },
  };
}

/** A list of short values, separated by commas. */
function listField(path: readonly (string | number)[], label: string, numbers = false): FieldSpec {
  return {
    ...base(pointer(path), label, "text"),
    hint: "Separate several with commas.",
    read: (doc) => ((getAt(doc, path) as unknown[] | undefined) ?? []).join(", "),
    write(doc, text) {
      const items = text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      if (numbers && items.some((i) => !/^\d+(\.\d+)?$/.test(i))) return "Enter numbers such as 20, 15.5.";
      setAt(doc, path, numbers ? items.map(Number) : items);
      return null;
    },
  };
}

// --- Overrides --------------------------------------------------------------------------------

const CHANNEL_LABELS: Record<Channel, string> = { web: "Web", mobile: "Mobile", sms: "SMS", chat: "Chat", agent: "Agent" };

export function overrideName(o: { channel: string; locale: string; field: string }): string {
  return `/overrides/${o.channel}/${o.locale}/${o.field}`;
}

function overrideField(channel: Channel, locale: string, field: string, locales: LocaleSet): FieldSpec {
  const same = (o: Override) => o.channel === channel && o.locale === locale && o.field === field;
  return {
    ...base(
      overrideName({ channel, locale, field }),
      `${CHANNEL_LABELS[channel]} ${field} (${locale})`,
      field === "title" || field === "label" ? "text" : "textarea",
    ),
    lang: locale,
    maxlength: 4096,
    rows: 2,
    read: (doc) => doc.overrides.find(same)?.value ?? "",
    write(doc, text) {
      const value = text.trim();
      const existing = doc.overrides.find(same);
      const others = doc.overrides.filter((o) => !same(o));
      if (!value) {
        doc.overrides = others;
        return null;
      }
      // Read along the locale's chain: a French override of a title written only in English stands for the English title.
      const baseText = overrideBase(doc, field, locales, locale);
      if (baseText === undefined) return `The base ${field} has no text to override yet.`;
      // Unchanged text keeps what it was written against (a stale override stays stale until confirmed).
      const basedOn = existing && existing.value === value ? existing.basedOn : baseText;
      doc.overrides = [...others, { channel, locale, field, value, basedOn }];
      return null;
    },
  };
}

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

/** Stock is not in the document: its field writes nothing there (the save sends it to the inventory). */
function stockField(sku: string, row: StockRow | undefined): FieldSpec {
  return {
    ...base(`stock:${sku}`, `${sku} stock`, "text"),
    inputmode: "numeric",
    read: () => String(row?.stock ?? 0),
    write: (_doc, text) => (/^\d{1,8}$/.test(text.trim()) ? null : "Enter a whole number of units."),
  };
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

export function allSpecs(sections: SectionSpec[]): FieldSpec[] {
  return sections.flatMap((s) => s.groups.flatMap((g) => g.fields));
}

// --- Applying a form --------------------------------------------------------------------------

export type FormValues = Map<string, string>;

/** The posted fields (the last value of a repeated name; `_keep` keeps all of them, joined by newlines). */
export function formValues(body: Record<string, string | File | (string | File)[]>): FormValues {
  const out: FormValues = new Map();
  for (const [name, raw] of Object.entries(body)) {
    const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === "string");
    if (!values.length) continue;
    out.set(name, name === "_keep" ? values.join("\n") : (values[values.length - 1] as string));
  }
  // A conflict's "re-apply": only the fields the editor kept, with the values they had typed.
  if (out.has("_reapply")) {
    const kept = new Set((out.get("_keep") ?? "").split("\n").filter(Boolean));
    const next: FormValues = new Map();
    for (const [name, value] of out) {
      if (name.startsWith("_mine:")) {
        if (kept.has(name.slice(6))) next.set(name.slice(6), value);
      } else if (name.startsWith("_")) next.set(name, value);
    }
    return next;
  }
  return out;
}

export interface Applied {
  /** The edited document, parsed by the kind's schema; null when a field is invalid. */
  doc: Doc | null;
  /** Error messages by field name (or by pointer, for errors no field shows). */
  errors: Map<string, string>;
}

/**
 * Writes the posted fields into a copy of `draft` and parses the result with the
 * kind's schema. Fields not posted keep the draft's value. Overrides go last:
 * they record the base text they were written against.
 */
export function applyForm(kind: KindName, draft: Doc, specs: FieldSpec[], values: FormValues): Applied {
  const doc = structuredClone(draft);
  const errors = new Map<string, string>();
  const ordered = [...specs.filter((s) => !s.name.startsWith("/overrides/")), ...specs.filter((s) => s.name.startsWith("/overrides/"))];
  for (const spec of ordered) {
    const text = values.get(spec.name);
    if (text === undefined) continue;
    const error = spec.write(doc, text);
    if (error) errors.set(spec.name, error);
  }
  if (errors.size) return { doc: null, errors };
  const parsed = KINDS[kind].schema.safeParse(doc);
  if (!parsed.success) {
    for (const e of zodIssuesToFieldErrors(parsed.error.issues, "body")) {
      const name = fieldFor(specs, e.pointer);
      if (!errors.has(name)) errors.set(name, e.message);
    }
    return { doc: null, errors };
  }
  return { doc: parsed.data as unknown as Doc, errors };
}

/** The field that shows a pointer: itself, else the first field inside it, else the pointer. */
export function fieldFor(specs: readonly FieldSpec[], ptr: string): string {
  if (specs.some((s) => s.name === ptr)) return ptr;
  return specs.find((s) => s.name.startsWith(`${ptr}/`))?.name ?? ptr;
}

/** The label of a field name (for error summaries and conflicts). */
export function labelFor(specs: readonly FieldSpec[], name: string): string {
  return specs.find((s) => s.name === name)?.label ?? name;
}

// --- Patches ---------------------------------------------------------------------------------

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The JSON Merge Patch (RFC 7386) that turns `a` into `b`; undefined when they are equal. */
export function mergeDiff(a: unknown, b: unknown): unknown {
  if (deepEqual(a, b)) return undefined;
  if (!isPlainObject(a) || !isPlainObject(b)) return b === undefined ? null : b;
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(b)) {
    const d = mergeDiff(a[key], b[key]);
    if (d !== undefined) patch[key] = d;
  }
  for (const key of Object.keys(a)) if (!(key in b)) patch[key] = null;
  return patch;
}

/** The patch of the given top-level fields, or null when none changed. */
export function fieldsPatch(a: Doc, b: Doc, fields: readonly string[]): Record<string, unknown> | null {
  const patch: Record<string, unknown> = {};
  for (const f of fields) {
    if (deepEqual(a[f], b[f])) continue;
    patch[f] = Array.isArray(b[f]) || !isPlainObject(a[f]) || !isPlainObject(b[f]) ? (b[f] ?? null) : mergeDiff(a[f], b[f]);
  }
  return Object.keys(patch).length ? patch : null;
}

/** The fields each kind's PATCH takes (the rest has its own operations). */
export const PATCH_FIELDS: Record<KindName, readonly string[]> = {
  products: ["title", "summary", "description", "media"],
  messages: ["kind", "title", "body", "short", "startsAt", "endsAt", "facts"],
  actions: ["label", "confirmation", "keyword", "enabled"],
};

/** Override changes between two documents: values to set and targets to reset. */
export function overrideChanges(a: Doc, b: Doc) {
  const key = (o: Override) => `${o.channel}/${o.locale}/${o.field}`;
  const before = new Map(a.overrides.map((o) => [key(o), o]));
  const after = new Map(b.overrides.map((o) => [key(o), o]));
  const set = [...after.values()].filter((o) => before.get(key(o))?.value !== o.value);
  const reset = [...before.values()].filter((o) => !after.has(key(o)));
  return { set, reset };
}

// --- Violations ------------------------------------------------------------------------------

/** Where a violation points in the form: the override that caused it when there is one, else the base field. */
export function violationTarget(v: Violation, doc: Doc | null, specs: readonly FieldSpec[]): { href: string; label: string } {
  const field = v.field ?? null;
  const anchor = (name: string) => ({ href: `#${fieldId(name)}`, label: labelFor(specs, name) });
  if (field?.startsWith("overrides/")) return anchor(`/${field}`);
  if (field && v.channel && v.locale && doc?.overrides.some((o) => o.channel === v.channel && o.locale === v.locale && o.field === field)) {
    return anchor(overrideName({ channel: v.channel, locale: v.locale, field }));
  }
  // A fact or action missing on a channel that has its own wording in this locale: the override is the likely cause.
  const own = v.channel && v.locale ? doc?.overrides.find((o) => o.channel === v.channel && o.locale === v.locale) : undefined;
  if (own && v.rule !== "stale_override") return anchor(overrideName(own));
  if (field === "variants") return { href: "#variants", label: "Variants and prices" };
  if (field && v.locale && specs.some((s) => s.name === `/${field}/${v.locale}`)) return anchor(`/${field}/${v.locale}`);
  if (field && specs.some((s) => s.name === `/${field}`)) return anchor(`/${field}`);
  if (v.channel && v.locale) return { href: `#pv-${v.locale}-${v.channel}`, label: `${v.channel} preview (${v.locale})` };
  return { href: "#preview", label: field ?? "preview" };
}
