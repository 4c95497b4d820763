import { beforeAll, describe, expect, it } from "vitest";
import type { ActionView } from "../../src/catalogue/actions";
import { type ActionOffer, charCount, type MessageRenderView, type ProductRenderView } from "../../src/channels/contract";
import { type Demo, loadDemo } from "../../test/helpers/demo";
import { BASE_URL, listView, offers, problems, productSlugs, relabel, resultView, roundTrip } from "./fixtures";
import { chatRenderer } from "./index";
import { byteLength, MORE_POSTBACK, neutralizeMarkup, oneLine, stripControls } from "./shared";

let demo: Demo;
let en: ActionView[];
let sweater: ProductRenderView;
let pool: ActionOffer[];

beforeAll(async () => {
  demo = await loadDemo();
  en = await demo.actions("en");
  sweater = await demo.product("merino-crew-sweater", "chat", "en");
  pool = await offers(demo, 30);
});

const inspect = (format: string, body: unknown) => chatRenderer.inspect(JSON.stringify(body), { format, baseUrl: BASE_URL, actions: en });
const rules = (format: string, body: unknown) => inspect(format, body).limits.map((l) => l.rule);
const degradations = (out: { manifest: { degradations: { rule: string }[] } }) => [
  ...new Set(out.manifest.degradations.map((d) => d.rule)),
];

describe("chat action counts", () => {
  it.each([
    [2, "button", 2, false],
    [3, "button", 3, false],
    [4, "list", 4, false],
    [10, "list", 10, false],
    [12, "list", 10, true],
  ])("WhatsApp shows %i actions as %s with %i controls (More… row: %s), every action still reachable", (n, type, controls, more) => {
    const view = resultView(pool.slice(0, n));
    const { out, seen } = roundTrip(view, "whatsapp", en);
    const interactive = JSON.parse(out.body).interactive;
    expect(interactive.type).toBe(type);
    const ids =
      type === "button"
        ? interactive.action.buttons.map((b: any) => b.reply.id)
        : interactive.action.sections[0].rows.map((r: any) => r.id);
    expect(ids).toHaveLength(controls);
    expect(ids.at(-1) === MORE_POSTBACK).toBe(more);
    expect(degradations(out).includes("whatsapp.list.rows")).toBe(more);
    expect(problems(view, seen)).toEqual([]);
  });

  it("offers the actions beyond nine rows as commands and links in the WhatsApp body, and the More… row hands off to the web", () => {
    const view = resultView(pool.slice(0, 12));
    const { out, seen } = roundTrip(view, "whatsapp", en);
    const text: string = JSON.parse(out.body).interactive.body.text;
    for (const offer of pool.slice(9, 12)) expect(text).toContain(`${offer.label}: Reply ${offer.command} – ${offer.deepLink}`);
    expect(seen.controls.find((c) => c.control.kind === "postback" && c.control.payload === MORE_POSTBACK)?.decoded).toEqual({
      key: "handoff",
      input: { to: "web" },
    });
    expect(out.manifest.actions.slice(9).map((a) => a.control.kind)).toEqual(["keyword", "keyword", "keyword"]);
  });

  it.each([2, 3, 4, 10, 12])("keeps %i actions native with no degradation on generic, Slack, Telegram and Messenger", (n) => {
    const view = resultView(pool.slice(0, n));
    for (const format of ["generic", "slack", "telegram", "messenger"]) {
      const { out, seen } = roundTrip(view, format, en);
      expect(degradations(out), format).toEqual([]);
      expect(
        out.manifest.actions.every((a) => a.control.kind === "postback"),
        format,
      ).toBe(true);
      expect(problems(view, seen), format).toEqual([]);
    }
  });

  it("puts a fourteenth Messenger action behind a More… quick reply, reported, with the rest as text", () => {
    const view = resultView(pool.slice(0, 14));
    const { out, seen } = roundTrip(view, "messenger", en);
    const body = JSON.parse(out.body);
    expect(body.quick_replies).toHaveLength(13);
    expect(body.quick_replies.at(-1)).toEqual({ content_type: "text", title: "More…", payload: MORE_POSTBACK });
    expect(degradations(out)).toEqual(["messenger.quick_replies.max"]);
    expect(problems(view, seen)).toEqual([]);
  });

  it("splits 30 Slack buttons into actions blocks of at most 25, reported", () => {
    const view = resultView(pool.slice(0, 30));
    const { out, seen } = roundTrip(view, "slack", en);
    const blocks = JSON.parse(out.body).blocks.filter((b: any) => b.type === "actions");
    expect(blocks.map((b: any) => b.elements.length)).toEqual([25, 5]);
    expect(degradations(out)).toEqual(["slack.actions.elements"]);
    expect(problems(view, seen)).toEqual([]);
  });
});

