/**
 * Misses outside the APIs are pages: a person who types an address, follows an old link or presses Enter in the
 * address bar on the page a form's POST answered sees the shop's (or the studio's) own page, never JSON. The APIs'
 * misses stay RFC 9457 problems whatever the client accepts.
 */
import { describe, expect, it } from "vitest";
import { createTestApp, json, type TestApp } from "../helpers/app";

const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

async function app(): Promise<TestApp> {
  return createTestApp({ checkContract: false });
}

/** Asserts the shop's not-found page: HTML, its security headers, its words, the request id. */
async function expectShopPage(res: Response, status: number, words: string, what: string) {
  const body = await res.text();
  expect(res.status, `${what}: ${body.slice(0, 200)}`).toBe(status);
  expect(res.headers.get("content-type"), what).toBe("text/html; charset=utf-8");
  expect(res.headers.get("content-security-policy"), what).toContain("script-src 'none'");
  expect(res.headers.get("x-frame-options"), what).toBe("DENY");
  expect(res.headers.get("cache-control"), what).toBe("no-store");
  expect(res.headers.get("x-request-id"), what).toBeTruthy();
  expect(body, what).toMatch(/^<!doctype html>/i);
  expect(body, what).toContain(words);
}

describe("misses on the storefront are the shop's not-found page", () => {
  it("an unknown address is the same HTML 404 an unknown product gets, for a browser, curl and a client that sends no Accept", async () => {
    const t = await app();
    const known = await t.app.request("/products/nope", { headers: { accept: BROWSER } });
    await expectShopPage(known, 404, "Page not found", "/products/nope");
    const paths = ["/nope", "/products/", "/products/a/b", "/cart/", "/orders", "/favicon.ico", "/robots.txt", "/v1nope"];
    for (const path of paths) {
      await expectShopPage(await t.app.request(path, { headers: { accept: BROWSER } }), 404, "Page not found", `${path} (browser)`);
    }
    await expectShopPage(await t.app.request("/nope", { headers: { accept: "*/*" } }), 404, "Page not found", "/nope (curl)");
    await expectShopPage(await t.app.request("/nope"), 404, "Page not found", "/nope (no Accept)");
    await expectShopPage(
      await t.app.request("/nope", { headers: { accept: BROWSER, "accept-language": "fr" } }),
      404,
      "Page introuvable",
      "/nope (fr)",
    );
    const head = await t.app.request("/nope", { method: "HEAD", headers: { accept: BROWSER } });
    expect(head.status).toBe(404);
    expect(head.headers.get("content-type")).toBe("text/html; charset=utf-8");
  });

  it("a client that asks for JSON and not HTML gets the problem, as before", async () => {
    const t = await app();
    const res = await t.app.request("/nope", { headers: { accept: "application/json" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect((await json(res)).code).toBe("route_not_found");
  });

  it("a GET of a form target goes back to the page its form is on: /checkout/place to the review, /actions/… to the cart", async () => {
    const t = await app();
    for (const method of ["GET", "HEAD"]) {
      const place = await t.app.request("/checkout/place", { method, headers: { accept: BROWSER } });
      expect(place.status, method).toBe(303);
      expect(place.headers.get("location"), method).toBe("https://shop.example/checkout/review");
      const action = await t.app.request("/actions/add_to_cart", { method, headers: { accept: BROWSER } });
      expect(action.status, method).toBe(303);
      expect(action.headers.get("location"), method).toBe("https://shop.example/cart");
    }
    // The review page itself sends a shopper with an empty cart on to the cart: nothing here is a dead end.
    const review = await t.app.request("/checkout/review", { headers: { accept: BROWSER } });
    expect(review.status).toBe(303);
    expect(review.headers.get("location")).toBe("https://shop.example/cart");
  });

  it("another method on a page is an HTML 405 with Allow", async () => {
    const t = await app();
    const res = await t.app.request("/cart", {
      method: "POST",
      headers: { accept: BROWSER, "content-type": "application/x-www-form-urlencoded" },
      body: "a=1",
    });
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    await expectShopPage(res, 405, "That did not work", "POST /cart");
  });
});

describe("misses in the studio are the studio's not-found page", () => {
  it("an unknown studio address is the studio's HTML 404 with its security headers", async () => {
    const t = await app();
    for (const path of ["/studio/nope", "/studio/widgets/blue", "/studio/products/a/b/c"]) {
      const res = await t.app.request(path, { headers: { accept: BROWSER } });
      const body = await res.text();
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toBe("text/html; charset=utf-8");
      expect(res.headers.get("content-security-policy"), path).toContain("default-src 'none'; script-src 'self'");
      expect(res.headers.get("cache-control"), path).toBe("no-store");
      expect(body, path).toContain("Unison Studio");
      expect(body, path).toContain("There is no such page in the studio.");
    }
  });

  it("a GET of a studio form target goes back to the page its form is on", async () => {
    const t = await app();
    const publish = await t.app.request("/studio/products/merino-crew-sweater/publish", { headers: { accept: BROWSER } });
    expect(publish.status).toBe(303);
    expect(publish.headers.get("location")).toBe("/studio/products/merino-crew-sweater");
    const signout = await t.app.request("/studio/signout", { headers: { accept: BROWSER } });
    expect(signout.status).toBe(303);
    expect(signout.headers.get("location")).toBe("/studio");
  });
});

describe("the APIs' misses stay problems whatever the client accepts", () => {
  it("/v1, /mcp, /openapi.json, ACP and /.well-known answer problem+json to a browser too", async () => {
    const t = await app();
    const cases: [string, string, number, string][] = [
      ["GET", "/v1/nope", 404, "route_not_found"],
      ["GET", "/v1", 404, "route_not_found"],
      ["PUT", "/v1/products/merino-crew-sweater", 405, "method_not_allowed"],
      ["GET", "/mcp/nope", 404, "route_not_found"],
      ["GET", "/openapi.json/nope", 404, "route_not_found"],
      ["POST", "/openapi.json", 405, "method_not_allowed"],
      ["GET", "/checkout_sessions", 405, "method_not_allowed"],
      ["GET", "/checkout_sessions/cs_1/nope", 404, "route_not_found"],
      ["GET", "/.well-known/nope", 404, "route_not_found"],
    ];
    for (const [method, path, status, code] of cases) {
      const res = await t.app.request(path, { method, headers: { accept: BROWSER } });
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.headers.get("content-type"), `${method} ${path}`).toBe("application/problem+json");
      expect((await json(res)).code, `${method} ${path}`).toBe(code);
    }
  });
});
