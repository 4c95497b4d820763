import { HtmlRenderer, Parser } from "commonmark";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProductRenderView } from "../../src/channels/contract";
import { checkChannel } from "../../src/consistency/engine";
import { BASE_URL, type Demo, loadDemo } from "../../test/helpers/demo";
import { type AgentResult, agentRenderer, escapeMarkdown } from ".";

let demo: Demo;
beforeAll(async () => {
  demo = await loadDemo();
});

const render = (view: Parameters<typeof agentRenderer.render>[0]) => agentRenderer.render(view, { baseUrl: BASE_URL });
const result = (body: string) => JSON.parse(body) as AgentResult;
/** CommonMark to HTML with the reference implementation: what any Markdown client of the agent would draw. */
const toHtml = (markdown: string) => new HtmlRenderer().render(new Parser().parse(markdown));

function withText(view: ProductRenderView, title: string, summary = view.summary): ProductRenderView {
  return { ...view, title, summary, facts: view.facts.map((f) => (f.name === "title" ? { ...f, value: title } : f)) };
}

describe("agent renderer", () => {
  it("renders a product as an MCP tool result: CommonMark text with every fact and each offer as a tool call, the view as structured content", async () => {
    const view = await demo.product("merino-crew-sweater", "agent");
    const out = render(view);
    expect(out.contentType).toBe("application/json; charset=utf-8");
    const body = result(out.body);
    const text = body.content[0]!.text;
    expect(text.split("\n").slice(0, 5)).toEqual([
      "# Merino crew sweater",
      "",
      "- Price: €89.00 (€110.00)",
      "- In stock",
      "- <https://shop.example/products/merino-crew-sweater>",
    ]);
    expect(text).toContain('- Add to cart: `add_to_cart` `{"sku":"MER-CRE-SWE-S-NAVY"}` (');
    expect(text).toContain('- View details: `view_product` `{"slug":"merino-crew-sweater"}`');
    expect(body.structuredContent).toMatchObject({ kind: "product", slug: "merino-crew-sweater", price: "€89.00" });
    expect(body.structuredContent).not.toHaveProperty("ui");
    const seen = agentRenderer.inspect(out.body, { format: "mcp", baseUrl: BASE_URL, actions: await demo.actions() });
    expect(seen.controls.map((c) => c.decoded)).toEqual([
      { key: "add_to_cart", input: { sku: "MER-CRE-SWE-S-NAVY" } },
      { key: "view_product", input: { slug: "merino-crew-sweater" } },
    ]);
    expect(seen.limits).toEqual([]);
  });

  it("audits every demo product and message clean in both locales (facts, tool calls, links)", async () => {
    const slugs = ["merino-crew-sweater", "enamel-mug", "ribbed-beanie"];
    const keys = ["free_shipping", "holiday_closing", "faq_sizing"];
    for (const locale of ["en", "fr"]) {
      const actions = await demo.actions(locale);
      const ctx = { baseUrl: BASE_URL, actions, pageExists: (path: string) => /^\/(products|messages|media)\//.test(path) };
      for (const slug of slugs) {
        const view = await demo.product(slug, "agent", locale);
        expect(checkChannel(agentRenderer, view, { type: "product", key: slug }, ctx).violations, `${slug} ${locale}`).toEqual([]);
      }
      for (const key of keys) {
        const view = await demo.message(key, "agent", locale);
        const allowedForeign = new Set(view.facts.filter((f) => f.name === "link").map((f) => f.value));
        expect(
          checkChannel(agentRenderer, view, { type: "message", key }, { ...ctx, allowedForeign }).violations,
          `${key} ${locale}`,
        ).toEqual([]);
      }
    }
  });

  it("escapes catalogue text: markup, links, headings and entities stay literal text, and read back as the editor wrote them", async () => {
    const hostile = "<script>alert(1)</script> *bold* [x](https://evil.example) ![i](https://evil.example/i.png) &amp; `code` | ~~s~~";
    const summary = "# not a heading\n- not a list\n1. not a list\n> not a quote\n    not code\n===";
    const view = withText(await demo.product("enamel-mug", "agent"), hostile, summary);
    const out = render(view);
    const text = result(out.body).content[0]!.text;
    const html = toHtml(text);
    for (const markup of [
      "<script",
      "<em>",
      "<strong>",
      '<a href="https://evil',
      "<img",
      "<code>code",
      "<h1>not",
      "<ul>\n<li>not",
      "<ol>",
      "<blockquote>",
      "<pre>",
    ]) {
      expect(html, markup).not.toContain(markup);
    }
    const seen = agentRenderer.inspect(out.body, { format: "mcp", baseUrl: BASE_URL, actions: await demo.actions() });
    expect(seen.text).toContain(hostile);
    expect(seen.links.some((l) => l.includes("evil.example"))).toBe(false);
    expect(seen.limits).toEqual([]);
    expect(escapeMarkdown("a\u0007b\r\nc")).toBe("ab\nc");
  });

  it("reports raw HTML and offers that do not decode when a body is broken", async () => {
    const actions = await demo.actions();
    const body = JSON.stringify({
      content: [{ type: "text", text: '<b>hi</b>\n\n- Buy: `add_to_cartx` `{"sku":"X"}`\n- Add: `add_to_cart` `{"sku":"X"}`' }],
      structuredContent: {},
    });
    const seen = agentRenderer.inspect(body, { format: "mcp", baseUrl: BASE_URL, actions });
    expect([...new Set(seen.limits.map((l) => l.rule))]).toEqual(["agent.html"]);
    expect(seen.controls.map((c) => c.decoded)).toEqual([{ key: "add_to_cart", input: { sku: "X" } }]);
    expect(agentRenderer.inspect("not json", { format: "mcp", baseUrl: BASE_URL, actions }).limits[0]!.rule).toBe("agent.json");
  });

  it("a broken agent renderer that drops the price is caught by the engine, from the body, whatever its manifest claims", async () => {
    const view = await demo.product("enamel-mug", "agent");
    const broken = {
      ...agentRenderer,
      render: (v: typeof view, o: { baseUrl: string }) => {
        const out = agentRenderer.render(v, o);
        return { ...out, body: out.body.replaceAll(view.price, "") };
      },
    };
    const ctx = { baseUrl: BASE_URL, actions: await demo.actions(), pageExists: () => true };
    const { violations } = checkChannel(broken, view, { type: "product", key: "enamel-mug" }, ctx);
    expect(violations.map((v) => `${v.channel}/${v.rule}/${v.field}`)).toEqual(["agent/fact_missing/variants"]);
  });
});
