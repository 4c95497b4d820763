/**
 * Saving the edit form (`POST /studio/:kind/:key`): the posted fields are applied to the draft and
 * parsed by the kind's schema, then written through the editors' API, one call per kind of change,
 * and answered with a redirect (post/redirect/get), the form again with the errors next to their
 * fields, or the conflict page when someone else saved first.
 */
import type { Router } from "../lib/create-router";
import type { Api, ApiResult } from "./api";
import { editPage, preview } from "./editor";
import { type Loaded, load, loadFromUrl, notFound } from "./entries";
import { applyForm, type Doc, type FieldSpec, type FormValues, fieldFor, overrideName } from "./forms";
import { editorRoute } from "./guard";
import { fieldsPatch, overrideChanges, PATCH_FIELDS } from "./patches";
import type { Session } from "./session";
import { chrome, type StudioContext, sendPage } from "./view";

const VARIANT_FIELDS = ["title", "options", "prices", "compareAtPrices", "backorder", "lowStockThreshold"] as const;

type SaveOutcome =
  | { kind: "saved"; changed: boolean }
  | { kind: "conflict" }
  | { kind: "invalid"; errors: Map<string, string> }
  | { kind: "failed"; message: string };

/** API field errors (JSON Pointers relative to the request body) as errors on the form's fields. */
function fieldErrors(res: ApiResult, specs: readonly FieldSpec[], prefix: string): Map<string, string> {
  const errors = new Map<string, string>();
  for (const e of (res.body?.errors ?? []) as { pointer: string; message: string }[]) {
    const name = prefix.startsWith("/overrides/") ? prefix : fieldFor(specs, `${prefix}${e.pointer}`);
    if (!errors.has(name)) errors.set(name, e.message);
  }
  if (!errors.size) errors.set("/", String(res.body?.detail ?? "The API refused the change."));
  return errors;
}

function outcomeOf(res: ApiResult, specs: readonly FieldSpec[], prefix: string): SaveOutcome | null {
  if (res.status === 200) return null;
  if (res.status === 412) return { kind: "conflict" };
  if (res.status === 400) return { kind: "invalid", errors: fieldErrors(res, specs, prefix) };
  return { kind: "failed", message: String(res.body?.detail ?? `The API answered ${res.status}.`) };
}

/**
 * Saves an edited document through the API, one operation per kind of change
 * (the entry's PATCH, each variant, each override, each SKU's stock), each
 * with the version the previous one returned. The first write carries the
 * version the editor loaded: if someone else saved since, it is 412 and
 * nothing is written.
 */
async function save(api: Api, loaded: Loaded, version: number, doc: Doc, values: FormValues): Promise<SaveOutcome> {
  const path = `/v1/admin/${loaded.kind}/${encodeURIComponent(loaded.key)}`;
  const old = loaded.entry.draft;
  let current = version;
  let changed = false;
  const step = async (res: ApiResult, prefix: string) => {
    const outcome = outcomeOf(res, loaded.specs, prefix);
    if (!outcome) {
      current = Number(res.body?.version ?? current);
      changed = true;
    }
    return outcome;
  };
  const patch = fieldsPatch(old, doc, PATCH_FIELDS[loaded.kind]);
  if (patch) {
    const failed = await step(await api("PATCH", path, { body: patch, version: current }), "");
    if (failed) return failed;
  }
  if (loaded.kind === "products") {
    const before = old.variants as Record<string, unknown>[];
    const after = doc.variants as Record<string, unknown>[];
    for (const [i, variant] of after.entries()) {
      const prior = before[i];
      if (!prior || prior.sku !== variant.sku) continue;
      const vpatch = fieldsPatch(prior as Doc, variant as Doc, VARIANT_FIELDS);
      if (!vpatch) continue;
      const res = await api("PATCH", `${path}/variants/${encodeURIComponent(String(variant.sku))}`, { body: vpatch, version: current });
      const failed = await step(res, `/variants/${i}`);
      if (failed) return failed;
    }
  }
  const { set, reset } = overrideChanges(old, doc);
  for (const o of set) {
    const res = await api("PUT", `${path}/overrides/${o.channel}/${o.locale}/${o.field}`, { body: { value: o.value }, version: current });
    const failed = await step(res, overrideName(o));
    if (failed) return failed;
  }
  for (const o of reset) {
    const failed = await step(
      await api("DELETE", `${path}/overrides/${o.channel}/${o.locale}/${o.field}`, { version: current }),
      overrideName(o),
    );
    if (failed) return failed;
  }
  for (const [sku, row] of loaded.stock) {
    const text = values.get(`stock:${sku}`);
    if (text === undefined || Number(text.trim()) === row.stock) continue;
    const res = await api("PUT", `/v1/admin/inventory/${encodeURIComponent(sku)}`, {
      body: { stock: Number(text.trim()) },
      version: row.version,
    });
    if (res.status === 412)
      return { kind: "failed", message: `The stock of ${sku} was changed by someone else meanwhile; reload and retry.` };
    if (res.status !== 200) return { kind: "failed", message: String(res.body?.detail ?? `Stock of ${sku}: ${res.status}`) };
    changed = true;
  }
  return { kind: "saved", changed };
}

