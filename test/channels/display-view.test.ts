/**
 * A product's view built only to be shown (`productForDisplay`: the storefront's product page, the render
 * endpoint) leaves out the claims the audit judges renders by. These tests hold the two promises that makes
 * safe: no channel renders the claims (a shown view gives the same bytes as the judged one, in every format),
 * and the engine refuses to judge a view without them instead of passing every claim check.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import { CHANNELS } from "../../src/catalogue/documents";
import { productForChannel, productForDisplay } from "../../src/channels/load";
import { checkChannel } from "../../src/consistency/engine";
import { BASE_URL, type Demo, loadDemo } from "../helpers/demo";

let demo: Demo;
beforeAll(async () => {
  demo = await loadDemo();
});

describe("a product view built to be shown", () => {
  it("has no claims, and renders to the judged view's bytes for every demo product, channel, format and locale", async () => {
    // Every demo product: with was-prices, with channel overrides, in and out of stock.
    const slugs = (demo.db.client.prepare("SELECT slug FROM published_products ORDER BY slug").all() as { slug: string }[]).map(
      (r) => r.slug,
    );
    expect(slugs.length).toBeGreaterThan(30);
    let renders = 0;
    for (const slug of slugs) {
      for (const locale of ["en", "fr"]) {
        const source = await demo.source(slug, locale);
        for (const channel of CHANNELS) {
          const judged = productForChannel(source, channel);
          const shown = productForDisplay(source, channel);
          expect(judged.canonical?.length, `${slug} ${channel}`).toBeGreaterThan(3);
          expect("canonical" in shown).toBe(false);
          const { canonical: _claims, ...rest } = judged;
          expect(shown, `${slug} ${channel} ${locale}`).toEqual(rest);
          const renderer = renderers[channel];
          for (const format of renderer.formats) {
            const options = { baseUrl: BASE_URL, format };
            expect(renderer.render(shown, options).body, `${slug} ${channel}/${format} ${locale}`).toBe(
              renderer.render(judged, options).body,
            );
            renders++;
          }
        }
      }
    }
    expect(renders).toBeGreaterThanOrEqual(slugs.length * 2 * 9);
  });

  it("is refused by the engine: judged without claims, an override selling another product would pass", async () => {
    const source = await demo.source("merino-crew-sweater");
    const ctx = { baseUrl: BASE_URL, actions: await demo.actions(), pageExists: () => true };
    const entity = { type: "product" as const, key: "merino-crew-sweater" };
    expect(checkChannel(renderers.sms, productForChannel(source, "sms"), entity, ctx).violations).toEqual([]);
    expect(() => checkChannel(renderers.sms, productForDisplay(source, "sms"), entity, ctx)).toThrow(/no claims to judge/);
  });
});
