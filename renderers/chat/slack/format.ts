/**
 * Slack Block Kit messages (docs/channels.md, "Slack"): a header, one mrkdwn section
 * with the text, the product's image, and actions blocks of buttons whose
 * `value` is the offer's postback (the interactivity webhook reads `value`,
 * then `action_id`). The top-level `text` fallback is always set.
 *
 * Escaping: Slack parses `&`, `<` and `>` in mrkdwn and in the `text` fallback
 * (links, mentions), so catalogue text is escaped there; `plain_text` objects
 * (header, button labels) are shown literally and are not.
 */
import type { Degradation, EntityView, Inspection, InspectOptions, ProductRenderView } from "../../../src/channels/contract";
import { charCount } from "../../../src/channels/contract";
import {
  type Adapter,
  type AdapterOutput,
  arr,
  type ControlPlan,
  fitText,
  linkControl,
  neutralizeMarkup,
  obj,
  oneLine,
  planControls,
  postbackControl,
  Reader,
  readMarkup,
  str,
} from "../shared";

/** Block Kit's documented maxima (block and element references). */
export const SLACK = {
  blocks: 50,
  header: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  elements: 25,
  buttonText: 75,
  actionId: 255,
  value: 2000,
  url: 3000,
} as const;

/** Slack's own escaping rule for text it parses: `&`, `<`, `>` as entities. */
export function slackEscape(text: string): string {
  return text.replace(/[&<>]/g, (ch) => ENTITIES[ch] as string);
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

function slackUnescape(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) => ({ amp: "&", lt: "<", gt: ">" })[name] as string);
}

const plainText = (text: string) => ({ type: "plain_text", text, emoji: true });

type Button = { type: "button"; text: ReturnType<typeof plainText>; action_id: string; value?: string; url?: string };

/**
 * Catalogue text as the mrkdwn section sends it. fitText measures the text it returns, and the section
 * then sends it: the last answer is remembered.
 */
function sent(text: string): string {
  if (text !== lastSent[0]) lastSent = [text, slackEscape(neutralizeMarkup(text))];
  return lastSent[1];
}

let lastSent: [string, string] = ["", ""];

/** A button per native control (the postback as `value`) and per fallback (its deep link), then "More…" to the page. */
function buttons(view: EntityView, plan: ControlPlan): Omit<Button, "action_id">[] {
  return [
    ...plan.native.map((p) => ({ type: "button" as const, text: plainText(p.label), value: p.offer.postback })),
    ...plan.fallbacks.map((p) => ({ type: "button" as const, text: plainText(p.label), url: p.offer.deepLink })),
    ...(plan.more ? [{ type: "button" as const, text: plainText(plan.more), url: view.url }] : []),
  ];
}

/** Actions blocks of at most 25 buttons; `action_id` is the postback where it is short and unique in its block. */
function actionBlocks(elements: Omit<Button, "action_id">[], degradations: Degradation[]) {
  const blocks: { type: "actions"; elements: Button[] }[] = [];
  for (let start = 0; start < elements.length; start += SLACK.elements) {
    const seen = new Set<string>();
    const chunk = elements.slice(start, start + SLACK.elements).map((element, i) => {
      const wanted = element.value ?? "";
      const id = wanted && charCount(wanted) <= SLACK.actionId && !seen.has(wanted) ? wanted : `b${start + i}`;
      seen.add(id);
      const { type, text, ...rest } = element;
      return { type, text, action_id: id, ...rest };
    });
    blocks.push({ type: "actions", elements: chunk });
  }
  if (blocks.length > 1)
    degradations.push({ rule: "slack.actions.elements", detail: `${elements.length} buttons in ${blocks.length} actions blocks.` });
  return blocks;
}

function image(view: EntityView) {
  const media = view.kind === "product" ? (view as ProductRenderView).media[0] : undefined;
  return media ? [{ type: "image", image_url: media.url, alt_text: oneLine(media.alt) || oneLine(view.title) }] : [];
}

