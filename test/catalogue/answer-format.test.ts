/**
 * The stored answers' format guard (src/catalogue/answers.ts `ANSWER_FORMAT`). A stored answer is the bytes this
 * code built when its product was last written; a release that builds them differently must say so, or a
 * database upgraded to it keeps serving the old bytes until each product is written again. These tests build
 * the answers of fixed products under fixed locales — the view, the JSON, the money formats — and compare their
 * fingerprint with the one recorded for the current format.
 *
 * When this fails because the product view changed on purpose: add `ANSWER_FORMAT + 1` to `RECORDED` with the new
 * fingerprint and bump `ANSWER_FORMAT`. Never edit a recorded line: databases hold answers in those formats.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ANSWER_FORMAT, answerBasis, BASE_MARK } from "../../src/catalogue/answers";
import { fallbackChain } from "../../src/catalogue/locales";
import { productView } from "../../src/catalogue/products";
import { jsonText } from "../../src/lib/etag";
import { locales, products, rows, stock } from "../helpers/fixed-products";

/** Each answer format's fingerprint of the fixed products' answers. */
const RECORDED: Record<number, string> = {
  1: "4e5e613989b306b46515c810",
};

function answers(): string[] {
  return products.flatMap((doc, i) =>
    rows.map((r) =>
      jsonText(
        productView(
          doc,
          stock,
          { revision: i + 3, publishedAt: "2026-11-24T12:00:00.000Z" },
          {
            locales,
            locale: r.code,
            chain: fallbackChain(locales, r.code),
            baseUrl: BASE_MARK,
          },
        ),
      ),
    ),
  );
}

describe("the stored answers' format", () => {
  it("is the one whose bytes these are: a change to the product view bumps ANSWER_FORMAT", () => {
    const built = answers();
    // The products reach the branches they are here for.
    expect(built.some((a) => a.includes('"compareAtPrice":{'))).toBe(true);
    expect(built.some((a) => a.includes(`"url":"${BASE_MARK}/media/merino.jpg"`))).toBe(true);
    expect(JSON.parse(built[0]!).variants.map((v: { availability: string }) => v.availability)).toEqual([
      "in_stock",
      "low_stock",
      "preorder",
    ]);
    expect(
      { format: ANSWER_FORMAT, fingerprint: createHash("sha256").update(built.join("\n")).digest("hex").slice(0, 24) },
      "the product answers' bytes changed: add ANSWER_FORMAT + 1 to RECORDED and bump ANSWER_FORMAT (src/catalogue/answers.ts)",
    ).toEqual({ format: Math.max(...Object.keys(RECORDED).map(Number)), fingerprint: RECORDED[ANSWER_FORMAT] });
  });

  it("names each format once, and is part of every basis", () => {
    expect(new Set(Object.values(RECORDED)).size).toBe(Object.keys(RECORDED).length);
    const basis = answerBasis(locales);
    expect(answerBasis(locales, ANSWER_FORMAT + 1)).not.toBe(basis);
    // Another locale set, even one column of it, is another basis.
    const other = rows.map((r) => (r.code === "fr" ? { ...r, currency: "CHF" } : r));
    expect(answerBasis({ ...locales, rows: other, byCode: new Map(other.map((r) => [r.code, r])) })).not.toBe(basis);
    expect(answerBasis({ ...locales, rows: [...rows] })).toBe(basis);
  });
});
