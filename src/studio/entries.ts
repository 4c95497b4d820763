/**
 * What the editors' entry pages share (the list, the edit page, save, publish, revisions, audit): the kind
 * in the URL, an entry's path, loading an entry with its form and stock, and listing every entry of a kind.
 */
import { type LocaleSet, loadLocales } from "../catalogue/locales";
import { inventoryFor } from "../catalogue/products";
import { type Api, type ApiResult, okBody } from "./api";
import { allSpecs, type Doc, type FieldSpec, KIND_NAMES, KINDS, type KindName, type SectionSpec, type StockRow } from "./forms";
import { actionSections, messageSections, productSections } from "./sections";
import type { Session } from "./session";
import { type StudioContext, sendProblem } from "./view";

/**
 * The kind an editor's page is mounted for: the segment after `/studio/`. guard.ts `editorRoute` mounts each kind's
 * pages as literal paths, so on those pages it is always one of {@link KIND_NAMES}.
 */
export function kindOf(c: StudioContext): KindName {
  const kind = c.req.path.split("/", 3)[2] as KindName;
  if (!KIND_NAMES.includes(kind)) throw new Error(`${c.req.path} is not an editor's page (guard.ts editorRoute).`);
  return kind;
}

export function basePath(kind: KindName, key: string) {
  return `/studio/${kind}/${encodeURIComponent(key)}`;
}

export function notFound(c: StudioContext, session: Session, what: string) {
  return sendProblem(c, session, 404, "Not found", `There is no ${what}.`);
}

// --- Loading an entry ------------------------------------------------------------------------

export interface Loaded {
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

export function sectionsFor(kind: KindName, doc: Doc, locales: LocaleSet, stock: Map<string, StockRow>): SectionSpec[] {
  if (kind === "products") return productSections(doc, locales, stock);
  if (kind === "messages") return messageSections(locales);
  return actionSections(locales);
}

export async function load(c: StudioContext, api: Api, kind: KindName, key: string): Promise<Loaded | null> {
  const res = await api("GET", `/v1/admin/${kind}/${encodeURIComponent(key)}`);
  if (res.status === 404 || res.status === 400) return null;
  const entry = okBody(res, `GET /v1/admin/${kind}/${key}`) as Loaded["entry"];
  const locales = await loadLocales(c.get("db"));
  const stock: Map<string, StockRow> = kind === "products" ? await inventoryFor(c.get("db"), [entry.id]) : new Map();
  const sections = sectionsFor(kind, entry.draft, locales, stock);
  return { kind, key, base: basePath(kind, key), entry, locales, stock, sections, specs: allSpecs(sections) };
}

/** The entry the URL names (`/studio/{kind}/:key`), loaded; null when there is no such entry. */
export async function loadFromUrl(c: StudioContext, api: Api): Promise<Loaded | null> {
  return load(c, api, kindOf(c), c.req.param("key") ?? "");
}

// --- Listing a kind ---------------------------------------------------------------------------

export interface Row {
  id: string;
  key: string;
  status: string;
  hasUnpublishedChanges: boolean;
  staleOverrides: { channel: string; locale: string; field: string }[];
  draft: Doc;
}

/** Every entry of a kind, page by page (bounded: the studio lists at most 2,000). */
export async function listAll(api: Api, kind: KindName, query = ""): Promise<Row[]> {
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
