/**
 * Telegram Bot API `sendMessage` parameters (docs/channels.md, "Telegram"): HTML
 * text (the title in `<b>`, everything else escaped), and an inline keyboard
 * with one button per row whose `callback_data` is the offer's postback, as the
 * webhook decodes callback queries. `callback_data` takes 1–64 bytes; a longer
 * postback becomes a URL button to the deep link, with the command in the text.
 */
import type { Degradation, EntityView, Inspection, InspectOptions } from "../../../src/channels/contract";
import { charCount } from "../../../src/channels/contract";
import {
  type Adapter,
  type AdapterOutput,
  arr,
  byteLength,
  fitText,
  linkControl,
  obj,
  oneLine,
  planControls,
  postbackControl,
  Reader,
  str,
} from "../shared";

/** The Bot API's documented maxima (sendMessage, InlineKeyboardButton). */
export const TELEGRAM = { text: 4096, callbackDataMin: 1, callbackData: 64 } as const;

/** The tags Telegram's HTML parse mode supports (Bot API, "HTML style"); anything else is rejected. */
const TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "a",
  "tg-emoji",
  "code",
  "pre",
  "blockquote",
]);

/** Telegram's HTML escaping: `&`, `<`, `>` (and `"` inside attributes) as entities. */
export function telegramEscape(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch] as string);
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] !== "#") return NAMED[name.toLowerCase()] ?? whole;
    const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function render(view: EntityView): AdapterOutput {
  const degradations: Degradation[] = [];
  const plan = planControls(
    view,
    {
      // Telegram documents no limit on button text; labels are only made unique.
      labelMax: Number.POSITIVE_INFINITY,
      labelRule: "telegram.button.text",
      postbackFits: (p) => {
        const bytes = byteLength(p);
        return bytes >= TELEGRAM.callbackDataMin && bytes <= TELEGRAM.callbackData;
      },
      postbackRule: "telegram.callback_data.bytes",
      labelFallbacks: true,
    },
    degradations,
  );
  const title = oneLine(view.title);
  // The 4,096 limit applies after entity parsing: the visible text, title line included.
  const measure = (text: string) => charCount(`${title}\n${text}`);
  const text = fitText(
    view,
    { withTitle: false, fallbacks: plan.fallbacks },
    { max: TELEGRAM.text, rule: "telegram.text.max", measure },
    degradations,
  );
  const keyboard = [
    ...plan.native.map((p) => [{ text: p.label, callback_data: p.offer.postback }]),
    ...plan.fallbacks.map((p) => [{ text: p.label, url: p.offer.deepLink }]),
  ];
  const body = {
    method: "sendMessage",
    text: `<b>${telegramEscape(title)}</b>\n${telegramEscape(text)}`,
    parse_mode: "HTML",
    ...(keyboard.length ? { reply_markup: { inline_keyboard: keyboard } } : {}),
  };
  return { body, controls: [...plan.native.map(postbackControl), ...plan.fallbacks.map(linkControl)], degradations };
}

/** The visible text of Telegram HTML; unsupported tags and stray `&`/`<`/`>` are breaches (Telegram rejects the message). */
function readHtml(r: Reader, html: string): string {
  const visible = html.replace(
    /<(\/?)([a-z-]+)((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*>/gi,
    (_, _close: string, tag: string, attributes: string) => {
      if (!TAGS.has(tag.toLowerCase())) r.breach("telegram.html.tag", `<${tag}> is not a tag Telegram's HTML supports.`);
      const href = /\shref="([^"]*)"/i.exec(attributes);
      if (href?.[1]) r.link(decodeEntities(href[1]));
      return "";
    },
  );
  if (/[<>]|&(?!(?:#x[0-9a-f]+|#\d+|[a-z]+);)/i.test(visible)) r.breach("telegram.html.escape", "The text has an unescaped &, < or >.");
  return decodeEntities(visible);
}

function inspect(body: unknown, options: InspectOptions): Inspection {
  const r = new Reader(options);
  const message = obj(body);
  if (message.method !== "sendMessage") r.breach("telegram.method", 'method must be "sendMessage".');
  const raw = str(message.text);
  const text = message.parse_mode === "HTML" ? readHtml(r, raw) : raw;
  if (charCount(text.trim()) < 1) r.breach("telegram.text.min", "The text is empty.");
  r.max("telegram.text.max", charCount(text), TELEGRAM.text, "text after entity parsing");
  r.text(text);
  for (const row of arr(obj(message.reply_markup).inline_keyboard)) {
    for (const button of arr(row).map(obj)) {
      const label = str(button.text);
      if (typeof button.callback_data === "string") {
        const bytes = byteLength(button.callback_data);
        if (bytes < TELEGRAM.callbackDataMin || bytes > TELEGRAM.callbackData) {
          r.breach("telegram.callback_data.bytes", `callback_data "${button.callback_data}" is ${bytes} bytes; 1 to 64 allowed.`);
        }
        r.postback(label, button.callback_data);
      } else if (typeof button.url === "string") r.url(label, button.url);
      else r.breach("telegram.button.kind", `Button "${label}" has neither callback_data nor url.`);
    }
  }
  return r.finish();
}

/** The Telegram Bot API adapter. */
export const telegram: Adapter = { render, inspect };
