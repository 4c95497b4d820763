/**
 * The studio on the Node server `npm start` runs (src/node.ts `serve`, over real HTTP): its in-process
 * calls to `/v1/admin/…` are judged by their own headers, not by the browser request they serve
 * (issue #12: the dashboard said "0 entities" and every editor page answered 500 on Node). And a page
 * whose data cannot be loaded says so, instead of rendering an empty list that looks like data.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { platforms, renderers } from "../../renderers";
import { createApp } from "../../src/app";
import { parseConfig } from "../../src/env";
import { createApiKey } from "../../src/lib/keys";
import { type RunningServer, startServer } from "../helpers/server";
import { formFields, studioApp, textOf } from "./helpers";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.close());

/** Signs in over HTTP as a browser does; returns the session cookie. */
async function signIn(key: string): Promise<string> {
  const res = await server.fetch("/studio/signin", {
    method: "POST",
    redirect: "manual",
    headers: { origin: server.url, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ key }),
  });
  expect(res.status).toBe(303);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

describe("the studio on the Node server", () => {
  it("the dashboard, the product list, an editor and its preview load their data through the API", async () => {
    const cookie = await signIn(server.adminKey);
    const dashboard = await server.fetch("/studio", { headers: { cookie } });
    expect(dashboard.status).toBe(200);
    const lead = /(\d+) entities, (\d+) renders/.exec(await dashboard.text());
    expect(Number(lead?.[1])).toBeGreaterThan(10);

    const list = await server.fetch("/studio/products", { headers: { cookie } });
    expect(list.status).toBe(200);
    const shown = /(\d+) products shown/.exec(await list.text());
    expect(Number(shown?.[1])).toBeGreaterThan(10);

    const editor = await server.fetch("/studio/products/merino-crew-sweater", { headers: { cookie } });
    const page = await editor.text();
    expect(editor.status, page.slice(0, 500)).toBe(200);
    const fields = formFields(page, "edit");
    fields.set("/title/en", "Merino crew sweater, previewed");
    const preview = await server.fetch("/studio/products/merino-crew-sweater/preview", {
      method: "POST",
      headers: { cookie, origin: server.url, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams([...fields]),
    });
    const previewed = await preview.text();
    expect(preview.status, previewed.slice(0, 500)).toBe(200);
    expect(previewed).toContain("Merino crew sweater, previewed");
  });
});

describe("a studio page whose data cannot be loaded", () => {
  it("shows the failed call to the editor instead of a dashboard of 0 entities", async () => {
    const studio = await studioApp();
    // catalog:write passes the studio's guard and lists drafts, but the consistency audit needs catalog:read.
    const key = await studio.key("catalog:write");
    const client = studio.client();
    expect((await client.signIn(key)).status).toBe(303);
    const res = await client.get("/studio");
    const main = textOf(await res.text(), "main") ?? "";
    expect(res.status).toBe(403);
    expect(main).toContain("Could not load this page");
    expect(main).toContain("GET /v1/consistency answered 403");
    expect(main).not.toMatch(/0 entities/);
  });
});

describe("the core reads a request's own headers", () => {
  it("ignores a runtime's bindings that carry another request's headers", async () => {
    const { db } = await studioApp();
    const app = createApp({ renderers, platforms, resolveDb: () => db, config: parseConfig({ LOG_REQUESTS: "false" }) });
    const { secret } = await createApiKey(db, { name: "reader", scopes: ["catalog:write"] }, new Date());
    // What @hono/node-server passes as env, here describing a different request than the one given.
    const outer = { incoming: { headers: { cookie: "unison_studio=x" }, socket: { remoteAddress: "127.0.0.1" } } };
    const keyed = await app.fetch(
      new Request("http://x/v1/admin/products?limit=1", { headers: { authorization: `Bearer ${secret}` } }),
      outer,
    );
    expect(keyed.status).toBe(200);
    const otherOuter = { incoming: { headers: { authorization: `Bearer ${secret}` }, socket: {} } };
    const anonymous = await app.fetch(new Request("http://x/v1/admin/products?limit=1"), otherOuter);
    expect(anonymous.status).toBe(401);
  });
});
