import { beforeAll, describe, expect, it } from "vitest";
import type { ActionView } from "../../src/catalogue/actions";
import type { MessageRenderView, ProductRenderView } from "../../src/channels/contract";
import { type Demo, loadDemo } from "../../test/helpers/demo";
import { BASE_URL, cartView, roundTrip } from "./fixtures";
import { chatRenderer } from "./index";

let demo: Demo;
let en: ActionView[];
let sweater: ProductRenderView;
let sale: MessageRenderView;

beforeAll(async () => {
  demo = await loadDemo();
  en = await demo.actions("en");
  sweater = await demo.product("merino-crew-sweater", "chat", "en");
  sale = await demo.message("winter_sale", "chat", "fr");
});

const URL = "https://shop.example/products/merino-crew-sweater";
const TEXT = `€89.00 (Was €110.00) · In stock\nA light, warm crew-neck in fine merino wool.\n${URL}`;
const ADD = "a:add_to_cart:MER-CRE-SWE-S-NAVY";
const VIEW = "a:view_product:merino-crew-sweater";
const SALE_TITLE = "Soldes d'hiver : 20 % sur la maille";
const SALE_TEXT =
  "Couvrez-vous pour moins cher : utilisez le code WINTER20 au paiement pour 20 % de remise sur toute la maille jusqu'au 6 janvier 2027.\nhttps://shop.example/messages/winter_sale";

const render = (view: Parameters<typeof chatRenderer.render>[0], format: string) =>
  chatRenderer.render(view, { baseUrl: BASE_URL, format });

describe("chat formats: exact output", () => {
  it("renders the merino sweater as a generic message with its card and two postback buttons (the default format)", () => {
    const out = chatRenderer.render(sweater, { baseUrl: BASE_URL });
    expect(out.format).toBe("generic");
    expect(out.contentType).toBe("application/json; charset=utf-8");
    expect(out.body).toBe(
      JSON.stringify({
        text: `Merino crew sweater\n${TEXT}`,
        cards: [
          {
            title: "Merino crew sweater",
            subtitle: "€89.00 · In stock",
            imageUrl: "https://shop.example/media/products/merino-crew-sweater-1.svg",
            url: URL,
          },
        ],
        buttons: [
          { label: "Add to cart", postback: ADD },
          { label: "View details", postback: VIEW },
        ],
      }),
    );
    expect(out.manifest.degradations).toEqual([]);
    expect(out.manifest.actions.map((a) => a.control)).toEqual([
      { kind: "postback", payload: ADD },
      { kind: "postback", payload: VIEW },
    ]);
  });

  it("renders the merino sweater on WhatsApp as reply buttons with the title as header", () => {
    expect(render(sweater, "whatsapp").body).toBe(
      JSON.stringify({
        messaging_product: "whatsapp",
        recipient_type: "individual",
        type: "interactive",
        interactive: {
          type: "button",
          header: { type: "text", text: "Merino crew sweater" },
          body: { text: TEXT },
          action: {
            buttons: [
              { type: "reply", reply: { id: ADD, title: "Add to cart" } },
              { type: "reply", reply: { id: VIEW, title: "View details" } },
            ],
          },
        },
      }),
    );
  });

  it("renders the merino sweater on Slack as header, section, image and an actions block whose values are the postbacks", () => {
    const button = (text: string, id: string) => ({
      type: "button",
      text: { type: "plain_text", text, emoji: true },
      action_id: id,
      value: id,
    });
    expect(render(sweater, "slack").body).toBe(
      JSON.stringify({
        text: `Merino crew sweater\n${TEXT}`,
        blocks: [
          { type: "header", text: { type: "plain_text", text: "Merino crew sweater", emoji: true } },
          { type: "section", text: { type: "mrkdwn", text: TEXT } },
          { type: "image", image_url: "https://shop.example/media/products/merino-crew-sweater-1.svg", alt_text: "Merino crew sweater" },
          { type: "actions", elements: [button("Add to cart", ADD), button("View details", VIEW)] },
        ],
      }),
    );
  });

  it("renders the merino sweater on Telegram as HTML sendMessage with one callback button per row", () => {
    expect(render(sweater, "telegram").body).toBe(
      JSON.stringify({
        method: "sendMessage",
        text: `<b>Merino crew sweater</b>\n${TEXT}`,
        parse_mode: "HTML",
        reply_markup: {
          inline_keyboard: [[{ text: "Add to cart", callback_data: ADD }], [{ text: "View details", callback_data: VIEW }]],
        },
      }),
    );
  });

  it("renders the merino sweater on Messenger as text with quick replies", () => {
    expect(render(sweater, "messenger").body).toBe(
      JSON.stringify({
        text: `Merino crew sweater\n${TEXT}`,
        quick_replies: [
          { content_type: "text", title: "Add to cart", payload: ADD },
          { content_type: "text", title: "View details", payload: VIEW },
        ],
      }),
    );
  });

  it("renders the French winter sale, which has no actions, on every format", () => {
    const bodies = Object.fromEntries(chatRenderer.formats.map((f) => [f, render(sale, f).body]));
    expect(bodies).toEqual({
      generic: JSON.stringify({ text: `${SALE_TITLE}\n${SALE_TEXT}`, buttons: [] }),
      whatsapp: JSON.stringify({
        messaging_product: "whatsapp",
        recipient_type: "individual",
        type: "text",
        text: { preview_url: true, body: `${SALE_TITLE}\n${SALE_TEXT}` },
      }),
      slack: JSON.stringify({
        text: `${SALE_TITLE}\n${SALE_TEXT}`,
        blocks: [
          { type: "header", text: { type: "plain_text", text: SALE_TITLE, emoji: true } },
          { type: "section", text: { type: "mrkdwn", text: SALE_TEXT } },
        ],
      }),
      telegram: JSON.stringify({ method: "sendMessage", text: `<b>${SALE_TITLE}</b>\n${SALE_TEXT}`, parse_mode: "HTML" }),
      messenger: JSON.stringify({ text: `${SALE_TITLE}\n${SALE_TEXT}` }),
    });
  });

  it("writes a facts line for facts the text leaves out, and the cart's lines with their changed prices", async () => {
    const view = { ...sweater, summary: "", facts: [...sweater.facts, { name: "code", value: "KNIT10" }] };
    const text = JSON.parse(render(view, "messenger").body).text as string;
    expect(text).toBe(`Merino crew sweater\n€89.00 (Was €110.00) · In stock\nKNIT10\n${URL}`);
    const cart = JSON.parse(render(await cartView(demo), "messenger").body).text as string;
    expect(cart).toBe(
      "Your cart\n• Merino crew sweater (S / Navy) ×2 – €178.00\n• Enamel mug ×1 – €18.00 (Price €15.00)\nTotal: €196.00\n" +
        // Every delivery option with its price on this cart (standard is free over €75.00) and lead time.
        "• Standard delivery: €0.00, 2–4 business days\n• Express delivery: €12.90, 1 business day\n• Pick up in store: €0.00, 1–2 business days\n" +
        "https://shop.example/cart",
    );
  });

  it("renders the same view to the same bytes every time", () => {
    for (const format of chatRenderer.formats) expect(render(sweater, format).body).toBe(render(structuredClone(sweater), format).body);
  });

  it("refuses a format the chat channel does not have", () => {
    expect(() => render(sweater, "teams")).toThrow(/no format "teams"/);
    expect(() => chatRenderer.inspect("{}", { format: "sms", baseUrl: BASE_URL, actions: en })).toThrow(/no format "sms"/);
  });
});

