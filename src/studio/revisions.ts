/**
 * An entry's history: its revisions with a diff between any two (or the draft), and rolling back to
 * one (which publishes it, through the editors' API).
 */
import type { Router } from "../lib/create-router";
import { okBody } from "./api";
import { basePath, kindOf, notFound } from "./entries";
import { KINDS } from "./forms";
import { editorRoute } from "./guard";
import { chrome, sendPage, sendProblem } from "./view";

export function registerRevisionPages(app: Router) {
  editorRoute(app, "GET", "/studio/:kind/:key/revisions", async (c, session, api) => {
    const kind = kindOf(c);
    const key = c.req.param("key") ?? "";
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
  });

  editorRoute(app, "POST", "/studio/:kind/:key/rollback", async (c, session, api, values) => {
    const kind = kindOf(c);
    const key = c.req.param("key") ?? "";
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
  });
}
