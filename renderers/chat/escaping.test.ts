import { beforeAll, describe, expect, it } from "vitest";
import type { ActionView } from "../../src/catalogue/actions";
import type { ProductRenderView } from "../../src/channels/contract";
import { type Demo, loadDemo } from "../../test/helpers/demo";
import { BASE_URL, problems, relabel, roundTrip } from "./fixtures";
import { chatRenderer } from "./index";

const HOSTILE = `<script>alert(1)</script> & "quotes" 👍🏽 עברית`;

let demo: Demo;
let en: ActionView[];
let hostile: ProductRenderView;

beforeAll(async () => {
  demo = await loadDemo();
  en = await demo.actions("en");
  const sweater = await demo.product("merino-crew-sweater", "chat", "en");
  // A catalogue editor's worst day: markup, entities, quotes, emoji, RTL text and a bell character everywhere.
  hostile = {
    ...sweater,
    title: HOSTILE,
    summary: `Soft\u0007 & warm <b>really</b> ${HOSTILE}`,
    facts: [{ name: "title", value: HOSTILE }, ...sweater.facts.slice(1)],
    actions: sweater.actions.map((a, i) => (i === 0 ? relabel(a, `<i>Add</i> & "go"`) : a)),
  };
});

const textOf: Record<string, (body: any) => string> = {
  generic: (b) => b.text,
  whatsapp: (b) => `${b.interactive.header.text}\n${b.interactive.body.text}`,
  slack: (b) => b.blocks[1].text.text,
  telegram: (b) => b.text,
  messenger: (b) => b.text,
};

