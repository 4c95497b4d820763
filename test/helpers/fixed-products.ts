/**
 * Fixed products under fixed locales, for the format guards of what is stored (test/catalogue/answer-format.test.ts,
 * test/channels/page-format.test.ts): they reach every branch of the product view — fallbacks, relative media,
 * compare-at prices, low stock, preorder, several categories, a title HTML must escape. Never edit them: a guard's
 * recorded fingerprints were taken of exactly these.
 */
import { ProductDoc } from "../../src/catalogue/documents";
import type { LocaleRow, LocaleSet } from "../../src/catalogue/locales";
import { productDoc } from "./db";

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
export const rows = [
  row("en", "English", null, "EUR", 0),
  row("fr", "Français", "en", "EUR", 1),
  row("en-US", "English (US)", "en", "USD", 2),
];
export const locales: LocaleSet = { rows, default: rows[0]!, byCode: new Map(rows.map((r) => [r.code, r])) };

/** Products that reach every branch of the view: fallbacks, relative media, compare-at prices, stock levels. */
export const products = [
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
export const stock = new Map([
  ["MC-S", 40],
  ["MC-M", 3],
  ["MC-L", 0],
]);
