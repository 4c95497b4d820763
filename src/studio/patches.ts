/**
 * What a save sends: the JSON Merge Patch of the fields each kind's PATCH takes, and the overrides to set
 * and to reset (`save.ts` sends one API call for each).
 */
import type { Override } from "../catalogue/documents";
import type { Doc, KindName } from "./forms";

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
