/**
 * Messenger Send API message objects (docs/channels.md, "Messenger"): the text with
 * quick replies whose `payload` is the offer's postback. Quick replies keep the
 * whole text and every fact; the generic template would cut both to 80
 * characters of title and subtitle, so this channel does not send it — but
 * `inspect` reads (and checks) generic templates all the same.
 *
 * Messenger reads `*bold*`, `_italic_`, `~strike~` and `` `code` `` in message text (on a computer;
 * Facebook Help Centre, "text formatting in Messenger") and has no escape character: like WhatsApp,
 * catalogue text carries a word joiner after each formatting character (`neutralizeMarkup`), and
 * `inspect` reports one left active. Control characters are removed.
 */
import type { Degradation, EntityView, Inspection, InspectOptions } from "../../../src/channels/contract";
import { charCount } from "../../../src/channels/contract";
import {
  type Adapter,
  type AdapterOutput,
  arr,
  fitText,
  keywordControl,
  MORE_POSTBACK,
  neutralizeMarkup,
  obj,
  planControls,
  postbackControl,
  Reader,
  readMarkup,
  str,
} from "../shared";

/** Length as sent: formatting characters carry a word joiner. */
const measure = (text: string) => charCount(neutralizeMarkup(text));

/** The Send API's documented maxima (quick replies, generic template). */
export const MESSENGER = {
  text: 2000,
  quickReplies: 13,
  quickReplyTitle: 20,
  payload: 1000,
  elements: 10,
  elementTitle: 80,
  elementSubtitle: 80,
  buttons: 3,
  buttonTitle: 20,
} as const;

function render(view: EntityView): AdapterOutput {
  const degradations: Degradation[] = [];
  const plan = planControls(
    view,
    {
      labelMax: MESSENGER.quickReplyTitle,
      labelRule: "messenger.quick_reply.title",
      postbackFits: (p) => charCount(p) <= MESSENGER.payload,
      postbackRule: "messenger.quick_reply.payload",
      maxNative: MESSENGER.quickReplies,
      maxRule: "messenger.quick_replies.max",
    },
    degradations,
  );
  const text = fitText(
    view,
    { withTitle: true, fallbacks: plan.fallbacks },
    { max: MESSENGER.text, rule: "messenger.text.max", measure },
    degradations,
  );
  const replies = plan.native.map((p) => ({ content_type: "text", title: p.label, payload: p.offer.postback }));
  if (plan.more) replies.push({ content_type: "text", title: plan.more, payload: MORE_POSTBACK });
  const body = { text: neutralizeMarkup(text), ...(replies.length ? { quick_replies: replies } : {}) };
  return { body, controls: [...plan.native.map(postbackControl), ...plan.fallbacks.map(keywordControl)], degradations };
}

function inspectTemplate(r: Reader, payload: Record<string, unknown>): void {
  if (payload.template_type !== "generic") {
    r.breach("messenger.template.type", `Template "${str(payload.template_type)}" is not one this channel sends.`);
    return;
  }
  const elements = arr(payload.elements).map(obj);
  r.max("messenger.template.elements", elements.length, MESSENGER.elements, "elements");
  for (const element of elements) {
    const [title, subtitle] = [str(element.title), str(element.subtitle)];
    r.max("messenger.element.title", charCount(title), MESSENGER.elementTitle, `title "${title}"`);
    r.max("messenger.element.subtitle", charCount(subtitle), MESSENGER.elementSubtitle, `subtitle "${subtitle}"`);
    r.text(title);
    r.text(subtitle);
    r.link(str(element.image_url));
    r.link(str(obj(element.default_action).url));
    const buttons = arr(element.buttons).map(obj);
    r.max("messenger.element.buttons", buttons.length, MESSENGER.buttons, "buttons on an element");
    for (const button of buttons) {
      const label = str(button.title);
      r.max("messenger.button.title", charCount(label), MESSENGER.buttonTitle, `button "${label}"`);
      if (button.type === "postback") {
        r.max("messenger.button.payload", charCount(str(button.payload)), MESSENGER.payload, "payload");
        r.postback(label, str(button.payload));
      } else if (button.type === "web_url") r.url(label, str(button.url));
      else r.breach("messenger.button.type", `Button type "${str(button.type)}" is not one this channel sends.`);
    }
  }
}

function inspect(body: unknown, options: InspectOptions): Inspection {
  const r = new Reader(options);
  const message = obj(body);
  const attachment = obj(message.attachment);
  if ((typeof message.text === "string") === (attachment.type !== undefined)) {
    r.breach("messenger.message", "A message has either a text or an attachment.");
  }
  if (attachment.type === "template") inspectTemplate(r, obj(attachment.payload));
  const text = str(message.text);
  r.text(readMarkup(r, text, "messenger.markup"));
  r.max("messenger.text.max", charCount(text), MESSENGER.text, "text");
  const replies = arr(message.quick_replies).map(obj);
  r.max("messenger.quick_replies.max", replies.length, MESSENGER.quickReplies, "quick replies");
  for (const reply of replies) {
    const [title, payload] = [str(reply.title), str(reply.payload)];
    r.max("messenger.quick_reply.title", charCount(title), MESSENGER.quickReplyTitle, `quick reply "${title}"`);
    r.max("messenger.quick_reply.payload", charCount(payload), MESSENGER.payload, "payload");
    r.postback(title, payload);
  }
  r.unique(
    "messenger.quick_reply.unique",
    replies.map((q) => str(q.title)),
  );
  return r.finish();
}

/** The Messenger Send API adapter. */
export const messenger: Adapter = { render, inspect };
