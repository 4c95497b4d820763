/**
 * WhatsApp Cloud API messages (docs/channels.md, "WhatsApp"). Up to three actions
 * with short labels become reply buttons; four to ten a list; more a list whose
 * last row, "More…", hands off to the web page while the overflowing actions
 * are written out in the body as commands and links. A view without actions is
 * a plain text message. Every id is the offer's postback, as the inbound webhook
 * reads `button_reply.id` / `list_reply.id`.
 */
import type { Degradation, EntityView, Inspection, InspectOptions } from "../../../src/channels/contract";
import { charCount, truncate } from "../../../src/channels/contract";
import {
  type Adapter,
  type AdapterOutput,
  arr,
  fitText,
  keywordControl,
  MORE_POSTBACK,
  neutralizeMarkup,
  obj,
  oneLine,
  type Planned,
  planControls,
  postbackControl,
  Reader,
  readMarkup,
  str,
} from "../shared";

/** The Cloud API's documented maxima (interactive messages reference). */
export const WHATSAPP = {
  text: 4096,
  body: 1024,
  header: 60,
  footer: 60,
  buttons: 3,
  buttonTitle: 20,
  buttonId: 256,
  menuButton: 20,
  sections: 10,
  rows: 10,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  sectionTitle: 20,
} as const;

const envelope = { messaging_product: "whatsapp", recipient_type: "individual" } as const;

/** Length as sent: formatting characters carry a word joiner. */
const measure = (text: string) => charCount(neutralizeMarkup(text));

/** A plain text message: for a view without actions, or whose actions all had to become text. */
function textMessage(view: EntityView, fallbacks: readonly Planned[], degradations: Degradation[]) {
  const body = fitText(view, { withTitle: true, fallbacks }, { max: WHATSAPP.text, rule: "whatsapp.text.max", measure }, degradations);
  return { ...envelope, type: "text", text: { preview_url: true, body: neutralizeMarkup(body) } };
}

/** Reply buttons only when every label fits one (a longer label reads better as a 24-character list row than cut to 20). */
function wantsButtons(view: EntityView): boolean {
  return view.actions.length <= WHATSAPP.buttons && view.actions.every((o) => charCount(oneLine(o.label)) <= WHATSAPP.buttonTitle);
}

function render(view: EntityView): AdapterOutput {
  const degradations: Degradation[] = [];
  if (!view.actions.length) return { body: textMessage(view, [], degradations), controls: [], degradations };
  const buttons = wantsButtons(view);
  const plan = planControls(
    view,
    buttons
      ? {
          labelMax: WHATSAPP.buttonTitle,
          labelRule: "whatsapp.button.title",
          postbackFits: (p) => charCount(p) <= WHATSAPP.buttonId,
          postbackRule: "whatsapp.button.id",
        }
      : {
          labelMax: WHATSAPP.rowTitle,
          labelRule: "whatsapp.row.title",
          postbackFits: (p) => charCount(p) <= WHATSAPP.rowId,
          postbackRule: "whatsapp.row.id",
          maxNative: WHATSAPP.rows,
          maxRule: "whatsapp.list.rows",
        },
    degradations,
  );
  const fallbacks = plan.fallbacks.map(keywordControl);
  if (!plan.native.length) return { body: textMessage(view, plan.fallbacks, degradations), controls: fallbacks, degradations };
  const title = oneLine(view.title);
  const header = charCount(title) <= WHATSAPP.header ? title : null;
  const text = fitText(
    view,
    { withTitle: !header, fallbacks: plan.fallbacks },
    { max: WHATSAPP.body, rule: "whatsapp.body.max", measure },
    degradations,
  );
  const rows = plan.native.map((p) => ({
    id: p.offer.postback,
    title: p.label,
    ...(p.detail ? { description: truncate(oneLine(p.detail), WHATSAPP.rowDescription) } : {}),
  }));
  if (plan.more) rows.push({ id: MORE_POSTBACK, title: plan.more });
  const action = buttons
    ? { buttons: plan.native.map((p) => ({ type: "reply", reply: { id: p.offer.postback, title: p.label } })) }
    : { button: truncate(view.ui.menu, WHATSAPP.menuButton), sections: [{ rows }] };
  const interactive = {
    type: buttons ? "button" : "list",
    ...(header ? { header: { type: "text", text: header } } : {}),
    body: { text: neutralizeMarkup(text) },
    action,
  };
  return {
    body: { ...envelope, type: "interactive", interactive },
    controls: [...plan.native.map(postbackControl), ...fallbacks],
    degradations,
  };
}