/** The fields the editor changed since loading the page (`_orig` holds what the page showed). */
function editedValues(values: FormValues): FormValues {
  const raw = values.get("_orig");
  if (!raw) return values;
  let orig: Record<string, string>;
  try {
    orig = JSON.parse(raw) as Record<string, string>;
  } catch {
    return values;
  }
  const out: FormValues = new Map();
  for (const [name, value] of values) if (name.startsWith("_") || orig[name] !== value) out.set(name, value);
  return out;
}

function conflictPage(c: StudioContext, session: Session, fresh: Loaded, yourVersion: number, edited: FormValues) {
  const read = (spec: FieldSpec) => spec.read(fresh.entry.draft);
  const rows = fresh.specs
    .filter((spec) => edited.has(spec.name) && !spec.name.startsWith("_"))
    .map((spec) => ({ name: spec.name, label: spec.label, yours: edited.get(spec.name) ?? "", theirs: read(spec) }))
    .filter((r) => r.yours !== r.theirs);
  return sendPage(
    "conflict",
    {
      chrome: chrome(c, session, "Conflict", `/studio/${fresh.kind}`),
      base: fresh.base,
      yourVersion,
      currentVersion: fresh.entry.version,
      updatedAt: fresh.entry.updatedAt,
      rows,
    },
    409,
  );
}

export function registerSave(app: Router) {
  editorRoute(app, "POST", "/studio/:kind/:key", async (c, session, api, values) => {
    const loaded = await loadFromUrl(c, api);
    if (!loaded) return notFound(c, session, "such entry");
    const version = Number(values.get("_version"));
    const edited = editedValues(values);
    const applied = applyForm(loaded.kind, loaded.entry.draft, loaded.specs, edited);
    const again = async (errors: Map<string, string>, formError: string | null, status: number) =>
      editPage(
        c,
        session,
        loaded,
        {
          values,
          errors,
          formError,
          preview: await preview(c, loaded, applied.doc, true, applied.doc ? undefined : errors),
          savedPreview: await preview(c, loaded, loaded.entry.draft, false),
        },
        status,
      );
    if (!applied.doc) return again(applied.errors, null, 400);
    const outcome = await save(api, loaded, version, applied.doc, edited);
    if (outcome.kind === "conflict") {
      const fresh = (await load(c, api, loaded.kind, loaded.key)) ?? loaded;
      return conflictPage(c, session, fresh, version, edited);
    }
    if (outcome.kind === "invalid") return again(outcome.errors, null, 400);
    if (outcome.kind === "failed") return again(new Map(), outcome.message, 422);
    return c.redirect(`${loaded.base}?notice=${outcome.changed ? "saved" : "unchanged"}`, 303);
  });
}
