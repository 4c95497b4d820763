import { beforeAll, describe, expect, it } from "vitest";
import type { ActionView } from "../../src/catalogue/actions";
import type { EntityView } from "../../src/channels/contract";
import { type Demo, loadDemo } from "../../test/helpers/demo";
import { BASE_URL, cartView, listView, messageKeys, orderView, problems, productSlugs, resultView, roundTrip } from "./fixtures";
import { chatRenderer } from "./index";

let demo: Demo;
let slugs: string[];
let keys: string[];
const actions: Record<string, ActionView[]> = {};

beforeAll(async () => {
  demo = await loadDemo();
  for (const locale of ["en", "fr"]) actions[locale] = await demo.actions(locale);
  slugs = await productSlugs(demo);
  keys = await messageKeys(demo);
});

/** Every problem the consistency engine would find in `view` on every chat format. */
function audit(view: EntityView, mediaUrls: string[] = []): string[] {
  return chatRenderer.formats.flatMap((format) =>
    problems(view, roundTrip(view, format, actions[view.locale]!).seen, mediaUrls).map((p) => `${format}: ${p}`),
  );
}

describe("chat parity", () => {
  it("shows every fact and every action of all 33 demo products, in English and French, on every format, within every limit", async () => {
    expect(slugs).toHaveLength(33);
    const found: string[] = [];
    for (const locale of ["en", "fr"]) {
      for (const slug of slugs) {
        const view = await demo.product(slug, "chat", locale);
        expect(view.actions.length).toBeGreaterThan(0);
        found.push(
          ...audit(
            view,
            view.media.map((m) => m.url),
          ).map((p) => `${slug} ${locale} ${p}`),
        );
      }
    }
    expect(found).toEqual([]);
  });

  it("shows every fact of all 13 demo messages, in English and French, on every format, within every limit", async () => {
    expect(keys).toHaveLength(13);
    const found: string[] = [];
    for (const locale of ["en", "fr"]) {
      for (const key of keys) found.push(...audit(await demo.message(key, "chat", locale)).map((p) => `${key} ${locale} ${p}`));
    }
    expect(found).toEqual([]);
  });

  it("renders a product list, a cart, an order and an action result on every format with nothing missing", async () => {
    for (const locale of ["en", "fr"]) {
      const list = await listView(demo, slugs.slice(0, 6), locale, "https://shop.example/products?cursor=abc");
      const next = (await demo.product("merino-crew-sweater", "chat", locale)).actions;
      const views: EntityView[] = [list, await cartView(demo, locale), await orderView(demo, locale), resultView(next, locale)];
      for (const view of views) {
        expect(view.actions.length).toBeGreaterThan(0);
        const media = view.kind === "product_list" ? view.items.flatMap((i) => (i.image ? [i.image.url] : [])) : [];
        expect(audit(view, media), `${view.kind} ${locale}`).toEqual([]);
      }
    }
  });

  it("reads a body it just rendered from the object it serialised exactly as from the bytes (the second read parses them)", async () => {
    for (const locale of ["en", "fr"]) {
      for (const slug of slugs) {
        const view = await demo.product(slug, "chat", locale);
        for (const format of chatRenderer.formats) {
          const { out, seen } = roundTrip(view, format, actions[locale]!);
          const again = chatRenderer.inspect(out.body, { format, baseUrl: BASE_URL, actions: actions[locale]! });
          expect(seen, `${slug} ${locale} ${format}`).toEqual(again);
        }
      }
    }
  });

  it("is an audit that can fail: it finds a fact left out, an action without a control and a limit broken", async () => {
    const view = await demo.product("merino-crew-sweater", "chat", "en");
    const { out } = roundTrip(view, "whatsapp", actions.en!);
    const body = JSON.parse(out.body);
    body.interactive.body.text = body.interactive.body.text.replace("€89.00", "");
    body.interactive.action.buttons[1].reply.title = "x".repeat(21);
    body.interactive.action.buttons[1].reply.id = "a:view_cart";
    const seen = chatRenderer.inspect(JSON.stringify(body), { format: "whatsapp", baseUrl: "https://shop.example", actions: actions.en! });
    expect(problems(view, seen)).toEqual([
      'fact price "€89.00" not shown',
      "action a:view_product:merino-crew-sweater has no control",
      `limit whatsapp.button.title: button "${"x".repeat(21)}": 21, the limit is 20.`,
    ]);
  });
});