describe("chat escaping of hostile catalogue strings", () => {
  it("escapes &, < and > in Slack mrkdwn and the text fallback, keeps plain_text literal, and inspect reads the original back", () => {
    const { out, seen } = roundTrip(hostile, "slack", en);
    const body = JSON.parse(out.body);
    expect(body.blocks[0].text).toEqual({ type: "plain_text", text: HOSTILE, emoji: true });
    expect(body.blocks[1].text.text).toContain(
      `Soft &amp; warm &lt;b&gt;really&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt; &amp; "quotes" 👍🏽 עברית`,
    );
    expect(body.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp;");
    expect(body.text).not.toMatch(/<script>/);
    expect(body.blocks.at(-1).elements[0].text.text).toBe(`<i>Add</i> & "go"`);
    expect(seen.text).toContain(`Soft & warm <b>really</b> ${HOSTILE}`);
    expect(
      problems(
        hostile,
        seen,
        hostile.media.map((m) => m.url),
      ),
    ).toEqual([]);
  });

  it("escapes &, <, > and quotes in Telegram HTML, with only <b> as markup, and inspect reads the original back", () => {
    const { out, seen } = roundTrip(hostile, "telegram", en);
    const body = JSON.parse(out.body);
    expect(body.text).toBe(
      "<b>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; 👍🏽 עברית</b>\n" +
        "€89.00 (Was €110.00) · In stock\n" +
        "Soft &amp; warm &lt;b&gt;really&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; 👍🏽 עברית\n" +
        "https://shop.example/products/merino-crew-sweater",
    );
    expect(body.text.match(/<\/?[a-z]+>/g)).toEqual(["<b>", "</b>"]);
    // Button text is not parsed as HTML by Telegram: it stays as the label.
    expect(body.reply_markup.inline_keyboard[0][0].text).toBe(`<i>Add</i> & "go"`);
    expect(seen.text.split("\n")[0]).toBe(HOSTILE);
    expect(problems(hostile, seen)).toEqual([]);
  });

  it("sends the plain-text platforms the original characters as JSON strings, with control characters removed", () => {
    for (const format of ["generic", "whatsapp", "messenger"]) {
      const { out, seen } = roundTrip(hostile, format, en);
      expect(out.body, format).toContain(JSON.stringify(HOSTILE).slice(1, -1));
      const text = textOf[format]!(JSON.parse(out.body));
      expect(text, format).toContain(`Soft & warm <b>really</b> ${HOSTILE}`);
      expect(text, format).not.toContain("\u0007");
      expect(seen.text, format).toContain(HOSTILE);
      expect(
        problems(
          hostile,
          seen,
          hostile.media.map((m) => m.url),
        ),
        format,
      ).toEqual([]);
    }
  });

  it("never lets a control character through on any format", () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
    const controls = /[\u0000-\u0009\u000b-\u001f\u007f]/;
    for (const format of chatRenderer.formats) {
      const text = textOf[format]!(JSON.parse(chatRenderer.render(hostile, { baseUrl: BASE_URL, format }).body));
      expect(text, format).not.toMatch(controls);
    }
  });

  it("finds the fact of a title with a control character, since the channel compares facts without them", () => {
    const view = { ...hostile, title: "Bell\u0007 sweater", facts: [{ name: "title", value: "Bell\u0007 sweater" }] };
    for (const format of chatRenderer.formats)
      expect(
        problems(
          view,
          roundTrip(view, format, en).seen,
          view.media.map((m) => m.url),
        ),
        format,
      ).toEqual([]);
  });

  it("reports raw markup in a Telegram body and unescaped characters in Slack mrkdwn as broken limits", () => {
    const tg = JSON.parse(chatRenderer.render(hostile, { baseUrl: BASE_URL, format: "telegram" }).body);
    tg.text = `<script>alert(1)</script> <b>ok</b> & more`;
    const tgSeen = chatRenderer.inspect(JSON.stringify(tg), { format: "telegram", baseUrl: BASE_URL, actions: en });
    expect(tgSeen.limits.map((l) => l.rule).sort()).toEqual(["telegram.html.escape", "telegram.html.tag", "telegram.html.tag"]);
    const sl = JSON.parse(chatRenderer.render(hostile, { baseUrl: BASE_URL, format: "slack" }).body);
    sl.blocks[1].text.text = "Tom & Jerry <!channel>";
    const slSeen = chatRenderer.inspect(JSON.stringify(sl), { format: "slack", baseUrl: BASE_URL, actions: en });
    expect(slSeen.limits.map((l) => l.rule)).toEqual(["slack.escape"]);
  });

  it("keeps *bold*, _italic_, ~strike~ and `code` in catalogue text from formatting on Messenger (word joiners, as on WhatsApp), and reports one left active", () => {
    const title = "*ULTRALIGHT* _daypack_ ~25 l~ `x`";
    const view = { ...hostile, title, summary: "Light.", facts: [{ name: "title", value: title }, ...hostile.facts.slice(1)] };
    for (const format of ["messenger"]) {
      const { out, seen } = roundTrip(view, format, en);
      const text = textOf[format]!(JSON.parse(out.body));
      // Every formatting character is followed by a word joiner (U+2060): no pair can form.
      expect(text.split(/https?:\/\/\S+/).join(" "), format).not.toMatch(/[*_~`](?!\u2060)/);
      expect(text, format).toContain("*\u2060ULTRALIGHT*\u2060 _\u2060daypack_\u2060");
      // A reader sees the title as written, and so does the engine.
      expect(seen.text, format).toContain(title);
      expect(seen.limits, format).toEqual([]);
      expect(
        problems(
          view,
          seen,
          view.media.map((m) => m.url),
        ),
        format,
      ).toEqual([]);
    }
    const body = JSON.parse(chatRenderer.render(view, { baseUrl: BASE_URL, format: "messenger" }).body);
    body.text = body.text.replaceAll("\u2060", "");
    const seen = chatRenderer.inspect(JSON.stringify(body), { format: "messenger", baseUrl: BASE_URL, actions: en });
    expect(seen.limits.map((l) => l.rule)).toEqual(["messenger.markup"]);
  });

  it("reads Slack links and Telegram anchors as links, and reports a link off the shop's domain to the engine", () => {
    const sl = JSON.parse(chatRenderer.render(hostile, { baseUrl: BASE_URL, format: "slack" }).body);
    sl.blocks[1].text.text = "See <https://evil.example/x|our page>";
    const slSeen = chatRenderer.inspect(JSON.stringify(sl), { format: "slack", baseUrl: BASE_URL, actions: en });
    expect(slSeen.text).toContain("See our page");
    expect(slSeen.links).toContain("https://evil.example/x");
    const tg = JSON.parse(chatRenderer.render(hostile, { baseUrl: BASE_URL, format: "telegram" }).body);
    tg.text = `<a href="https://evil.example/?a=1&amp;b=2">our page</a>`;
    const tgSeen = chatRenderer.inspect(JSON.stringify(tg), { format: "telegram", baseUrl: BASE_URL, actions: en });
    expect(tgSeen.text).toBe("our page");
    expect(tgSeen.links).toEqual(["https://evil.example/?a=1&b=2"]);
    expect(problems(hostile, tgSeen).filter((p) => p.startsWith("foreign link"))).toEqual(["foreign link https://evil.example/?a=1&b=2"]);
  });
});
