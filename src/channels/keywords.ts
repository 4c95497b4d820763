/**
 * Reading SMS-style keyword commands back out of a body ("Reply ADD
 * MER-CRE-SWE-S-NAVY or VIEW merino-crew-sweater"): SMS and the chat text
 * fallbacks both offer actions this way, and decode them exactly as inbound
 * messages are decoded (`parseSms`) — the command is what a customer types,
 * and `parseSms` is what reads it, so the audit and the inbound path agree on
 * every argument the catalogue accepts (a one-letter SKU, `ADV32-`, `x`).
 */
import type { ActionView } from "../catalogue/actions";
import { parseSms } from "./commands";
import type { Inspection } from "./contract";

/**
 * A keyword is an uppercase word of the catalogue; the argument, if any, is the next word. Sentence
 * punctuation after it (". , ; : ! ? )") is not part of any SKU, slug or order number, so it is not typed.
 */
const COMMAND = /(?<![\p{L}\p{N}-])([A-Z][A-Z0-9]{1,11})(?![\p{L}\p{N}-])(?: (\S+))?/gu;
const TRAILING = /[.,;:!?)]+$/;

/**
 * @example
 * keywordControls("Reply CART.", actions) // [{ label: "CART", decoded: { key: "view_cart", input: {} }, control: { kind: "keyword", text: "CART" } }]
 */
export function keywordControls(text: string, actions: readonly ActionView[]): Inspection["controls"] {
  const keywords = keywordsOf(actions);
  const out: Inspection["controls"] = [];
  // `exec` on the shared pattern (nothing in the loop uses it): `matchAll` would copy it on every call.
  COMMAND.lastIndex = 0;
  for (let m = COMMAND.exec(text); m; m = COMMAND.exec(text)) {
    const [, keyword = "", next] = m;
    if (!keywords.has(keyword)) continue;
    const argument = next?.replace(TRAILING, "");
    const command = argument && !argument.startsWith("(") ? `${keyword} ${argument}` : keyword;
    const parsed = parseSms(command, actions);
    out.push({
      label: command,
      decoded: parsed.kind === "action" ? { key: parsed.key, input: parsed.input } : null,
      control: { kind: "keyword", text: command },
    });
  }
  return out;
}

/**
 * The enabled keywords of a catalogue's actions. An audit inspects thousands of bodies against the same
 * actions array (built once per locale, never mutated), so the set is built once per array.
 */
const keywordSets = new WeakMap<readonly ActionView[], ReadonlySet<string>>();

function keywordsOf(actions: readonly ActionView[]): ReadonlySet<string> {
  let keywords = keywordSets.get(actions);
  if (!keywords) {
    keywords = new Set(actions.filter((a) => a.enabled).map((a) => a.keyword));
    keywordSets.set(actions, keywords);
  }
  return keywords;
}
