/**
 * Publishing from the edit page: publish (forced with a reason when parity fails and the key may),
 * unpublish, and confirming a stale override against its current base text. Each calls the
 * editors' API and redirects; a refused publish shows the edit page with the violations linked to
 * their fields.
 */
import type { Router } from "../lib/create-router";
import { editPage, preview } from "./editor";
import { basePath, kindOf, loadFromUrl, notFound } from "./entries";
import { violationTarget } from "./forms";
import { editorRoute } from "./guard";
import { sendProblem } from "./view";

export function registerPublishActions(app: Router) {
  editorRoute(app, "POST", "/studio/:kind/:key/publish", async (c, session, api, values) => {
    const loaded = await loadFromUrl(c, api);
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
      const pointer = (res.body?.errors as { pointer: string; message: string }[] | undefined)?.find((e) => e.pointer.startsWith("/force"));
      publish.reasonError = pointer ? "Give a reason of at least 3 characters." : null;
      formError = pointer ? "Forcing needs a reason." : formError;
    } else if (res.status === 403) {
      formError = "Your key cannot publish: it needs the catalog:publish scope.";
    } else if (res.status === 412) {
      formError = "Someone else saved a newer version since you opened this page. Reload it, check the changes, then publish.";
    }
    return editPage(c, session, loaded, { preview: saved, formError, formViolations, publish }, res.status === 400 ? 400 : res.status);
  });

  editorRoute(app, "POST", "/studio/:kind/:key/unpublish", async (c, session, api, values) => {
    const kind = kindOf(c);
    const key = c.req.param("key") ?? "";
    const res = await api("POST", `/v1/admin/${kind}/${encodeURIComponent(key)}/unpublish`, {
      version: Number(values.get("_version")),
    });
    if (res.status === 200) return c.redirect(`${basePath(kind, key)}?notice=unpublished`, 303);
    return sendProblem(c, session, res.status, "Not unpublished", String(res.body?.detail ?? res.status), basePath(kind, key));
  });

  editorRoute(app, "POST", "/studio/:kind/:key/confirm", async (c, session, api, values) => {
    const kind = kindOf(c);
    const key = c.req.param("key") ?? "";
    const target = values.get("_confirm") ?? "";
    if (!/^[a-z]+\/[A-Za-z-]+\/[a-z]+$/.test(target)) return notFound(c, session, "such override");
    const res = await api("POST", `/v1/admin/${kind}/${encodeURIComponent(key)}/overrides/${target}/confirm`, {
      version: Number(values.get("_version")),
    });
    if (res.status === 200) return c.redirect(`${basePath(kind, key)}?notice=confirmed`, 303);
    return sendProblem(c, session, res.status, "Not confirmed", String(res.body?.detail ?? res.status), basePath(kind, key));
  });
}
