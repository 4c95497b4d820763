import { describe, expect, it } from "vitest";
import { createTestApp } from "../helpers/app";
import { checkResponse } from "../helpers/contract";

const json = (body: unknown, status: number, type = "application/json") =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": type } });

describe("the response contract check used by every API test", () => {
  it("refuses a body that breaks the declared schema, an undeclared status and a wrong media type; accepts problems and 304", async () => {
    const { app } = await createTestApp();
    await expect(checkResponse(app, "GET", "/v1/products/wool-hat", json({ slug: "wool-hat" }, 200))).rejects.toThrow(
      /does not match the declared schema/,
    );
    await expect(checkResponse(app, "GET", "/v1/products/wool-hat", json({}, 418))).rejects.toThrow(/not a declared response/);
    await expect(
      checkResponse(
        app,
        "GET",
        "/v1/products/wool-hat",
        new Response("<p>hi</p>", { status: 200, headers: { "content-type": "text/html" } }),
      ),
    ).rejects.toThrow(/content type/);
    await expect(
      checkResponse(app, "GET", "/v1/products/wool-hat", json({ status: 404 }, 404, "application/problem+json")),
    ).resolves.toBeUndefined();
    await expect(checkResponse(app, "GET", "/v1/products/wool-hat", new Response(null, { status: 304 }))).resolves.toBeUndefined();
    await expect(checkResponse(app, "GET", "/media/products/x.svg", new Response("x", { status: 200 }))).resolves.toBeUndefined();
  });
});
