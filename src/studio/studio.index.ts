/**
 * The editors' studio at `/studio`: server-rendered pages over the editors' API.
 * Plain `app.get`/`app.post` (pages, not API operations, so they stay out of
 * the OpenAPI document). Writes go through the API in-process with the
 * editor's key (`api.ts`); reads use the API too, except the live preview of
 * an unsaved document, which calls the publish gate's `auditDocument` directly
 * (nothing is written).
 *
 * Every page re-authenticates the session cookie; every POST checks the CSRF
 * token and the Origin, then answers with a redirect (post/redirect/get) or the
 * page again with the errors next to their fields.
 */
import { eq } from "drizzle-orm";
import { CHANNELS } from "../catalogue/documents";
import { getEntry } from "../catalogue/entries";
import { type LocaleSet, loadLocales, overrideBase } from "../catalogue/locales";
import { inventory } from "../db/schema";
import type { Router } from "../lib/create-router";
import { authenticate, hasScope } from "../lib/keys";
import { type Api, type ApiResult, okBody } from "./api";
import { STUDIO_ASSETS, type StudioAsset } from "./assets";
import { registerCustomerPages } from "./customers";
import {
  actionSections,
  allSpecs,
  applyForm,
  type Doc,
  type FieldSpec,
  type FormValues,
  fieldFor,
  fieldId,
  fieldsPatch,
  KINDS,
  type KindName,
  labelFor,
  messageSections,
  overrideChanges,
  overrideName,
  PATCH_FIELDS,
  productSections,
  type SectionSpec,
  type StockRow,
  violationTarget,
} from "./forms";
import { registerInsightsPages } from "./insights";
import { buildPreview, type PreviewData } from "./preview";
import { endSession, readSession, type Session, sameOrigin, startSession } from "./session";
import { guardedPage, staffLanding } from "./staff";
import { chrome, type StudioContext, sendFragment, sendPage, sendProblem } from "./view";

type Handler = (c: StudioContext, session: Session, api: Api, values: FormValues) => Promise<Response>;

/** Style hashes of web previews seen so far (the renderer's stylesheet is static): every editor page allows them. */
const knownStyles = new Set<string>();

const VARIANT_FIELDS = ["title", "options", "prices", "compareAtPrices", "backorder", "lowStockThreshold"] as const;

/** The sign-in form's target, carrying where to go afterwards. */
function signinAction(next: string | undefined): string {
  const target = safeNext(next);
  return target === "/studio" ? "/studio/signin" : `/studio/signin?next=${encodeURIComponent(target)}`;
}

function kindOf(c: StudioContext): KindName | null {
  const kind = c.req.param("kind");
  return kind === "products" || kind === "messages" || kind === "actions" ? kind : null;
}

function basePath(kind: KindName, key: string) {
  return `/studio/${kind}/${encodeURIComponent(key)}`;
}

/** A `next` target after sign-in: only a studio path of ours. */
function safeNext(next: string | undefined): string {
  return next && /^\/studio(\/[A-Za-z0-9._~%/?=&-]*)?$/.test(next) && !next.startsWith("//") ? next : "/studio";
}

/** Wraps an editor's page: the studio's one guard, with the catalog:write scope. */
function guarded(app: Router, handler: Handler, method: "GET" | "POST") {
  return guardedPage(app, "catalog:write", handler, method, {
    title: "Not an editor key",
    detail: "This key cannot edit the catalogue (it needs the catalog:write scope).",
  });
}

function notFound(c: StudioContext, session: Session, what: string) {
  return sendProblem(c, session, 404, "Not found", `There is no ${what}.`);
}

// --- Loading an entry ------------------------------------------------------------------------

interface Loaded {
  kind: KindName;
  key: string;
  base: string;
  entry: {
    id: string;
    status: string;
    version: number;
    hasUnpublishedChanges: boolean;
    updatedAt: string;
    draft: Doc;
  };
  locales: LocaleSet;
  stock: Map<string, StockRow>;
  sections: SectionSpec[];
  specs: FieldSpec[];
}

