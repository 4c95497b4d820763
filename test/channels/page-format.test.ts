/**
 * The stored pages' format guard (renderers/web/index.ts `PAGE_PARTS_FORMAT`, src/channels/pages.ts). A stored
 * page is the bytes this code rendered when its product was last written; a release that renders them otherwise
 * must carry another format, or a database upgraded to it keeps composing the old parts. The format hashes the
 * compiled templates itself; what it cannot see (the page context, the product view, the web words) this test
 * does: it renders the parts of fixed products under fixed locales and actions and compares their fingerprint
 * with the one recorded for the current format.
 *
 * When this fails because pages changed on purpose: bump `PAGE_PARTS_FORMAT` if no template changed, then add the
 * new format with its fingerprint to `RECORDED` (the failure prints both). Never edit a recorded line. A template
 * edit changes the format by itself even where product pages stay as they were (the hash covers every web template):
 * record its format with the fingerprint it prints, which may be an earlier format's.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import { actionView } from "../../src/catalogue/actions";
import { BASE_MARK } from "../../src/catalogue/answers";
import { ActionDoc } from "../../src/catalogue/documents";
import { fallbackChain } from "../../src/catalogue/locales";
import { productForDisplay, productSource } from "../../src/channels/load";
import { locales, products, rows, stock } from "../helpers/fixed-products";

/** Each stored-page format's fingerprint of the fixed products' parts. */
const RECORDED: Record<string, string> = {
  "1:83bf0dd1f272f1fb": "c692181e08c2175dba2821dc",
  "2:83bf0dd1f272f1fb": "2e68d5f03bb081aca285815a",
  // action_result.hbs drew the handoff link's confirmation form: product pages unchanged.
  "2:c98b0bc50e38c2ac": "2e68d5f03bb081aca285815a",
};

const pages = renderers.web.site!.productPages!;
const addToCart = ActionDoc.parse({
  key: "add_to_cart",
  label: { en: "Add to cart", fr: "Ajouter au panier" },
  confirmation: { en: "Added to your cart.", fr: "Ajouté à votre panier." },
  appliesTo: ["product"],
  enabled: true,
  keyword: "ADD",
  overrides: [],
});

function parts(): string[] {
  return products.flatMap((doc, i) =>
    rows.map((r) => {
      const ctx = { locales, locale: r.code, chain: fallbackChain(locales, r.code), baseUrl: BASE_MARK };
      const meta = { revision: i + 3, publishedAt: "2026-11-24T12:00:00.000Z" };
      const actions = [{ view: actionView(addToCart, meta, ctx), overrides: [] }];
      return JSON.stringify(pages.parts(productForDisplay(productSource(doc, stock, meta, ctx, actions), "web"), BASE_MARK));
    }),
  );
}

describe("the stored pages' format", () => {
  it("is the one whose bytes these are: a change to what a product page shows changes the format", () => {
    const built = parts();
    // The products reach the branches they are here for: escaped text, a variant choice, the mark for the base URL.
    expect(built.every((p) => p !== "null")).toBe(true);
    expect(built[0]).toContain("Merino crew &lt;sweater&gt; &amp; &quot;more&quot;");
    expect(built[0]).toContain('<select id=\\"p0-sku\\" name=\\"sku\\">');
    expect(built[0]).toContain(`${BASE_MARK}/media/merino.jpg`);
    const fingerprint = createHash("sha256").update(built.join("\n")).digest("hex").slice(0, 24);
    expect(
      { format: pages.format, fingerprint },
      "the product pages' bytes changed: bump PAGE_PARTS_FORMAT (renderers/web/index.ts) and record the new format",
    ).toEqual({ format: pages.format, fingerprint: RECORDED[pages.format] });
  });

  it("names each format once: a format bumped by hand (the same templates) names bytes no other format of them had", () => {
    // Formats of different templates may share a fingerprint (a template edit that leaves product pages as they were).
    const byTemplates = Object.entries(RECORDED).map(([format, fingerprint]) => `${format.split(":")[1]}|${fingerprint}`);
    expect(new Set(byTemplates).size).toBe(byTemplates.length);
  });
});
