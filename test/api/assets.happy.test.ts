import { describe, expect, it } from "vitest";
import { createTestApp, json } from "../helpers/app";

describe("files the web channel serves for every channel", () => {
  it("GET /media/products/{name}.svg is a deterministic, escaped SVG placeholder; other paths are 404", async () => {
    const t = await createTestApp();
    const a = await t.request("GET", "/media/products/merino-crew-sweater-1.svg");
    expect(a.status).toBe(200);
    expect(a.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    const svg = await a.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain(">MC<");
    expect(await (await t.request("GET", "/media/products/merino-crew-sweater-1.svg")).text()).toBe(svg);
    expect((await t.request("GET", "/media/products/../secrets.svg")).status).toBe(404);
    expect((await t.request("GET", "/media/other/x.svg")).status).toBe(404);
  });

  it("GET /assets/{name} serves the storefront stylesheet under its content-named file, immutable; other names are 404", async () => {
    const t = await createTestApp();
    const { STYLESHEET } = await import("../../renderers/web");
    const css = await t.request("GET", `/assets/${STYLESHEET.name}`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(css.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await css.text()).toContain("header.site{display:flex");
    expect((await t.request("GET", "/assets/storefront-00000000.css")).status).toBe(404);
    expect((await t.request("GET", "/assets/../package.json")).status).toBe(404);
  });

  it("app-link association files list the configured apps and are served as JSON without redirects", async () => {
    const t = await createTestApp({
      config: { APPLE_APP_IDS: "ABCDE12345.dev.unison.shop", ANDROID_PACKAGE: "dev.unison.shop", ANDROID_CERT_SHA256: "14:6D:E9" },
    });
    const aasa = await t.request("GET", "/.well-known/apple-app-site-association");
    expect(aasa.status).toBe(200);
    expect(aasa.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await json(aasa);
    expect(body.applinks.details[0].appIDs).toEqual(["ABCDE12345.dev.unison.shop"]);
    expect(JSON.stringify(body).length).toBeLessThan(128 * 1024);
    const links = await json(await t.request("GET", "/.well-known/assetlinks.json"));
    expect(links[0].target).toEqual({ namespace: "android_app", package_name: "dev.unison.shop", sha256_cert_fingerprints: ["14:6D:E9"] });
  });
});
