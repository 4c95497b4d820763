/**
 * The edit forms of the studio: the kinds of entry, what a field is, how the
 * posted form is applied to a document, and how errors and violations find
 * their field. The fields themselves are in `fields.ts`, each kind's sections
 * in `sections.ts`, and the API patches a save sends in `patches.ts`.
 *
 * A field's `name` is the JSON Pointer of the value it edits (`/title/en`,
 * `/variants/0/prices/EUR`), so a 400 from the API (which names fields by
 * JSON Pointer) lands next to the field it concerns without a mapping table.
 * Overrides are named like the engine names them (`/overrides/sms/fr/title`);
 * stock, which is not part of the document, is `stock:<SKU>`.
 */
import { ActionDoc, MessageDoc, type Override, ProductDoc } from "../catalogue/documents";
import type { Violation } from "../consistency/engine";
import { zodIssuesToFieldErrors } from "../lib/errors";

export type KindName = "products" | "messages" | "actions";

export const KINDS = {
  products: { type: "product", param: "slug", noun: "product", plural: "Products", schema: ProductDoc },
  messages: { type: "message", param: "key", noun: "message", plural: "Messages", schema: MessageDoc },
  actions: { type: "action", param: "key", noun: "action", plural: "Actions", schema: ActionDoc },
} as const;

/** The kinds, in the order the studio lists them. */
export const KIND_NAMES = Object.keys(KINDS) as KindName[];

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

/** A field's `id`: its name with every character outside [A-Za-z0-9_-] as `-`. */
export function fieldId(name: string): string {
  return `f${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

export function overrideName(o: { channel: string; locale: string; field: string }): string {
  return `/overrides/${o.channel}/${o.locale}/${o.field}`;
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
