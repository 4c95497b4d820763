/**
 * The editors' dashboard (`/studio`): the consistency audit of the whole catalogue by channel and rule,
 * the entries with violations, and every stale override.
 */
import { CHANNELS } from "../catalogue/documents";
import type { Router } from "../lib/create-router";
import { okBody } from "./api";
import { basePath, listAll } from "./entries";
import { fieldId, KINDS, type KindName, overrideName } from "./forms";
import { editorRoute } from "./guard";
import { chrome, sendPage } from "./view";

export function registerDashboard(app: Router) {
  editorRoute(app, "GET", "/studio", async (c, session, api) => {
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
  });
}
