/**
 * Routes that declare a 304 keep their 200 body type-checked (issue #12): the 304 is declared with an
 * empty `content` (`notModified`, src/lib/etag.ts), so @hono/zod-openapi types the handler strictly,
 * and the ETag helpers are typed as the 200 they send or stand for. The `@ts-expect-error` lines are
 * the test: `npx tsc --noEmit` fails if any of them stops being an error (a handler that may return
 * any `Response` again). The runtime part checks the 304 the helper sends.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/lib/context";
import { jsonText, jsonWithEtag, sendJson } from "../../src/lib/etag";
import { getProduct, listLocales } from "../../src/routes/delivery/delivery.routes";
import { createTestApp } from "../helpers/app";

/** Never registered on a served app: these handlers exist for the compiler. */
export function typedHandlers(app: OpenAPIHono<AppEnv>) {
  app.openapi(listLocales, (c) => jsonWithEtag(c, { data: [] }));
  // @ts-expect-error a 200 body that is not the route's (LocalePage needs `data`)
  app.openapi(listLocales, (c) => jsonWithEtag(c, { locales: ["en"] }));
  // @ts-expect-error a product is not a locale page
  app.openapi(listLocales, (c) => jsonWithEtag(c, { slug: "merino-crew-sweater" }));
  // @ts-expect-error pre-serialized bytes of another type
  app.openapi(listLocales, (c) => sendJson(c, jsonText({ data: "not a list" }), '"t"'));
  // @ts-expect-error a plain string is not the JSON text of any body (only jsonText makes one)
  app.openapi(listLocales, (c) => sendJson(c, '{"data":[]}', '"t"'));
  // @ts-expect-error a bare 304 bypasses the helper that compared the ETag of the very 200
  app.openapi(getProduct, (c) => c.body(null, 304));
  // @ts-expect-error c.json with a wrong body is refused too (as on any route whose responses all declare content)
  app.openapi(getProduct, (c) => c.json({ slug: 1 }, 200));
}

describe("a route with a 304", () => {
  it("answers 304 with no body when If-None-Match matches the 200's ETag", async () => {
    const t = await createTestApp();
    const first = await t.request("GET", "/v1/locales");
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag")!;
    const again = await t.request("GET", "/v1/locales", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
  });

  it("is published without content (the empty map that keeps the handler typed is the code's, not the contract's)", async () => {
    const doc = (await (await (await createTestApp()).request("GET", "/openapi.json")).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, object> }>>;
    };
    const notModified = Object.values(doc.paths).flatMap((item) => Object.values(item).flatMap((op) => op.responses?.["304"] ?? []));
    expect(notModified.length).toBeGreaterThanOrEqual(9);
    for (const response of notModified) expect(response).toEqual({ description: "Not modified (your `If-None-Match` matches)." });
  });
});
