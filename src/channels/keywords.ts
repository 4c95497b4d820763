/**
 * Reading SMS-style keyword commands back out of a body ("Reply ADD
 * MER-CRE-SWE-S-NAVY or VIEW merino-crew-sweater"): SMS and the chat text
 * fallbacks both offer actions this way, and decode them exactly as inbound
 * messages are decoded (`parseSms`).
 */
import type { ActionView } from "../catalogue/actions";
import { parseSms } from "../inbound/sms";
import type { Inspection } from "./contract";

/** A keyword is an uppercase word from the catalogue, optionally followed by one argument (a SKU, slug or order number). */
const COMMAND = /(?<![\p{L}\p{N}-])([A-Z][A-Z0-9]{1,11})(?: ([A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))?(?![\p{L}\p{N}])/gu;

/**
 * @example
 * keywordControls("Reply CART.", actions) // [{ label: "CART", decoded: { key: "view_cart", input: {} }, control: { kind: "keyword", text: "CART" } }]
 */
export function keywordControls(text: string, actions: readonly ActionView[]): Inspection["controls"] {
  const keywords = new Set(actions.filter((a) => a.enabled).map((a) => a.keyword));
  const out: Inspection["controls"] = [];
  for (const [, keyword = "", argument] of text.matchAll(COMMAND)) {
    if (!keywords.has(keyword)) continue;
    const command = argument ? `${keyword} ${argument}` : keyword;
    const parsed = parseSms(command, actions);
    out.push({
      label: command,
      decoded: parsed.kind === "action" ? { key: parsed.key, input: parsed.input } : null,
      control: { kind: "keyword", text: command },
    });
  }
  return out;
}