async function stockOf(c: StudioContext, entryId: string): Promise<Map<string, StockRow>> {
  const rows = await c
    .get("db")
    .orm.select({ sku: inventory.sku, stock: inventory.stock, version: inventory.version })
    .from(inventory)
    .where(eq(inventory.entryId, entryId));
  return new Map(rows.map((r) => [r.sku, r]));
}

function sectionsFor(kind: KindName, doc: Doc, locales: LocaleSet, stock: Map<string, StockRow>): SectionSpec[] {
  if (kind === "products") return productSections(doc, locales, stock);
  if (kind === "messages") return messageSections(locales);
  return actionSections(locales);
}

async function load(c: StudioContext, api: Api, kind: KindName, key: string): Promise<Loaded | null> {
  const res = await api("GET", `/v1/admin/${kind}/${encodeURIComponent(key)}`);
  if (res.status === 404 || res.status === 400) return null;
  const entry = okBody(res, `GET /v1/admin/${kind}/${key}`) as Loaded["entry"];
  const locales = await loadLocales(c.get("db"));
  const stock = kind === "products" ? await stockOf(c, entry.id) : new Map<string, StockRow>();
  const sections = sectionsFor(kind, entry.draft, locales, stock);
  return { kind, key, base: basePath(kind, key), entry, locales, stock, sections, specs: allSpecs(sections) };
}

async function preview(c: StudioContext, loaded: Loaded, doc: Doc | null, unsaved: boolean, errors?: Map<string, string>) {
  const row = await getEntry(c.get("db"), KINDS[loaded.kind].type, loaded.key);
  const data = await buildPreview(c, {
    type: KINDS[loaded.kind].type,
    entryId: loaded.entry.id,
    revision: row.lastRevisionNumber + 1,
    doc,
    specs: loaded.specs,
    locales: loaded.locales,
    unsaved,
    errors,
  });
  for (const h of data.styleHashes) knownStyles.add(h);
  return data;
}

// --- The edit page ---------------------------------------------------------------------------

interface EditState {
  values?: FormValues;
  errors?: Map<string, string>;
  preview: PreviewData;
  savedPreview?: PreviewData;
  formError?: string | null;
  formViolations?: unknown[];
  publish?: { note?: string; reason?: string; reasonError?: string | null };
  previewNote?: string;
}

function fieldView(spec: FieldSpec, doc: Doc, loaded: Loaded, values: FormValues | undefined, errors: Map<string, string>) {
  const id = fieldId(spec.name);
  const error = errors.get(spec.name) ?? null;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const value = values?.get(spec.name) ?? spec.read(doc);
  let stale: { id: string; basedOn: string; target: string; action: string } | null = null;
  const match = /^\/overrides\/([a-z]+)\/([^/]+)\/([a-z]+)$/.exec(spec.name);
  if (match) {
    const [, channel, locale, field] = match;
    const o = loaded.entry.draft.overrides.find((x) => x.channel === channel && x.locale === locale && x.field === field);
    const baseText = overrideBase(loaded.entry.draft, field as string, loaded.locales, locale as string);
    if (o && baseText !== undefined && o.basedOn !== baseText) {
      stale = { id: `${id}-stale`, basedOn: o.basedOn, target: `${channel}/${locale}/${field}`, action: `${loaded.base}/confirm` };
    }
  }
  const describedBy = [spec.hint ? hintId : null, error ? errorId : null, stale ? stale.id : null].filter(Boolean).join(" ") || null;
  return {
    id,
    name: spec.name,
    label: spec.label,
    isText: spec.control === "text",
    isTextarea: spec.control === "textarea",
    isSelect: spec.control === "select",
    isDatetime: spec.control === "datetime",
    value,
    lang: spec.lang,
    rows: spec.rows,
    maxlength: spec.maxlength,
    inputmode: spec.inputmode,
    hint: spec.hint,
    hintId,
    error,
    errorId,
    describedBy,
    options: spec.options.map((o) => ({ ...o, selected: o.value === value })),
    stale,
  };
}

