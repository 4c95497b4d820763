/**
 * The platform-neutral chat message (README.md, "generic"): text, cards for the
 * products a view shows, and buttons that carry the offer's postback or, when a
 * postback would not fit, the deep link. Its control limits are the strictest
 * of the platforms (labels ≤ 20 as WhatsApp and Messenger, postbacks ≤ 64 bytes
 * as Telegram), so any platform connector can map it without loss.
 */
import type { Degradation, EntityView, Inspection, InspectOptions } from "../../src/channels/contract";
import { charCount, truncate } from "../../src/channels/contract";
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
} from "./shared";

/** The generic message's limits: the strictest of the platforms for controls and cards. */
export const GENERIC = { text: 4096, label: 20, postback: 64, cards: 10, cardTitle: 80, cardSubtitle: 80 } as const;

interface Card {
  title: string;
  subtitle: string;
  imageUrl?: string;
  url: string;
}

/** A card's line within its limit; a cut is reported (the text keeps the whole fact). */
function fitLine(text: string, max: number, rule: string, degradations: Degradation[]): string {
  const line = oneLine(text);
  const cut = truncate(line, max);
  if (cut !== line) degradations.push({ rule, detail: `"${line}" shown as "${cut}" on its card.` });
  return cut;
}

function cardsOf(view: EntityView, degradations: Degradation[]): Card[] {
  const card = (title: string, subtitle: string, url: string, image: { url: string } | null | undefined): Card => ({
    title: fitLine(title, GENERIC.cardTitle, "generic.card.title", degradations),
    subtitle: fitLine(subtitle, GENERIC.cardSubtitle, "generic.card.subtitle", degradations),
    ...(image ? { imageUrl: image.url } : {}),
    url,
  });
  const sources = cardSources(view);
  if (sources.length > GENERIC.cards) {
    degradations.push({
      rule: "generic.cards.max",
      detail: `${sources.length} products, ${GENERIC.cards} cards; the text lists them all.`,
    });
  }
  return sources.slice(0, GENERIC.cards).map((c) => card(c.title, c.subtitle, c.url, c.image));
}

type CardSource = { title: string; subtitle: string; url: string; image: { url: string } | null | undefined };

/** One card per product shown (the product, the list's items, the cart's lines); other views have none. */
function cardSources(view: EntityView): CardSource[] {
  switch (view.kind) {
    case "product":
      return [{ title: view.title, subtitle: `${view.price} · ${view.availabilityText}`, url: view.url, image: view.media[0] }];
    case "product_list":
      return view.items.map((i) => ({ title: i.title, subtitle: `${i.price} · ${i.availabilityText}`, url: i.url, image: i.image }));
    case "cart":
      return view.lines.map((l) => ({ title: l.title, subtitle: `×${l.quantity} · ${l.lineTotal}`, url: l.url, image: null }));
    default:
      return [];
  }
}

function render(view: EntityView): AdapterOutput {
  const degradations: Degradation[] = [];
  const plan = planControls(
    view,
    {
      labelMax: GENERIC.label,
      labelRule: "generic.button.label",
      postbackFits: (p) => byteLength(p) <= GENERIC.postback,
      postbackRule: "generic.postback.bytes",
      labelFallbacks: true,
    },
    degradations,
  );
  const text = fitText(view, { withTitle: true, fallbacks: plan.fallbacks }, { max: GENERIC.text, rule: "generic.text.max" }, degradations);
  const cards = cardsOf(view, degradations);
  const buttons = [
    ...plan.native.map((p) => ({ label: p.label, postback: p.offer.postback })),
    ...plan.fallbacks.map((p) => ({ label: p.label, url: p.offer.deepLink })),
  ];
  const body = { text, ...(cards.length ? { cards } : {}), buttons };
  return { body, controls: [...plan.native.map(postbackControl), ...plan.fallbacks.map(linkControl)], degradations };
}

function inspectButtons(r: Reader, list: unknown, what: string): string[] {
  const labels: string[] = [];
  for (const button of arr(list).map(obj)) {
    const label = str(button.label);
    labels.push(label);
    r.max("generic.button.label", charCount(label), GENERIC.label, `${what} "${label}"`);
    if (typeof button.postback === "string") {
      r.max("generic.postback.bytes", byteLength(button.postback), GENERIC.postback, `postback "${button.postback}" (bytes)`);
      r.postback(label, button.postback);
    } else if (typeof button.url === "string") r.url(label, button.url);
    else r.breach("generic.button.kind", `${what} "${label}" has neither postback nor url.`);
  }
  return labels;
}

function inspect(body: unknown, options: InspectOptions): Inspection {
  const r = new Reader(options);
  const message = obj(body);
  const text = str(message.text);
  if (!text) r.breach("generic.text.required", "The message has no text.");
  r.text(text);
  r.max("generic.text.max", charCount(text), GENERIC.text, "text");
  const cards = arr(message.cards).map(obj);
  r.max("generic.cards.max", cards.length, GENERIC.cards, "cards");
  for (const c of cards) {
    const [title, subtitle] = [str(c.title), str(c.subtitle)];
    r.max("generic.card.title", charCount(title), GENERIC.cardTitle, `card "${title}"`);
    r.max("generic.card.subtitle", charCount(subtitle), GENERIC.cardSubtitle, `card subtitle "${subtitle}"`);
    r.text(title);
    r.text(subtitle);
    r.link(str(c.url));
    r.link(str(c.imageUrl));
  }
  const labels = [...inspectButtons(r, message.buttons, "button"), ...inspectButtons(r, message.quickReplies, "quick reply")];
  r.unique("generic.button.unique", labels);
  return r.finish();
}

/** The platform-neutral adapter (the default format). */
export const generic: Adapter = { render, inspect };
