/**
 * The agent renderer (docs/channels.md, "Agent"): what an AI agent reads through
 * MCP. The body is an MCP tool result — `content` holds one CommonMark text
 * (no raw HTML: every catalogue text is escaped, so a title can never become
 * markup, a link or a heading), `structuredContent` holds the view itself.
 * Actions are offered as tool calls written in the text — the tool name and
 * its fixed arguments as JSON, each in a code span — which is exactly what the
 * MCP server's tools take, so an agent that follows the text calls the right
 * action with the right arguments.
 *
 * Structure is built in code (no templates), in a fixed order, so the same
 * view always gives the same bytes.
 */
import type {
  ActionOffer,
  AgentResult,
  CartRenderView,
  EntityView,
  Inspection,
  InspectOptions,
  MessageRenderView,
  OrderRenderView,
  ProductListRenderView,
  ProductRenderView,
  Rendered,
  Renderer,
  RenderOptions,
} from "../../src/channels/contract";
import { factsNotIn } from "../../src/channels/contract";
import { inspectMarkdown } from "./inspect";

export const AGENT_FORMAT = "mcp";
export const AGENT_CONTENT_TYPE = "application/json; charset=utf-8";

/** The MCP tool result the body holds (the channel contract's type). */
export type { AgentResult };

/**
 * Removes control characters (all but the newline) and folds carriage
 * returns: nothing invisible reaches an agent's context.
 */
export function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  return text.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, "");
}

/**
 * Catalogue text as CommonMark that reads back as exactly that text: every
 * character that could start markup (emphasis, code, links, images, HTML,
 * entities, tables, strikethrough) is backslash-escaped, and so is anything
 * that would turn a line into a heading, list, quote or code block.
 *
 * @example
 * escapeMarkdown("*Sale* <b>now</b>") // "\\*Sale\\* \\<b\\>now\\</b\\>"
 */
export function escapeMarkdown(text: string): string {
  return clean(text)
    .split("\n")
    .map((line) =>
      line
        .trim()
        .replace(/[\\`*_[\]<>#!|~&]/g, "\\$&")
        .replace(/^([-+=])/, "\\$1")
        .replace(/^(\d+)([.)])/, "$1\\$2"),
    )
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** One line of text (headings and list items cannot hold a line break). */
const inline = (text: string) => escapeMarkdown(text.replace(/\s*\n\s*/g, " "));

/** A code span holding `text` literally, whatever backticks it contains (CommonMark 6.1). */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** An URL the agent can follow, as an autolink (only the project's own or the entity's own URLs reach here). */
function autolink(url: string): string {
  return /^[a-z][a-z0-9+.-]*:[^\s<>]*$/i.test(url) ? `<${url}>` : inline(url);
}

/**
 * An offer as a tool call: its label, the tool (the action key), the fixed
 * arguments as JSON, and the arguments the agent supplies.
 */
export function toolLine(offer: ActionOffer, ui: EntityView["ui"]): string {
  const args = Object.keys(offer.input).length ? ` ${codeSpan(JSON.stringify(offer.input))}` : "";
  const params = offer.params.length ? ` (${inline(ui.choose)}: ${offer.params.map((p) => codeSpan(p)).join(", ")})` : "";
  return `- ${inline(offer.label)}: ${codeSpan(offer.key)}${args}${params}`;
}

function blocks(...parts: (string | null | undefined | false)[]): string {
  return parts.filter((p): p is string => typeof p === "string" && p.trim() !== "").join("\n\n");
}

const list = (lines: string[]) => (lines.length ? lines.join("\n") : null);

function productText(view: ProductRenderView): string {
  const price = view.compareAtPrice ? `${inline(view.price)} (${inline(view.compareAtPrice)})` : inline(view.price);
  return blocks(
    `# ${inline(view.title)}`,
    list([`- ${inline(view.ui.price)}: ${price}`, `- ${inline(view.availabilityText)}`, `- ${autolink(view.url)}`]),
    view.summary && escapeMarkdown(view.summary),
    view.description && escapeMarkdown(view.description),
    list(view.attributes.filter((a) => a.label.trim() && a.value.trim()).map((a) => `- ${inline(a.label)}: ${inline(a.value)}`)),
    view.variants.length > 1 &&
      blocks(
        `## ${inline(view.ui.variant)}`,
        list(
          view.variants.map(
            (v) =>
              `- ${inline(v.title)}: ${inline(v.price)}${v.compareAtPrice ? ` (${inline(v.compareAtPrice)})` : ""}, ${inline(v.availabilityText)} (${codeSpan(v.sku)})`,
          ),
        ),
      ),
    list(view.media.map((m) => `- ${inline(m.alt || view.title)}: ${autolink(m.url)}`)),
  );
}

function productListText(view: ProductListRenderView): string {
  return blocks(
    `# ${inline(view.title)}`,
    list(
      view.items.map((item) => {
        const offers = item.actions.map((a) => `  ${toolLine(a, view.ui)}`).join("\n");
        return `- ${inline(item.title)}: ${inline(item.price)}, ${inline(item.availabilityText)} ${autolink(item.url)}${offers ? `\n${offers}` : ""}`;
      }),
    ),
    view.nextUrl && `${inline(view.ui.more)}: ${autolink(view.nextUrl)}`,
  );
}

function messageText(view: MessageRenderView): string {
  return blocks(`# ${inline(view.title)}`, view.body && escapeMarkdown(view.body));
}

function cartText(view: CartRenderView): string {
  if (view.empty) return blocks(`# ${inline(view.title)}`, inline(view.ui.emptyCart));
  return blocks(
    `# ${inline(view.title)}`,
    list(
      view.lines.flatMap((l) => [
        `- ${inline(l.title)} (${codeSpan(l.sku)}): ${inline(view.ui.quantity)} ${l.quantity}, ${inline(view.ui.price)} ${inline(l.unitPrice)}, ${inline(view.ui.total)} ${inline(l.lineTotal)}${l.priceChangedTo ? ` (${inline(l.unitPrice)} → ${inline(l.priceChangedTo)})` : ""}`,
        ...l.actions.map((a) => `  ${toolLine(a, view.ui)}`),
      ]),
    ),
    `${inline(view.ui.total)}: ${inline(view.subtotal)}`,
    list(
      view.delivery.map(
        (d) =>
          `- ${inline(d.text)} (${codeSpan(`checkout {"deliveryOption":"${d.key}"${d.kind === "shipping" ? ',"address":{…}' : ""}}`)})`,
      ),
    ),
  );
}

function orderText(view: OrderRenderView): string {
  return blocks(
    `# ${inline(view.title)}`,
    list([
      `- ${inline(view.ui.order)}: ${inline(view.number)}`,
      `- ${inline(view.ui.status)}: ${inline(view.statusText)}`,
      `- ${inline(view.ui.total)}: ${inline(view.total)}`,
    ]),
    list(view.lines.map((l) => `- ${inline(l.title)}: ${inline(view.ui.quantity)} ${l.quantity}, ${inline(l.lineTotal)}`)),
  );
}

function contentText(view: EntityView): string {
  switch (view.kind) {
    case "product":
      return productText(view);
    case "product_list":
      return productListText(view);
    case "message":
      return messageText(view);
    case "cart":
      return cartText(view);
    case "order":
      return orderText(view);
    case "action_result":
      return blocks(`# ${inline(view.title)}`, view.text && escapeMarkdown(view.text));
  }
}

/** The offers no item or line already shows, as the closing list of tool calls. */
function remainingOffers(view: EntityView, text: string): ActionOffer[] {
  const shown = new Set<string>();
  if (view.kind === "product_list") for (const i of view.items) for (const a of i.actions) shown.add(toolLine(a, view.ui));
  if (view.kind === "cart") for (const l of view.lines) for (const a of l.actions) shown.add(toolLine(a, view.ui));
  const seen = new Set<string>();
  return view.actions.filter((a) => {
    const line = toolLine(a, view.ui);
    if (shown.has(line) || seen.has(line) || text.includes(line)) return false;
    seen.add(line);
    return true;
  });
}

/**
 * The whole text of a view: its content, a facts line for any fact the
 * content does not show (docs/channels.md rule 3), then the tools.
 *
 * @example
 * const md = agentText(view); // "# Merino crew sweater\n\n- Price: €89.00 …"
 */
export function agentText(view: EntityView): string {
  const content = contentText(view);
  const missing = factsNotIn(view.facts, inspectMarkdown(content, []).text, clean);
  const facts = missing.length ? missing.map((f) => inline(f.value)).join(" · ") : null;
  const offers = remainingOffers(view, content);
  return `${blocks(content, facts, offers.length ? list(offers.map((o) => toolLine(o, view.ui))) : null)}\n`;
}

/** Every string in a JSON value, depth first (bounded by the JSON depth limit every body passes). */
function stringLeaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringLeaves);
  if (value && typeof value === "object") return Object.values(value).flatMap(stringLeaves);
  return [];
}