function editPage(c: StudioContext, session: Session, loaded: Loaded, state: EditState, status = 200) {
  const errors = state.errors ?? new Map<string, string>();
  const doc = loaded.entry.draft;
  const sections = loaded.sections.map((s) => ({
    id: s.id,
    title: s.title,
    note: s.note,
    groups: s.groups.map((g) => {
      const fields = g.fields.map((f) => fieldView(f, doc, loaded, state.values, errors));
      return { legend: g.legend, collapsible: g.collapsible, open: !g.collapsible || fields.some((f) => f.value || f.error), fields };
    }),
  }));
  const saved = state.savedPreview ?? state.preview;
  const canPublish = hasScope(session.principal, "catalog:publish");
  const { noun } = KINDS[loaded.kind];
  const live =
    loaded.entry.status === "published" && loaded.kind !== "actions" ? `/${loaded.kind}/${encodeURIComponent(loaded.key)}` : null;
  const data = {
    chrome: chrome(c, session, `Edit ${noun} ${loaded.key}`, `/studio/${loaded.kind}`),
    heading: `${noun[0]?.toUpperCase()}${noun.slice(1)} ${loaded.key}`,
    base: loaded.base,
    status: loaded.entry.status,
    version: loaded.entry.version,
    changed: loaded.entry.hasUnpublishedChanges,
    liveHref: live,
    formError: state.formError ?? null,
    formViolations: state.formViolations ?? [],
    errors: [...errors].map(([name, message]) => ({ href: `#${fieldId(name)}`, label: labelFor(loaded.specs, name), message })),
    sections,
    preview: state.preview,
    previewNote: state.previewNote ?? "The preview follows your edits as you type.",
    orig: state.values?.get("_orig") ?? JSON.stringify(Object.fromEntries(loaded.specs.map((s) => [s.name, s.read(doc)]))),
    publish: {
      blocked: saved.count > 0 || !canPublish,
      violations: saved.count,
      canForce: canPublish && saved.count > 0,
      canUnpublish: loaded.entry.status === "published" && canPublish,
      note: state.publish?.note ?? "",
      reason: state.publish?.reason ?? "",
      reasonError: state.publish?.reasonError ?? null,
    },
  };
  return sendPage("edit", data, status, [...knownStyles]);
}

// --- Saving ----------------------------------------------------------------------------------

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

// --- Routes ----------------------------------------------------------------------------------

/**
 * Mounts the studio on the app; `app` is also what the studio calls for every API operation.
 *
 * @example
 * registerStudioRoutes(app); // GET /studio, /studio/products/:slug … POST …/preview, …/publish
 */
