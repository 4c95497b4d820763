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
import { ProductDoc } from "../../src/catalogue/documents";
import type { LocaleRow, LocaleSet } from "../../src/catalogue/locales";
import { fallbackChain } from "../../src/catalogue/locales";
import { productView } from "../../src/catalogue/products";
import { jsonText } from "../../src/lib/etag";
import { productDoc } from "../helpers/db";

/** Each answer format's fingerprint of the fixed products' answers. */
const RECORDED: Record<number, string> = {
  1: "4e5e613989b306b46515c810",
};

const row = (code: string, name: string, fallback: string | null, currency: string, position: number): LocaleRow => ({
  code,
  name,
  fallback,
  isDefault: fallback === null,
  currency,
  position,
  archived: false,
  version: 1,
  createdAt: "2026-11-24T12:00:00.000Z",
  updatedAt: "2026-11-24T12:00:00.000Z",
});
const rows = [row("en", "English", null, "EUR", 0), row("fr", "Français", "en", "EUR", 1), row("en-US", "English (US)", "en", "USD", 2)];
const locales: LocaleSet = { rows, default: rows[0]!, byCode: new Map(rows.map((r) => [r.code, r])) };

/** Products that reach every branch of the view: fallbacks, relative media, compare-at prices, stock levels. */
const products = [
  productDoc("merino-crew", {
    title: { en: 'Merino crew <sweater> & "more"', fr: "Pull ras du cou" },
    media: [
      { url: "/media/merino.jpg", alt: { en: "Front", fr: "Devant" } },
      { url: "https://img.example/back.jpg", alt: { en: "Back" } },
    ],
    attributes: [{ key: "material", label: { en: "Material", fr: "Matière" }, value: { en: "Merino wool" } }],
    variants: [
      { sku: "MC-S", options: { size: "S" }, prices: { EUR: 8900, USD: 9900 }, compareAtPrices: { EUR: 12000 } },
      { sku: "MC-M", options: { size: "M" }, prices: { EUR: 123456 }, lowStockThreshold: 5 },
      { sku: "MC-L", options: { size: "L" }, prices: { EUR: 8900 }, backorder: "preorder" },
    ],
  }),
  productDoc("silk-scarf", { categories: ["accessories", "gifts"], summary: { en: "Light. 🧣" } }),
].map((doc) => ProductDoc.parse(doc));
const stock = new Map([
  ["MC-S", 40],
  ["MC-M", 3],
  ["MC-L", 0],
]);

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