/** The view as structured content: everything but the interface words. */
function structured(view: EntityView): Record<string, unknown> {
  // Neither the interface words nor the claims the audit judges by (internal keys such as `money:EUR 125`).
  const { ui: _ui, canonical: _claims, ...rest } = view;
  return rest;
}

/**
 * The agent channel's renderer: an MCP tool result (`mcp`), served as JSON.
 *
 * @example
 * const out = agentRenderer.render(view, { baseUrl: "https://shop.example" });
 * const seen = agentRenderer.inspect(out.body, { format: out.format, baseUrl, actions });
 */
export const agentRenderer: Renderer = {
  channel: "agent",
  formats: [AGENT_FORMAT],
  normalizeFact: clean,

  render(view: EntityView, options: RenderOptions): Rendered {
    const format = options.format ?? AGENT_FORMAT;
    if (format !== AGENT_FORMAT) throw new Error(`The agent renderer has no format "${format}" (it renders "${AGENT_FORMAT}").`);
    const result: AgentResult = { content: [{ type: "text", text: agentText(view) }], structuredContent: structured(view) };
    return {
      channel: "agent",
      format,
      contentType: AGENT_CONTENT_TYPE,
      body: JSON.stringify(result),
      manifest: {
        facts: view.facts,
        actions: view.actions.map((a) => ({
          key: a.key,
          input: a.input,
          label: clean(a.label),
          control: { kind: "tool", name: a.key, arguments: a.input },
        })),
        degradations: [],
      },
    };
  },

  inspect(body: string, options: InspectOptions): Inspection {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      return { text: "", controls: [], links: [], limits: [{ rule: "agent.json", detail: `The body is not JSON: ${String(error)}` }] };
    }
    const content = (parsed as Partial<AgentResult>)?.content;
    if (!Array.isArray(content) || !content.every((c) => c?.type === "text" && typeof c.text === "string")) {
      return { text: "", controls: [], links: [], limits: [{ rule: "agent.content", detail: "The body has no MCP text content." }] };
    }
    const seen = inspectMarkdown(content.map((c) => c.text).join("\n\n"), options.actions);
    // An agent reads the structured content as much as the text: its strings make claims too.
    const structuredText = stringLeaves((parsed as Partial<AgentResult>).structuredContent).join("\n");
    return structuredText ? { ...seen, also: [seen.also, structuredText].filter(Boolean).join("\n") } : seen;
  },
};