function inspectButtons(r: Reader, action: Record<string, unknown>): void {
  const buttons = arr(action.buttons).map((b) => obj(obj(b).reply));
  if (buttons.length < 1 || buttons.length > WHATSAPP.buttons)
    r.breach("whatsapp.buttons.max", `${buttons.length} reply buttons; 1 to 3 allowed.`);
  for (const reply of buttons) {
    const [id, title] = [str(reply.id), str(reply.title)];
    r.max("whatsapp.button.title", charCount(title), WHATSAPP.buttonTitle, `button "${title}"`);
    r.max("whatsapp.button.id", charCount(id), WHATSAPP.buttonId, `button id "${id}"`);
    r.postback(title, id);
  }
  r.unique(
    "whatsapp.button.unique",
    buttons.map((b) => str(b.title)),
  );
}

function inspectList(r: Reader, action: Record<string, unknown>): void {
  const menu = str(action.button);
  r.max("whatsapp.list.button", charCount(menu), WHATSAPP.menuButton, `menu button "${menu}"`);
  const sections = arr(action.sections).map(obj);
  r.max("whatsapp.list.sections", sections.length, WHATSAPP.sections, "sections");
  const rows = sections.flatMap((s) => arr(s.rows).map(obj));
  if (!rows.length) r.breach("whatsapp.list.rows", "A list message needs at least one row.");
  r.max("whatsapp.list.rows", rows.length, WHATSAPP.rows, "rows");
  for (const section of sections) {
    const title = str(section.title);
    if (!title && sections.length > 1) r.breach("whatsapp.section.title", "A list with several sections needs a title on each.");
    r.max("whatsapp.section.title", charCount(title), WHATSAPP.sectionTitle, `section "${title}"`);
    r.text(title);
  }
  for (const row of rows) {
    const [id, title, description] = [str(row.id), str(row.title), str(row.description)];
    r.max("whatsapp.row.title", charCount(title), WHATSAPP.rowTitle, `row "${title}"`);
    r.max("whatsapp.row.description", charCount(description), WHATSAPP.rowDescription, `row description "${description}"`);
    r.max("whatsapp.row.id", charCount(id), WHATSAPP.rowId, `row id "${id}"`);
    r.postback(title, id);
  }
  r.unique(
    "whatsapp.row.unique",
    rows.map((row) => str(row.title)),
  );
}

function inspectInteractive(r: Reader, interactive: Record<string, unknown>): void {
  const header = obj(interactive.header);
  if (header.type === "text") {
    r.text(str(header.text));
    r.max("whatsapp.header.max", charCount(str(header.text)), WHATSAPP.header, "header");
  } else if (header.type) r.link(str(obj(header[str(header.type)]).link));
  const body = str(obj(interactive.body).text);
  if (!body) r.breach("whatsapp.body.required", "An interactive message needs a body text.");
  r.text(readMarkup(r, body, "whatsapp.markup"));
  r.max("whatsapp.body.max", charCount(body), WHATSAPP.body, "body");
  const footer = str(obj(interactive.footer).text);
  r.text(footer);
  r.max("whatsapp.footer.max", charCount(footer), WHATSAPP.footer, "footer");
  const action = obj(interactive.action);
  if (interactive.type === "button") inspectButtons(r, action);
  else if (interactive.type === "list") inspectList(r, action);
  else r.breach("whatsapp.interactive.type", `Interactive type "${str(interactive.type)}" is not one this channel sends.`);
}

function inspect(body: unknown, options: InspectOptions): Inspection {
  const r = new Reader(options);
  const message = obj(body);
  if (message.messaging_product !== "whatsapp") r.breach("whatsapp.messaging_product", 'messaging_product must be "whatsapp".');
  if (message.type === "text") {
    const text = str(obj(message.text).body);
    if (!text) r.breach("whatsapp.text.required", "A text message needs a body.");
    r.text(readMarkup(r, text, "whatsapp.markup"));
    r.max("whatsapp.text.max", charCount(text), WHATSAPP.text, "text");
  } else if (message.type === "interactive") inspectInteractive(r, obj(message.interactive));
  else r.breach("whatsapp.type", `Message type "${str(message.type)}" is not one this channel sends.`);
  return r.finish();
}

/** The WhatsApp Cloud API adapter. */
export const whatsapp: Adapter = { render, inspect };
