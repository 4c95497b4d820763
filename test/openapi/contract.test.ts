import { describe, expect, it } from "vitest";
import { createTestApp } from "../helpers/app";
import { checkResponse } from "../helpers/contract";

const json = (body: unknown, status: number, type = "application/json") =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": type } });
const problem = {
  type: "https://unison.dev/problems/not-found",
  title: "Not Found",
  status: 404,
  detail: "No product.",
  code: "not_found",
  requestId: null,
};

describe("the response contract check used by every API test", () => {
  it("refuses a body that breaks the declared schema, an undeclared status and a wrong media type", async () => {
    const { app } = await createTestApp();
    const product = "/v1/products/wool-hat";
    await expect(checkResponse(app, "GET", product, json({ slug: "wool-hat" }, 200))).rejects.toThrow(/does not match \/openapi.json/);
    await expect(checkResponse(app, "GET", product, json({}, 418))).rejects.toThrow(/not a listed response/);
    const html = new Response("<p>hi</p>", { status: 200, headers: { "content-type": "text/html" } });
    await expect(checkResponse(app, "GET", product, html)).rejects.toThrow(/content type/);
    await expect(checkResponse(app, "GET", product, json({ status: 404 }, 404, "application/problem+json"))).rejects.toThrow(
      /does not match/,
    );
  });

  it("accepts listed problems, the shared error responses where they apply, 304 and routes outside the API description", async () => {
    const { app } = await createTestApp();
    await expect(
      checkResponse(app, "GET", "/v1/products/wool-hat", json(problem, 404, "application/problem+json")),
    ).resolves.toBeUndefined();
    const tooLarge = json({ ...problem, status: 413, code: "payload_too_large" }, 413, "application/problem+json");
    await expect(checkResponse(app, "POST", "/v1/admin/locales", tooLarge)).resolves.toBeUndefined();
    // A GET has no body to be too large: 413 is not listed there, so answering it would break the contract.
    await expect(checkResponse(app, "GET", "/v1/locales", tooLarge)).rejects.toThrow(/not a listed response/);
    await expect(checkResponse(app, "GET", "/v1/products/wool-hat", new Response(null, { status: 304 }))).resolves.toBeUndefined();
    await expect(checkResponse(app, "GET", "/media/products/x.svg", new Response("x", { status: 200 }))).resolves.toBeUndefined();
  });
});

describe("the published document", () => {
  it("lets nullable referenced schemas be null (compareAtPrice, currentPrice)", async () => {
    const t = await createTestApp();
    const spec = (await (await t.request("GET", "/openapi.json")).json()) as any;
    const variant = spec.components.schemas.ProductVariant.properties.compareAtPrice;
    expect(variant.anyOf).toEqual([{ $ref: "#/components/schemas/Money" }, { type: "null" }]);
    expect(spec.components.schemas.CartLine.properties.currentPrice.anyOf).toContainEqual({ type: "null" });
    expect(JSON.stringify(spec)).not.toMatch(/"allOf":\[\{"\$ref":"[^"]+"\},\{"type":\[[^\]]*"null"/);
  });
});