function render(view: EntityView): AdapterOutput {
  const degradations: Degradation[] = [];
  // Room for a header, a section and an image; the rest of the 50 blocks can hold buttons.
  const plan = planControls(
    view,
    {
      labelMax: SLACK.buttonText,
      labelRule: "slack.button.text",
      postbackFits: (p) => charCount(p) <= SLACK.value,
      postbackRule: "slack.button.value",
      maxNative: (SLACK.blocks - 3) * SLACK.elements,
      maxRule: "slack.blocks.max",
      labelFallbacks: true,
    },
    degradations,
  );
  const title = oneLine(view.title);
  const header = charCount(title) <= SLACK.header ? title : null;
  const text = fitText(
    view,
    { withTitle: !header, fallbacks: plan.fallbacks },
    { max: SLACK.sectionText, rule: "slack.section.text", measure: (text) => charCount(sent(text)) },
    degradations,
  );
  const section = sent(text);
  const blocks = [
    ...(header ? [{ type: "header", text: plainText(header) }] : []),
    { type: "section", text: { type: "mrkdwn", text: section } },
    ...image(view),
    ...actionBlocks(buttons(view, plan), degradations),
  ];
  // Both steps work line by line (a link never spans a newline, escaping is per character), so the
  // fallback — the header's line, then the text — is the header's line as sent, then the section.
  const fallbackText = header ? `${sent(header)}\n${section}` : section;
  return {
    body: { text: fallbackText, blocks },
    controls: [...plan.native.map(postbackControl), ...plan.fallbacks.map(linkControl)],
    degradations,
  };
}

/** mrkdwn as a reader sees it: `<url|label>` links become their label (the URL is a link), entities decoded. */
function readMrkdwn(r: Reader, mrkdwn: string): string {
  const shown = mrkdwn.replace(/<(https?:\/\/[^|>\s]+)(?:\|([^>]*))?>/g, (_, url: string, label?: string) => {
    r.link(url);
    return label ?? url;
  });
  if (/[<>]|&(?!(?:amp|lt|gt);)/.test(shown)) r.breach("slack.escape", "mrkdwn has an unescaped &, < or >.");
  return readMarkup(r, slackUnescape(shown), "slack.markup");
}

function inspectText(r: Reader, object: unknown, rule: string, max: number, what: string): void {
  const t = obj(object);
  const raw = str(t.text);
  r.max(rule, charCount(raw), max, what);
  r.text(t.type === "mrkdwn" ? readMrkdwn(r, raw) : raw);
}

function inspectElement(r: Reader, element: Record<string, unknown>): void {
  if (element.type !== "button") return;
  const label = str(obj(element.text).text);
  const id = str(element.action_id);
  r.max("slack.button.text", charCount(label), SLACK.buttonText, `button "${label}"`);
  r.max("slack.action_id.max", charCount(id), SLACK.actionId, `action_id "${id}"`);
  if (typeof element.url === "string") {
    r.max("slack.button.url", charCount(element.url), SLACK.url, "button url");
    r.url(label, element.url);
    return;
  }
  const value = typeof element.value === "string" ? element.value : id;
  r.max("slack.button.value", charCount(value), SLACK.value, `value "${value}"`);
  r.postback(label, value);
}

function inspectBlock(r: Reader, block: Record<string, unknown>): void {
  switch (block.type) {
    case "header":
      inspectText(r, block.text, "slack.header.text", SLACK.header, "header");
      break;
    case "section": {
      inspectText(r, block.text, "slack.section.text", SLACK.sectionText, "section text");
      const fields = arr(block.fields);
      r.max("slack.section.fields", fields.length, SLACK.fields, "fields");
      for (const field of fields) inspectText(r, field, "slack.field.text", SLACK.fieldText, "field");
      if (block.accessory) inspectElement(r, obj(block.accessory));
      break;
    }
    case "image":
      r.link(str(block.image_url));
      break;
    case "context":
      for (const element of arr(block.elements))
        if (obj(element).text !== undefined) inspectText(r, element, "slack.context.text", SLACK.fieldText, "context");
      break;
    case "actions": {
      const elements = arr(block.elements).map(obj);
      r.max("slack.actions.elements", elements.length, SLACK.elements, "elements in an actions block");
      r.unique(
        "slack.action_id.unique",
        elements.map((e) => str(e.action_id)),
      );
      for (const element of elements) inspectElement(r, element);
      break;
    }
    default:
      r.breach("slack.block.type", `Block type "${str(block.type)}" is not one this channel sends.`);
  }
}

function inspect(body: unknown, options: InspectOptions): Inspection {
  const r = new Reader(options);
  const message = obj(body);
  const blocks = arr(message.blocks).map(obj);
  if (!str(message.text)) r.breach("slack.text.required", "The top-level text fallback is not set.");
  r.max("slack.blocks.max", blocks.length, SLACK.blocks, "blocks");
  // The fallback repeats the blocks (it is what notifications show); read it only when there are no blocks.
  if (!blocks.length) r.text(readMrkdwn(r, str(message.text)));
  else r.also(readMrkdwn(r, str(message.text)));
  for (const block of blocks) inspectBlock(r, block);
  return r.finish();
}

/** The Slack Block Kit adapter. */
export const slack: Adapter = { render, inspect };