describe("chat cards", () => {
  it("shows at most 10 generic cards for a list of 12 products, reported, while the text lists all 12", async () => {
    const view = await listView(demo, (await productSlugs(demo)).slice(0, 12));
    const { out, seen } = roundTrip(view, "generic", en);
    expect(JSON.parse(out.body).cards).toHaveLength(10);
    expect(degradations(out)).toContain("generic.cards.max");
    const media = view.items.flatMap((i) => (i.image ? [i.image.url] : []));
    expect(problems(view, seen, media)).toEqual([]);
  });
});

describe("chat labels", () => {
  const thirty = "Add this lovely item to my bag";

  it("cuts a 30-character label to 20 with an ellipsis on a grapheme boundary, and reports it", () => {
    expect(thirty).toHaveLength(30);
    const view = resultView([relabel(pool[0]!, thirty), pool[1]!]);
    for (const [format, read, rule] of [
      ["generic", (b: any) => b.buttons[0].label, "generic.button.label"],
      ["messenger", (b: any) => b.quick_replies[0].title, "messenger.quick_reply.title"],
    ] as const) {
      const out = chatRenderer.render(view, { baseUrl: BASE_URL, format });
      const label: string = read(JSON.parse(out.body));
      expect(label).toBe("Add this lovely ite…");
      expect(charCount(label)).toBe(20);
      expect(out.manifest.degradations).toContainEqual({ rule, detail: `"${thirty}" shown as "Add this lovely ite…".` });
    }
  });

  it("shows a label too long for a WhatsApp reply button in a list row of up to 24 characters instead", () => {
    const view = resultView([relabel(pool[0]!, thirty), pool[1]!]);
    const { out, seen } = roundTrip(view, "whatsapp", en);
    const interactive = JSON.parse(out.body).interactive;
    expect(interactive.type).toBe("list");
    expect(interactive.action.sections[0].rows[0].title).toBe("Add this lovely item to…");
    expect(charCount(interactive.action.sections[0].rows[0].title)).toBe(24);
    expect(problems(view, seen)).toEqual([]);
  });

  it("keeps a label of exactly 20 characters whole, and cuts one of 21", () => {
    const twenty = "Add to my basket now";
    expect(twenty).toHaveLength(20);
    const at = chatRenderer.render(resultView([relabel(pool[0]!, twenty)]), { baseUrl: BASE_URL, format: "generic" });
    expect(JSON.parse(at.body).buttons[0].label).toBe(twenty);
    expect(at.manifest.degradations).toEqual([]);
    const over = chatRenderer.render(resultView([relabel(pool[0]!, `${twenty}!`)]), { baseUrl: BASE_URL, format: "generic" });
    expect(JSON.parse(over.body).buttons[0].label).toBe("Add to my basket no…");
  });

  it("makes two labels that truncate to the same text unique", () => {
    const view = resultView([relabel(pool[0]!, "Add to cart in size S, navy"), relabel(pool[1]!, "Add to cart in size S, oat")]);
    for (const format of ["generic", "messenger", "whatsapp"]) {
      const { out, seen } = roundTrip(view, format, en);
      const labels = out.manifest.actions.map((a) => a.label);
      expect(new Set(labels).size, format).toBe(2);
      expect(
        labels.every((l) => charCount(l) <= (format === "whatsapp" ? 24 : 20)),
        format,
      ).toBe(true);
      expect(seen.limits, format).toEqual([]);
    }
  });

  it("keeps emoji whole when cutting a label", () => {
    const view = resultView([relabel(pool[0]!, "Add 👍🏽👍🏽👍🏽👍🏽👍🏽 to cart")]);
    const label: string = JSON.parse(chatRenderer.render(view, { baseUrl: BASE_URL, format: "generic" }).body).buttons[0].label;
    expect(label).toBe("Add 👍🏽👍🏽👍🏽…");
    expect(charCount(label)).toBeLessThanOrEqual(20);
  });
});

