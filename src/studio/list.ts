/**
 * The list of a kind's entries (`/studio/products`, `/studio/messages`, `/studio/actions`): search by key
 * or title, filter by status, stale overrides or parity violations (the last renders each entry's
 * preview, so it costs one audit per entry).
 */
import { loadLocales } from "../catalogue/locales";
import type { Router } from "../lib/create-router";
import { basePath, kindOf, listAll, type Row } from "./entries";
import { KINDS } from "./forms";
import { editorRoute } from "./guard";
import { buildPreview } from "./preview";
import { chrome, sendPage } from "./view";

export function registerListPage(app: Router) {
  editorRoute(app, "GET", "/studio/:kind", async (c, session, api) => {
    const kind = kindOf(c);
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
  });
}
