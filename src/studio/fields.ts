/**
 * The kinds of field an edit form has (`forms.ts`): localized text, money, whole numbers, choices, dates,
 * lists, a SKU's stock and a channel override. Each reads its value from the document as the form shows
 * it and writes the form's text back, returning an error message or null.
 */
import type { Channel, Override } from "../catalogue/documents";
import { type LocaleSet, overrideBase } from "../catalogue/locales";
import { type FieldSpec, overrideName, type StockRow } from "./forms";

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

// --- Field kinds ------------------------------------------------------------------------------

export function base(name: string, label: string, control: FieldSpec["control"]): Omit<FieldSpec, "read" | "write"> {
  return { name, label, control, lang: null, rows: 3, maxlength: null, hint: null, inputmode: null, options: [] };
}

/** Text in one locale. Empty removes that locale's text, except in the default locale, where it is required. */
export function localizedField(
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

export function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** An amount in major units (`89.00`) stored in minor units (8900). */
export function moneyField(path: readonly (string | number)[], currency: string, label: string, required: boolean): FieldSpec {
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

export function integerField(path: readonly (string | number)[], label: string): FieldSpec {
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

export function plainField(path: readonly (string | number)[], label: string, max: number): FieldSpec {
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

export function selectField(
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
export function datetimeField(path: readonly (string | number)[], label: string): FieldSpec {
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
export function listField(path: readonly (string | number)[], label: string, numbers = false): FieldSpec {
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

/** Stock is not in the document: its field writes nothing there (the save sends it to the inventory). */
export function stockField(sku: string, row: StockRow | undefined): FieldSpec {
  return {
    ...base(`stock:${sku}`, `${sku} stock`, "text"),
    inputmode: "numeric",
    read: () => String(row?.stock ?? 0),
    write: (_doc, text) => (/^\d{1,8}$/.test(text.trim()) ? null : "Enter a whole number of units."),
  };
}

// --- Overrides --------------------------------------------------------------------------------

export const CHANNEL_LABELS: Record<Channel, string> = { web: "Web", mobile: "Mobile", sms: "SMS", chat: "Chat", agent: "Agent" };

export function overrideField(channel: Channel, locale: string, field: string, locales: LocaleSet): FieldSpec {
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