export function registerStudioRoutes(app: Router) {
  registerCustomerPages(app);
  registerInsightsPages(app);
  app.get("/studio/assets/:name", (c) => {
    const name = c.req.param("name") as StudioAsset;
    if (!Object.hasOwn(STUDIO_ASSETS, name)) return c.text("Not found", 404);
    const asset = STUDIO_ASSETS[name];
    return new Response(asset.body, {
      headers: {
        "content-type": asset.type,
        // Versioned URLs (?v=<hash>): a changed asset is a new URL, so a year of caching is safe.
        "cache-control": "public, max-age=31536000, immutable",
        "x-content-type-options": "nosniff",
      },
    });
  });

  app.get("/studio/signin", async (c) => {
    if (await readSession(c)) return c.redirect("/studio", 303);
    return sendPage("signin", { chrome: chrome(c, null, "Sign in", null), error: null, action: signinAction(c.req.query("next")) });
  });

  app.post("/studio/signin", async (c) => {
    if (!sameOrigin(c)) return sendProblem(c, null, 403, "Refused", "This form was posted from another site.", "/studio/signin");
    const body = await c.req.parseBody();
    const key = typeof body.key === "string" ? body.key.trim() : "";
    const principal = key ? await authenticate(c.get("db"), key) : null;
    const refuse = (status: number, error: string) =>
      sendPage("signin", { chrome: chrome(c, null, "Sign in", null), error, action: signinAction(c.req.query("next")) }, status);
    if (!principal) return refuse(401, "This key is unknown, malformed or revoked.");
    if (!hasScope(principal, "catalog:write") && !hasScope(principal, "customers:read"))
      return refuse(403, "This key cannot use the studio: it needs the catalog:write scope (editors) or customers:read (staff).");
    startSession(c, key);
    return c.redirect(staffLanding(principal, safeNext(c.req.query("next"))), 303);
  });

  app.post(
    "/studio/signout",
    guarded(
      app,
      async (c) => {
        endSession(c);
        return c.redirect("/studio/signin?notice=signedout", 303);
      },
      "POST",
    ),
  );

  app.get(
    "/studio",
    guarded(
      app,
      async (c, session, api) => {
        const report = await api("GET", "/v1/consistency");
        const lists = await Promise.all((["products", "messages", "actions"] as const).map((k) => listAll(api, k)));
        const stale = lists.flatMap((rows, i) => {
          const kind = (["products", "messages", "actions"] as const)[i] as KindName;
          return rows.flatMap((r) =>
            (r.staleOverrides as { channel: string; locale: string; field: string }[]).map((o) => ({
              ...o,
              label: `${KINDS[kind].noun} ${r.key}`,
              href: `${basePath(kind, r.key)}#${fieldId(overrideName(o))}`,
            })),
          );
        });
        const audit = okBody(report, "GET /v1/consistency");
        const summary = audit.summary;
        const entities = (audit.entities as { entity: { type: string; key: string }; violations: { field?: string }[] }[]).map((e) => ({
          label: `${e.entity.type} ${e.entity.key}`,
          href: `/studio/${e.entity.type}s/${encodeURIComponent(e.entity.key)}`,
          violations: e.violations.map((v) => ({ ...v, field: v.field ?? "" })),
        }));
        return sendPage("dashboard", {
          chrome: chrome(c, session, "Dashboard", "/studio"),
          summary,
          byChannel: CHANNELS.map((ch) => ({ label: ch, count: summary?.byChannel?.[ch] ?? 0 })),
          byRule: Object.entries((summary?.byRule ?? {}) as Record<string, number>).map(([rule, count]) => ({ rule, count })),
          entities,
          stale,
        });
      },
      "GET",
    ),
  );

  app.get(
    "/studio/:kind",
    guarded(
      app,
      async (c, session, api) => {
        const kind = kindOf(c);
        if (!kind) return notFound(c, session, "such page");
        const q = (c.req.query("q") ?? "").trim().toLowerCase();
        const status = c.req.query("status") ?? "";
        const apiStatus = ["draft", "published", "archived"].includes(status) ? `status=${status}&` : "";
        let rows = await listAll(api, kind, apiStatus);
        const title = (r: Row) => {
          const doc = r.draft as Record<string, Record<string, string> | undefined>;
          const texts = doc.title ?? doc.label ?? {};
          return texts.en ?? Object.values(texts)[0] ?? "";
        };
        if (q)
          rows = rows.filter(
            (r) =>
              r.key.toLowerCase().includes(q) ||
              JSON.stringify([r.draft.title ?? r.draft.label ?? {}])
                .toLowerCase()
                .includes(q),
          );
        if (status === "stale") rows = rows.filter((r) => r.staleOverrides.length > 0);
        const counts = new Map<string, number>();
        if (status === "violations") {
          const locales = await loadLocales(c.get("db"));
          for (const r of rows) {
            const data = await buildPreview(c, {
              type: KINDS[kind].type,
              entryId: r.id,
              revision: 1,
              doc: r.draft,
              specs: [],
              locales,
              unsaved: false,
            });
            counts.set(r.key, data.count);
          }
          rows = rows.filter((r) => (counts.get(r.key) ?? 0) > 0);
        }
        const statuses = [
          ["", "Any status"],
          ["draft", "Draft"],
          ["published", "Published"],
          ["violations", "Has violations"],
          ["stale", "Has stale overrides"],
          ["archived", "Archived"],
        ].map(([value, label]) => ({ value, label, selected: value === status }));
        return sendPage("list", {
          chrome: chrome(c, session, KINDS[kind].plural, `/studio/${kind}`),
          heading: KINDS[kind].plural,
          action: `/studio/${kind}`,
          q: c.req.query("q") ?? "",
          statuses,
          count: rows.length,
          noun: rows.length === 1 ? KINDS[kind].noun : `${KINDS[kind].noun}s`,
          keyLabel: KINDS[kind].param === "slug" ? "Slug" : "Key",
          showViolations: status === "violations",
          rows: rows.map((r) => ({
            key: r.key,
            href: basePath(kind, r.key),
            title: title(r),
            status: r.status,
            changed: r.hasUnpublishedChanges,
            stale: r.staleOverrides.length,
            violations: counts.get(r.key) ?? 0,
          })),
        });
      },
      "GET",
    ),
  );

  app.get(
    "/studio/:kind/:key",
    guarded(
      app,
      async (c, session, api) => {
        const kind = kindOf(c);
        const loaded = kind ? await load(c, api, kind, c.req.param("key") ?? "") : null;
        if (!loaded) return notFound(c, session, "such entry");
        return editPage(c, session, loaded, { preview: await preview(c, loaded, loaded.entry.draft, false) });
      },
      "GET",
    ),
  );

  app.post(
    "/studio/:kind/:key/preview",
    guarded(
      app,
      async (c, session, api, values) => {
        const kind = kindOf(c);
        const loaded = kind ? await load(c, api, kind, c.req.param("key") ?? "") : null;
        if (!loaded) return notFound(c, session, "such entry");
        const applied = applyForm(loaded.kind, loaded.entry.draft, loaded.specs, values);
        const data = await preview(c, loaded, applied.doc, true, applied.errors);
        if (c.req.header("x-studio-fragment") === "1") return sendFragment("preview", data);
        const saved = await preview(c, loaded, loaded.entry.draft, false);
        return editPage(c, session, loaded, {
          values,
          errors: applied.errors,
          preview: data,
          savedPreview: saved,
          previewNote: "Preview of your unsaved edits.",
        });
      },
      "POST",
    ),
  );

  app.post(
    "/studio/:kind/:key",
    guarded(
      app,
      async (c, session, api, values) => {
        const kind = kindOf(c);
        const loaded = kind ? await load(c, api, kind, c.req.param("key") ?? "") : null;
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
      },
      "POST",
    ),
  );

  app.post(
    "/studio/:kind/:key/publish",
    guarded(
      app,
      async (c, session, api, values) => {
        const kind = kindOf(c);
        const loaded = kind ? await load(c, api, kind, c.req.param("key") ?? "") : null;
        if (!loaded) return notFound(c, session, "such entry");
        const force = values.get("_mode") === "force";
        const note = (values.get("note") ?? "").trim();
        const reason = (values.get("reason") ?? "").trim();
        const body: Record<string, unknown> = {};
        if (note) body.note = note;
        if (force) body.force = { reason };
        const res = await api("POST", `/v1/admin/${loaded.kind}/${encodeURIComponent(loaded.key)}/publish`, {
          body,
          version: Number(values.get("_version")),
        });
        if (res.status === 200) return c.redirect(`${loaded.base}?notice=${force ? "forced" : "published"}`, 303);
        const saved = await preview(c, loaded, loaded.entry.draft, false);
        const publish = { note, reason, reasonError: null as string | null };
        let formError = String(res.body?.detail ?? `Publishing failed (${res.status}).`);
        let formViolations: unknown[] = [];
        if (res.status === 422 && res.body?.code === "parity_failed") {
          formError = `Publish refused: ${formError}`;
          formViolations = (res.body.violations as Parameters<typeof violationTarget>[0][]).map((v) => {
            const t = violationTarget(v, loaded.entry.draft, loaded.specs);
            return { ...v, href: t.href, fieldLabel: t.label };
          });
        } else if (res.status === 400) {
          const pointer = (res.body?.errors as { pointer: string; message: string }[] | undefined)?.find((e) =>
            e.pointer.startsWith("/force"),
          );
          publish.reasonError = pointer ? "Give a reason of at least 3 characters." : null;
          formError = pointer ? "Forcing needs a reason." : formError;
        } else if (res.status === 403) {
          formError = "Your key cannot publish: it needs the catalog:publish scope.";
        } else if (res.status === 412) {
          formError = "Someone else saved a newer version since you opened this page. Reload it, check the changes, then publish.";
        }
        return editPage(c, session, loaded, { preview: saved, formError, formViolations, publish }, res.status === 400 ? 400 : res.status);
      },
      "POST",
    ),
  );

  app.post(
    "/studio/:kind/:key/unpublish",
    guarded(
      app,
      async (c, session, api, values) => {
        const kind = kindOf(c);
        const key = c.req.param("key") ?? "";
        if (!kind) return notFound(c, session, "such page");
        const res = await api("POST", `/v1/admin/${kind}/${encodeURIComponent(key)}/unpublish`, {
          version: Number(values.get("_version")),
        });
        if (res.status === 200) return c.redirect(`${basePath(kind, key)}?notice=unpublished`, 303);
        return sendProblem(c, session, res.status, "Not unpublished", String(res.body?.detail ?? res.status), basePath(kind, key));
      },
      "POST",
    ),
  );

  app.post(
    "/studio/:kind/:key/confirm",
    guarded(
      app,
      async (c, session, api, values) => {
        const kind = kindOf(c);
        const key = c.req.param("key") ?? "";
        const target = values.get("_confirm") ?? "";
        if (!kind || !/^[a-z]+\/[A-Za-z-]+\/[a-z]+$/.test(target)) return notFound(c, session, "such override");
        const res = await api("POST", `/v1/admin/${kind}/${encodeURIComponent(key)}/overrides/${target}/confirm`, {
          version: Number(values.get("_version")),
        });
        if (res.status === 200) return c.redirect(`${basePath(kind, key)}?notice=confirmed`, 303);
        return sendProblem(c, session, res.status, "Not confirmed", String(res.body?.detail ?? res.status), basePath(kind, key));
      },
      "POST",
    ),
  );

  app.get(
    "/studio/:kind/:key/revisions",
    guarded(
      app,
      async (c, session, api) => {
        const kind = kindOf(c);
        const key = c.req.param("key") ?? "";
        if (!kind) return notFound(c, session, "such page");
        const path = `/v1/admin/${kind}/${encodeURIComponent(key)}`;
        const [entry, list] = await Promise.all([api("GET", path), api("GET", `${path}/revisions`)]);
        if (entry.status === 404) return notFound(c, session, "such entry");
        okBody(entry, `GET ${path}`);
        const rows = okBody(list, `GET ${path}/revisions`).data as {
          number: number;
          createdAt: string;
          createdBy: string | null;
          note: string | null;
          restoredFrom: number | null;
          live: boolean;
        }[];
        const ref = (v: string | undefined) => (v && /^(draft|\d{1,9})$/.test(v) ? v : undefined);
        const latest = rows[0]?.number;
        const from = ref(c.req.query("from")) ?? (latest !== undefined ? String(latest) : undefined);
        const to = ref(c.req.query("to")) ?? "draft";
        let diff: { from: string; to: string; changes: { op: string; path: string; from: string; to: string }[] } | null = null;
        if (from && (c.req.query("from") || c.req.query("to"))) {
          const res = await api("GET", `${path}/diff?from=${from}&to=${to}`);
          if (res.status === 200) {
            const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));
            diff = {
              from: from === "draft" ? "the draft" : `#${from}`,
              to: to === "draft" ? "the draft" : `#${to}`,
              changes: (res.body.changes as { op: string; path: string; from?: unknown; to?: unknown }[]).map((ch) => ({
                op: ch.op,
                path: ch.path,
                from: show(ch.from),
                to: show(ch.to),
              })),
            };
          }
        }
        const options = (selected: string | undefined) => [
          { value: "draft", label: "Current draft", selected: selected === "draft" },
          ...rows.map((r) => ({ value: String(r.number), label: `Revision #${r.number}`, selected: selected === String(r.number) })),
        ];
        return sendPage("revisions", {
          chrome: chrome(c, session, `Revisions of ${key}`, `/studio/${kind}`),
          heading: `Revisions of ${KINDS[kind].noun} ${key}`,
          base: basePath(kind, key),
          version: entry.body.version,
          rows: rows.map((r) => ({ ...r, createdBy: r.createdBy ?? "—", note: r.note ?? "" })),
          from: options(from),
          to: options(to),
          diff,
        });
      },
      "GET",
    ),
  );

  app.post(
    "/studio/:kind/:key/rollback",
    guarded(
      app,
      async (c, session, api, values) => {
        const kind = kindOf(c);
        const key = c.req.param("key") ?? "";
        if (!kind) return notFound(c, session, "such page");
        const revision = Number(values.get("revision"));
        const res = await api("POST", `/v1/admin/${kind}/${encodeURIComponent(key)}/rollback`, {
          body: { revision },
          version: Number(values.get("_version")),
        });
        if (res.status === 200) return c.redirect(`${basePath(kind, key)}/revisions?notice=rolledback`, 303);
        return sendProblem(
          c,
          session,
          res.status,
          "Not rolled back",
          String(res.body?.detail ?? res.status),
          `${basePath(kind, key)}/revisions`,
        );
      },
      "POST",
    ),
  );

  app.get(
    "/studio/:kind/:key/audit",
    guarded(
      app,
      async (c, session, api) => {
        const kind = kindOf(c);
        const key = c.req.param("key") ?? "";
        if (!kind) return notFound(c, session, "such page");
        const res = await api("GET", `/v1/admin/${kind}/${encodeURIComponent(key)}/audit`);
        if (res.status === 404) return notFound(c, session, "such entry");
        okBody(res, `GET /v1/admin/${kind}/${key}/audit`);
        const range = (a: number | null, b: number | null) => (a === null && b === null ? "—" : `${a ?? "—"} → ${b ?? "—"}`);
        return sendPage("audit", {
          chrome: chrome(c, session, `Audit log of ${key}`, `/studio/${kind}`),
          heading: `Audit log of ${KINDS[kind].noun} ${key}`,
          base: basePath(kind, key),
          rows: (res.body.data as Record<string, unknown>[]).map((r) => ({
            at: r.at,
            action: r.action,
            keyId: r.keyId ?? "—",
            versions: range(r.fromVersion as number | null, r.toVersion as number | null),
            revisions: range(r.fromRevision as number | null, r.toRevision as number | null),
            detail: r.detail === null ? "" : JSON.stringify(r.detail),
          })),
        });
      },
      "GET",
    ),
  );
}

interface Row {
  id: string;
  key: string;
  status: string;
  hasUnpublishedChanges: boolean;
  staleOverrides: { channel: string; locale: string; field: string }[];
  draft: Doc;
}

/** Every entry of a kind, page by page (bounded: the studio lists at most 2,000). */
async function listAll(api: Api, kind: KindName, query = ""): Promise<Row[]> {
  const out: Row[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const res: ApiResult = await api("GET", `/v1/admin/${kind}?${query}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    const body = okBody(res, `GET /v1/admin/${kind}`);
    for (const d of body.data as Record<string, unknown>[]) {
      out.push({ ...(d as unknown as Row), key: String(d[KINDS[kind].param]) });
    }
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return out;
}
