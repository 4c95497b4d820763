/** An entry's audit log (`/studio/:kind/:key/audit`): who changed or published what, from the editors' API. */
import type { Router } from "../lib/create-router";
import { okBody } from "./api";
import { basePath, kindOf, notFound } from "./entries";
import { KINDS } from "./forms";
import { editorRoute } from "./guard";
import { chrome, sendPage } from "./view";

export function registerAuditPage(app: Router) {
  editorRoute(app, "GET", "/studio/:kind/:key/audit", async (c, session, api) => {
    const kind = kindOf(c);
    const key = c.req.param("key") ?? "";
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
  });
}