describe("chat inspection reads the body, not the view", () => {
  it("reads back each format's text, postbacks and links for the merino sweater", () => {
    for (const format of chatRenderer.formats) {
      const { seen } = roundTrip(sweater, format, en);
      expect(seen.text, format).toContain("Merino crew sweater");
      expect(seen.text, format).toContain("€89.00 (Was €110.00) · In stock");
      expect(
        seen.controls.map((c) => c.decoded),
        format,
      ).toEqual([
        { key: "add_to_cart", input: { sku: "MER-CRE-SWE-S-NAVY" } },
        { key: "view_product", input: { slug: "merino-crew-sweater" } },
      ]);
      expect(seen.links, format).toContain(URL);
      expect(seen.limits, format).toEqual([]);
    }
  });

  it("stops finding an action once its control is removed from the body", () => {
    const remove: Record<string, (b: any) => void> = {
      generic: (b) => b.buttons.pop(),
      whatsapp: (b) => b.interactive.action.buttons.pop(),
      slack: (b) => b.blocks.at(-1).elements.pop(),
      telegram: (b) => b.reply_markup.inline_keyboard.pop(),
      messenger: (b) => b.quick_replies.pop(),
    };
    for (const format of chatRenderer.formats) {
      const body = JSON.parse(render(sweater, format).body);
      remove[format]!(body);
      const seen = chatRenderer.inspect(JSON.stringify(body), { format, baseUrl: BASE_URL, actions: en });
      const keys = seen.controls.map((c) => c.decoded?.key);
      expect(keys, format).toEqual(["add_to_cart"]);
    }
  });

  it("stops finding a fact once it is edited out of the body", () => {
    const body = JSON.parse(render(sweater, "telegram").body);
    body.text = body.text.replace("€89.00", "€98.00");
    const seen = chatRenderer.inspect(JSON.stringify(body), { format: "telegram", baseUrl: BASE_URL, actions: en });
    expect(seen.text).not.toContain("€89.00");
  });

  it("decodes a postback of a disabled or unknown action to nothing", () => {
    const body = JSON.parse(render(sweater, "whatsapp").body);
    body.interactive.action.buttons[0].reply.id = "a:steal_everything";
    const seen = chatRenderer.inspect(JSON.stringify(body), { format: "whatsapp", baseUrl: BASE_URL, actions: en });
    expect(seen.controls[0]).toMatchObject({
      label: "Add to cart",
      decoded: null,
      control: { kind: "postback", payload: "a:steal_everything" },
    });
  });

  it("reports a body that is not JSON as a broken limit instead of throwing", () => {
    const seen = chatRenderer.inspect("<xml/>", { format: "slack", baseUrl: BASE_URL, actions: en });
    expect(seen.limits.map((l) => l.rule)).toEqual(["chat.json"]);
    expect(seen.controls).toEqual([]);
  });
});
