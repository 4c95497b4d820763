/**
 * Generated catalogues for the benchmarks: N products in the content format
 * (two locales, 1–4 variants, categories, searchable words), imported through
 * the real import path so the database holds exactly what publishing produces.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ContentBundle } from "../src/catalogue/content";

const ADJECTIVES = ["merino", "waxed", "quilted", "felted", "linen", "oak", "enamel", "alpaca", "recycled", "canvas", "cast", "ribbed"];
const NOUNS = ["sweater", "jacket", "boots", "blanket", "mug", "skillet", "scarf", "tent", "lamp", "bowl", "cardigan", "socks"];
const NOUNS_FR = ["pull", "veste", "bottines", "plaid", "tasse", "poêle", "écharpe", "tente", "lampe", "bol", "cardigan", "chaussettes"];
export const CATEGORIES = ["knitwear", "outerwear", "footwear", "camping", "kitchen", "home"];

export const LOCALES = [
  { code: "en", name: "English", fallback: null, default: true, currency: "EUR" },
  { code: "fr", name: "Français", fallback: "en", default: false, currency: "EUR" },
];

/** The i-th generated product: deterministic, so runs are comparable. */
export function generatedProduct(i: number) {
  const adjective = ADJECTIVES[i % ADJECTIVES.length]!;
  const n = Math.floor(i / ADJECTIVES.length) % NOUNS.length;
  const slug = `${adjective}-${NOUNS[n]}-${i.toString(36)}`;
  const variants = Array.from({ length: 1 + (i % 4) }, (_, v) => ({
    sku: `G${i.toString(36).toUpperCase()}-${v}`,
    options: { size: ["S", "M", "L", "XL"][v]! },
    prices: { EUR: 1000 + ((i * 37 + v * 500) % 30000) },
    stock: (i + v) % 7 === 0 ? 0 : (i * 13 + v) % 40,
  }));
  return {
    slug,
    title: { en: `${adjective} ${NOUNS[n]} ${i}`, fr: `${NOUNS_FR[n]} ${adjective} ${i}` },
    summary: { en: `A ${adjective} ${NOUNS[n]} made to last.`, fr: `Un ${NOUNS_FR[n]} ${adjective} fait pour durer.` },
    description: { en: `Generated product number ${i} for benchmarks.`, fr: `Produit généré numéro ${i} pour les mesures.` },
    categories: [CATEGORIES[i % CATEGORIES.length]!],
    media: [{ url: `/media/products/${slug}-1.svg`, alt: { en: `${adjective} ${NOUNS[n]}`, fr: `${NOUNS_FR[n]} ${adjective}` } }],
    attributes: [],
    variants,
    overrides: [],
  };
}

export function generatedBundle(count: number, offset = 0): ContentBundle {
  return {
    locales: { path: "locales.json", data: LOCALES },
    products: Array.from({ length: count }, (_, i) => ({ path: `products[${i}]`, data: generatedProduct(offset + i) })),
    messages: [],
    actions: [],
  };
}

/** The i-th product in issue #14's shape: a 300-character description and three variants. */
export function issueProduct(i: number) {
  const p = generatedProduct(i);
  const text = (s: string) => `${s} `.repeat(Math.ceil(300 / (s.length + 1))).slice(0, 300);
  return {
    ...p,
    description: { en: text(p.description.en), fr: text(p.description.fr) },
    variants: [0, 1, 2].map((v) => ({
      sku: `G${i.toString(36).toUpperCase()}-${v}`,
      options: { size: ["S", "M", "L"][v]! },
      prices: { EUR: 1000 + ((i * 37 + v * 500) % 30000) },
      stock: (i * 13 + v) % 40,
    })),
  };
}

/** Writes a content directory of `count` generated products (one file each, as `unison import` reads them). */
export function writeCatalogue(dir: string, count: number) {
  mkdirSync(join(dir, "products"), { recursive: true });
  writeFileSync(join(dir, "locales.json"), `${JSON.stringify(LOCALES, null, 2)}\n`);
  for (let i = 0; i < count; i++) {
    const product = generatedProduct(i);
    writeFileSync(join(dir, "products", `${product.slug}.json`), `${JSON.stringify(product, null, 2)}\n`);
  }
}