describe("chat postbacks that do not fit", () => {
  const longSku = `SKU-${"X".repeat(56)}`;

  it("offers a postback over Telegram's 64 bytes as a URL button plus the command in the text, reported, still decodable", () => {
    const offer = { ...pool[0]!, input: { sku: longSku }, postback: `a:add_to_cart:${longSku}`, command: `ADD ${longSku}` };
    expect(new TextEncoder().encode(offer.postback).length).toBe(74);
    const view = resultView([offer, pool[1]!]);
    const { out, seen } = roundTrip(view, "telegram", en);
    const body = JSON.parse(out.body);
    expect(body.reply_markup.inline_keyboard).toEqual([
      [{ text: pool[1]!.label, callback_data: pool[1]!.postback }],
      [{ text: offer.label, url: offer.deepLink }],
    ]);
    expect(body.text).toContain(`Reply ADD ${longSku} – ${offer.deepLink}`);
    expect(degradations(out)).toEqual(["telegram.callback_data.bytes"]);
    expect(problems(view, seen)).toEqual([]);
    expect(seen.controls.find((c) => c.control.kind === "keyword")?.decoded).toEqual({ key: "add_to_cart", input: { sku: longSku } });
  });

  it("counts callback_data in UTF-8 bytes: 64 bytes pass, 65 bytes are caught by inspect", () => {
    const body = JSON.parse(chatRenderer.render(sweater, { baseUrl: BASE_URL, format: "telegram" }).body);
    body.reply_markup.inline_keyboard[0][0].callback_data = `a:view_product:${"é".repeat(24)}x`; // 15 + 48 + 1 = 64 bytes
    expect(rules("telegram", body)).toEqual([]);
    body.reply_markup.inline_keyboard[0][0].callback_data = `a:view_product:${"é".repeat(25)}`; // 15 + 50 = 65 bytes, 40 characters
    expect(rules("telegram", body)).toEqual(["telegram.callback_data.bytes"]);
    body.reply_markup.inline_keyboard[0][0].callback_data = "";
    expect(rules("telegram", body)).toEqual(["telegram.callback_data.bytes"]);
  });
});

