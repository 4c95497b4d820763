/**
 * Reading an agent's text back the way an agent's client would: parse it as
 * CommonMark (the reference parser, `commonmark`), collect the text an agent
 * reads, decode every tool call written in it — a code span naming an action,
 * then optionally a code span with its arguments as a JSON object — and
 * report raw HTML, which this channel never sends. It reads only the body.
 */
import { type Node, Parser } from "commonmark";
import type { Inspection, InspectOptions } from "../../src/channels/contract";

const parser = new Parser();

type Control = Inspection["controls"][number];

/** The literal of a code span as a JSON object of arguments, or null when it is not one. */
function argumentsOf(literal: string | undefined): Record<string, string | number> | null {
  if (!literal?.trim().startsWith("{")) return null;
  try {
    const value: unknown = JSON.parse(literal);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
    const entries = Object.entries(value);
    return entries.every(([, v]) => typeof v === "string" || typeof v === "number")
      ? (Object.fromEntries(entries) as Record<string, string | number>)
      : null;
  } catch {
    return null;
  }
}

/** The tool calls of one paragraph: each code span that names an action, with the JSON object after it. */
function toolCalls(codes: { literal: string; label: string }[], actions: InspectOptions["actions"]): Control[] {
  const out: Control[] = [];
  codes.forEach((code, i) => {
    const action = actions.find((a) => a.key === code.literal);
    if (!action) return;
    const args = argumentsOf(codes[i + 1]?.literal) ?? {};
    out.push({
      label: code.label,
      decoded: action.enabled ? { key: action.key, input: args } : null,
      control: { kind: "tool", name: code.literal, arguments: args },
    });
  });
  return out;
}

/**
 * Inspects CommonMark text: what it shows, the tool calls it offers, the URLs it names, the rules it breaks.
 *
 * @example
 * inspectMarkdown("- Add to cart: `add_to_cart` `{\"sku\":\"X\"}`", actions).controls[0].decoded // { key: "add_to_cart", input: { sku: "X" } }
 */
export function inspectMarkdown(markdown: string, actions: InspectOptions["actions"]): Inspection {
  const doc = parser.parse(markdown);
  const walker = doc.walker();
  const text: string[] = [];
  const links: string[] = [];
  const limits: Inspection["limits"] = [];
  const controls: Control[] = [];
  let paragraph: { literal: string; label: string }[] = [];
  let lineText = "";
  for (let event = walker.next(); event; event = walker.next()) {
    const node: Node = event.node;
    if (event.entering) {
      switch (node.type) {
        case "text":
          text.push(node.literal ?? "");
          lineText += node.literal ?? "";
          break;
        case "code":
          text.push(node.literal ?? "");
          // The label of a tool call is the text before it on its line ("Add to cart: ").
          paragraph.push({ literal: node.literal ?? "", label: lineText.replace(/[:\s]+$/, "").trim() });
          break;
        case "code_block":
          text.push(node.literal ?? "", "\n");
          break;
        case "softbreak":
        case "linebreak":
          text.push("\n");
          break;
        case "link":
        case "image":
          if (node.destination) links.push(node.destination);
          break;
        case "html_inline":
        case "html_block":
          limits.push({ rule: "agent.html", detail: `Raw HTML in the text: ${JSON.stringify((node.literal ?? "").slice(0, 60))}.` });
          break;
        case "paragraph":
        case "heading":
          paragraph = [];
          lineText = "";
          break;
      }
    } else if (node.type === "paragraph" || node.type === "heading") {
      controls.push(...toolCalls(paragraph, actions));
      paragraph = [];
      text.push("\n");
    }
  }
  return { text: text.join(""), controls, links, limits };
}
