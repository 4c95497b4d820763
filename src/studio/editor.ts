/**
 * The edit page of a product, message or action (`/studio/:kind/:key`): every field of the draft by
 * section, the saved document's preview on every channel with its parity violations, and the live
 * preview of unsaved edits (`…/preview`, which calls the publish gate's `auditDocument` through
 * `buildPreview`; nothing is written). Saving is `save.ts`; publishing `publish.ts`.
 */
import { getEntry } from "../catalogue/entries";
import { overrideBase } from "../catalogue/locales";
import type { Router } from "../lib/create-router";
import { hasScope } from "../lib/keys";
import { type Loaded, loadFromUrl, notFound } from "./entries";
import { applyForm, type Doc, type FieldSpec, type FormValues, fieldId, KINDS, labelFor } from "./forms";
import { editorRoute } from "./guard";
import { buildPreview, type PreviewData } from "./preview";
import type { Session } from "./session";
import { chrome, type StudioContext, sendFragment, sendPage } from "./view";

/** Style hashes of web previews seen so far (the renderer's stylesheet is static): every editor page allows them. */
const knownStyles = new Set<string>();

/** The preview of `doc` (null: the form has errors) on every channel, format and locale. */
export async function preview(c: StudioContext, loaded: Loaded, doc: Doc | null, unsaved: boolean, errors?: Map<string, string>) {
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

export interface EditState {
  values?: FormValues;
  errors?: Map<string, string>;
  preview: PreviewData;
  savedPreview?: PreviewData;
  formError?: string | null;
  formViolations?: unknown[];
  publish?: { note?: string; reason?: string; reasonError?: string | null };
  previewNote?: string;
}

export function fieldView(spec: FieldSpec, doc: Doc, loaded: Loaded, values: FormValues | undefined, errors: Map<string, string>) {
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

export function editPage(c: StudioContext, session: Session, loaded: Loaded, state: EditState, status = 200) {
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

export function registerEditorPages(app: Router) {
  editorRoute(app, "GET", "/studio/:kind/:key", async (c, session, api) => {
    const loaded = await loadFromUrl(c, api);
    if (!loaded) return notFound(c, session, "such entry");
    return editPage(c, session, loaded, { preview: await preview(c, loaded, loaded.entry.draft, false) });
  });

  editorRoute(app, "POST", "/studio/:kind/:key/preview", async (c, session, api, values) => {
    const loaded = await loadFromUrl(c, api);
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
  });
}