describe("chat limits found by inspect, at and over each boundary", () => {
  const body = (format: string, view = sweater) => JSON.parse(chatRenderer.render(view, { baseUrl: BASE_URL, format }).body);
  const cases: [string, string, (b: any, n: number) => void, number][] = [
    ["whatsapp", "whatsapp.button.title", (b, n) => (b.interactive.action.buttons[0].reply.title = "b".repeat(n)), 20],
    ["whatsapp", "whatsapp.button.id", (b, n) => (b.interactive.action.buttons[0].reply.id = "i".repeat(n)), 256],
    ["whatsapp", "whatsapp.header.max", (b, n) => (b.interactive.header.text = "h".repeat(n)), 60],
    ["whatsapp", "whatsapp.body.max", (b, n) => (b.interactive.body.text = "t".repeat(n)), 1024],
    ["whatsapp", "whatsapp.footer.max", (b, n) => (b.interactive.footer = { text: "f".repeat(n) }), 60],
    ["slack", "slack.header.text", (b, n) => (b.blocks[0].text.text = "h".repeat(n)), 150],
    ["slack", "slack.section.text", (b, n) => (b.blocks[1].text.text = "s".repeat(n)), 3000],
    ["slack", "slack.button.text", (b, n) => (b.blocks[3].elements[0].text.text = "b".repeat(n)), 75],
    ["slack", "slack.action_id.max", (b, n) => (b.blocks[3].elements[0].action_id = "i".repeat(n)), 255],
    ["slack", "slack.button.value", (b, n) => (b.blocks[3].elements[0].value = "v".repeat(n)), 2000],
    ["telegram", "telegram.text.max", (b, n) => (b.text = "t".repeat(n)), 4096],
    ["messenger", "messenger.text.max", (b, n) => (b.text = "t".repeat(n)), 2000],
    ["messenger", "messenger.quick_reply.title", (b, n) => (b.quick_replies[0].title = "q".repeat(n)), 20],
    ["messenger", "messenger.quick_reply.payload", (b, n) => (b.quick_replies[0].payload = "p".repeat(n)), 1000],
    ["generic", "generic.text.max", (b, n) => (b.text = "t".repeat(n)), 4096],
    ["generic", "generic.button.label", (b, n) => (b.buttons[0].label = "b".repeat(n)), 20],
    ["generic", "generic.card.title", (b, n) => (b.cards[0].title = "c".repeat(n)), 80],
  ];

  it.each(cases)("%s: %s passes at its limit and is caught one over", (format, rule, set, max) => {
    const at = body(format);
    set(at, max);
    expect(rules(format, at)).not.toContain(rule);
    const over = body(format);
    set(over, max + 1);
    expect(rules(format, over)).toContain(rule);
  });

  it("counts an emoji as the larger of its UTF-16 units and graphemes", () => {
    const b = body("whatsapp");
    b.interactive.action.buttons[0].reply.title = "👍🏽".repeat(5); // 5 graphemes, 20 UTF-16 units
    expect(rules("whatsapp", b)).toEqual([]);
    b.interactive.action.buttons[0].reply.title = `${"👍🏽".repeat(5)}!`;
    expect(rules("whatsapp", b)).toEqual(["whatsapp.button.title"]);
  });

  it("catches more reply buttons, list rows, quick replies, Slack elements and blocks than each platform takes", () => {
    const wa = body("whatsapp");
    wa.interactive.action.buttons = [1, 2, 3, 4].map((i) => ({ type: "reply", reply: { id: `a:view_cart:${i}`, title: `B${i}` } }));
    expect(rules("whatsapp", wa)).toEqual(["whatsapp.buttons.max"]);
    const list = JSON.parse(chatRenderer.render(resultView(pool.slice(0, 10)), { baseUrl: BASE_URL, format: "whatsapp" }).body);
    list.interactive.action.sections[0].rows.push({ id: "a:view_cart", title: "Eleven" });
    expect(rules("whatsapp", list)).toEqual(["whatsapp.list.rows"]);
    const ms = body("messenger");
    ms.quick_replies = Array.from({ length: 14 }, (_, i) => ({ content_type: "text", title: `Q${i}`, payload: "a:view_cart" }));
    expect(rules("messenger", ms)).toEqual(["messenger.quick_replies.max"]);
    const sl = body("slack");
    sl.blocks[3].elements = Array.from({ length: 26 }, (_, i) => ({ ...sl.blocks[3].elements[0], action_id: `b${i}` }));
    expect(rules("slack", sl)).toEqual(["slack.actions.elements"]);
    const many = body("slack");
    many.blocks = Array.from({ length: 51 }, () => many.blocks[1]);
    expect(rules("slack", many)).toEqual(["slack.blocks.max"]);
  });

  it("catches duplicate labels and action ids, and a Slack message without its text fallback", () => {
    const wa = body("whatsapp");
    wa.interactive.action.buttons[1].reply.title = wa.interactive.action.buttons[0].reply.title;
    expect(rules("whatsapp", wa)).toEqual(["whatsapp.button.unique"]);
    const sl = body("slack");
    sl.blocks[3].elements[1].action_id = sl.blocks[3].elements[0].action_id;
    sl.text = "";
    expect(rules("slack", sl).sort()).toEqual(["slack.action_id.unique", "slack.text.required"]);
  });
});

