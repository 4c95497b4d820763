import { RegExpRouter } from "hono/router/reg-exp-router";
import { describe, expect, it } from "vitest";
import { createTestApp, json } from "../helpers/app";

describe("routing", () => {
  it("every route compiles into hono's RegExpRouter, so no request falls back to the trie", async () => {
    const t = await createTestApp();
    // The same routes in a RegExpRouter of their own: a pair it cannot tell apart throws UnsupportedPathError.
    const router = new RegExpRouter<number>();
    for (const [i, route] of t.app.routes.entries()) router.add(route.method, route.path, i);
    expect(() => router.match("GET", "/")).not.toThrow();
    // And the app's own SmartRouter settles on it at its first request.
    await t.app.request("/healthz");
    expect((t.app.router as unknown as { activeRouter: { name: string } }).activeRouter.name).toBe("RegExpRouter");
  });

  it("the editors' pages are mounted for each kind, and another kind is no route", async () => {
    const t = await createTestApp({ checkContract: false });
    for (const path of ["/studio/products", "/studio/messages/free-shipping", "/studio/actions/add_to_cart/revisions"]) {
      const res = await t.app.request(path);
      // Signed out: the studio's guard sends the editor to sign in, and back here after.
      expect(res.status, path).toBe(303);
      expect(res.headers.get("location"), path).toBe(`/studio/signin?next=${encodeURIComponent(path)}`);
    }
    // No route: the studio's own not-found page (an API client asking for JSON gets the problem).
    const other = await t.app.request("/studio/widgets/blue");
    expect(other.status).toBe(404);
    expect(other.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const asked = await t.app.request("/studio/widgets/blue", { headers: { accept: "application/json" } });
    expect((await json(asked)).code).toBe("route_not_found");
    // The fixed pages beside the editors' keep their own routes.
    expect((await t.app.request("/studio/customers/cus_1")).headers.get("location")).toBe(
      "/studio/signin?next=%2Fstudio%2Fcustomers%2Fcus_1",
    );
  });
});