describe("chat long text", () => {
  const longMessage = (body: string, short: string): MessageRenderView => ({
    kind: "message",
    locale: "en",
    url: `${BASE_URL}/messages/long`,
    key: "long",
    messageKind: "info",
    title: "A long notice",
    body,
    short,
    live: true,
    facts: [{ name: "code", value: "LONG1" }],
    actions: [],
    ui: sweater.ui,
  });

  it("sends the short form, reported, when the full text exceeds the platform's limit", () => {
    const view = longMessage(`Use LONG1. ${"All about wool. ".repeat(300)}`, "Use LONG1 for 10% off.");
    const expected = {
      generic: "generic.text.max",
      whatsapp: "whatsapp.text.max",
      slack: "slack.section.text",
      telegram: "telegram.text.max",
      messenger: "messenger.text.max",
    };
    for (const format of chatRenderer.formats) {
      const { out, seen } = roundTrip(view, format, en);
      expect(degradations(out), format).toEqual([expected[format as keyof typeof expected]]);
      expect(seen.text, format).toContain("Use LONG1 for 10% off.");
      expect(problems(view, seen), format).toEqual([]);
    }
  });

  it("cuts even the short form on a grapheme boundary with a link to the page when it is still too long", () => {
    const long = `LONG1 ${"👍🏽 wool ".repeat(400)}`;
    const view = longMessage(long, long);
    const { out, seen } = roundTrip(view, "messenger", en);
    const text: string = JSON.parse(out.body).text;
    expect(charCount(text)).toBeLessThanOrEqual(2000);
    expect(text.endsWith(`…\n${BASE_URL}/messages/long`)).toBe(true);
    expect(text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/); // no half emoji at the cut
    expect(text).not.toMatch(/\u{1F44D}…/u); // nor a thumb without its skin tone
    expect(out.manifest.degradations).toEqual([
      { rule: "messenger.text.max", detail: `Cut to 2000 characters with a link to ${BASE_URL}/messages/long.` },
    ]);
    expect(seen.limits).toEqual([]);
  });

  it("counts Slack's limit on the escaped text, since Slack measures what it receives", () => {
    const view = longMessage(`LONG1 ${"&".repeat(1000)}`, "LONG1 short");
    const { out } = roundTrip(view, "slack", en);
    expect(degradations(out)).toEqual(["slack.section.text"]);
    const chars = roundTrip(view, "messenger", en);
    expect(degradations(chars.out)).toEqual([]);
  });
});

describe("chat counting helpers", () => {
  it("byteLength counts the UTF-8 bytes TextEncoder writes: ASCII, 2- and 3-byte characters, surrogate pairs, lone surrogates", () => {
    const pieces = ["a", "é", "€", "中", "👍", "👍🏽", "\ud83d", "\udc4d", "\u07ff", "\u0800", "\uffff", "\u0080", "a:add_to_cart:"];
    const encoder = new TextEncoder();
    for (let n = 0; n < 2000; n++) {
      let text = "";
      for (let i = 0, k = n; i < 1 + (n % 9); i++, k = Math.floor(k / 7) + i * 31) text += pieces[k % pieces.length];
      expect(byteLength(text), JSON.stringify(text)).toBe(encoder.encode(text).length);
    }
  });

  it("oneLine returns a label as it is only when putting it on one line would change nothing", () => {
    const pieces = [
      "a",
      "Z",
      " ",
      "  ",
      "\t",
      "\n",
      "\r\n",
      "\u00a0",
      "\u2009",
      "\u3000",
      "\ufeff",
      "\u0085",
      "\u0007",
      "\u009f",
      "é",
      "👍",
    ];
    for (let n = 0; n < 3000; n++) {
      let text = "";
      for (let i = 0, k = n; i < 1 + (n % 7); i++, k = Math.floor(k / 5) + i * 13) text += pieces[k % pieces.length];
      expect(oneLine(text), JSON.stringify(text)).toBe(stripControls(text).replace(/\s+/g, " ").trim());
    }
  });

  it("neutralizeMarkup gives the same answer asked twice in a row, or about text without formatting characters", () => {
    expect(neutralizeMarkup("Plain text https://x.example/a_b")).toBe("Plain text https://x.example/a_b");
    expect(neutralizeMarkup("*bold* https://x.example/a_b")).toBe("*\u2060bold*\u2060 https://x.example/a_b");
    expect(neutralizeMarkup("*bold* https://x.example/a_b")).toBe("*\u2060bold*\u2060 https://x.example/a_b");
    expect(neutralizeMarkup("_")).toBe("_\u2060");
  });
});
