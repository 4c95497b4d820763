/**
 * The SMS renderer (docs/channels.md, "SMS"; gateway of reference: Twilio). Plain
 * text within a segment budget: GSM-7 preferred (typographic characters
 * transliterated by Twilio's Smart Encoding), UCS-2 counted correctly when a
 * character needs it; actions as reply keywords from the catalogue (which can
 * never be compliance words); links only to the project's own web pages.
 *
 * When the text would exceed the budget it degrades in a fixed order — drop
 * the summary, then the action labels (keywords stay), then cut on a grapheme
 * boundary — and reports each step in the manifest.
 */
import Handlebars from "handlebars/runtime";
import type { EntityView, Inspection, InspectOptions, Rendered, Renderer, RenderOptions } from "../../src/channels/contract";
import { factsNotIn, linksIn } from "../../src/channels/contract";
import { keywordControls } from "../../src/channels/keywords";
import { fitSms, SMS_SEGMENT_BUDGET, smartEncode, smsInfo } from "../../src/channels/sms-text";
import { viewTemplates } from "../../src/channels/templates";
import { templates } from "./templates.generated";

/** Twilio's body maximum, in characters. */
export const TWILIO_MAX_BODY = 1600;

const hb = Handlebars.create();
hb.registerPartial("menu", hb.template(templates.menu));
const draw = viewTemplates(hb, templates);

/** Control characters (other than the newline) have no place in an SMS. */
function clean(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, "")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
  );
}

function factLine(view: EntityView, shown: string): string {
  return factsNotIn(view.facts, shown, smartEncode)
    .map((f) => f.value)
    .join(", ");
}

function context(view: EntityView, compact: boolean, dropSummary: boolean): Record<string, unknown> {
  switch (view.kind) {
    case "product":
      return { ...view, summary: dropSummary ? "" : view.summary, compact };
    case "product_list":
      return { ...view, items: view.items.map((item, i) => ({ ...item, n: i + 1 })), moreUrl: view.nextUrl, compact };
    case "message":
      return { ...view, factLine: factLine(view, view.short), compact };
    case "action_result":
      return { ...view, factLine: factLine(view, view.text), compact };
    default:
      return { ...view, compact };
  }
}

export const smsRenderer: Renderer = {
  channel: "sms",
  formats: ["text"],
  normalizeFact: smartEncode,

  render(view: EntityView, options: RenderOptions): Rendered {
    const degradations: Rendered["manifest"]["degradations"] = [];
    const template = draw[view.kind] as (ctx: unknown) => string;
    const attempt = (compact: boolean, dropSummary: boolean) => smartEncode(clean(template(context(view, compact, dropSummary))));
    let text = attempt(false, false);
    if (smsInfo(text).segments > SMS_SEGMENT_BUDGET && view.kind === "product" && view.summary) {
      text = attempt(false, true);
      degradations.push({ rule: "sms.segments", detail: `Summary left out to stay within ${SMS_SEGMENT_BUDGET} segments.` });
    }
    if (smsInfo(text).segments > SMS_SEGMENT_BUDGET && view.actions.length) {
      text = attempt(true, true);
      degradations.push({ rule: "sms.segments", detail: "Action labels left out; the keywords stay." });
    }
    const fitted = fitSms(text, SMS_SEGMENT_BUDGET);
    if (fitted.truncated) degradations.push({ rule: "sms.segments", detail: `Cut to ${SMS_SEGMENT_BUDGET} segments.` });
    const body = fitted.text;
    return {
      channel: "sms",
      format: options.format ?? "text",
      contentType: "text/plain; charset=utf-8",
      body,
      manifest: {
        facts: view.facts,
        actions: view.actions.map((a) => ({ key: a.key, input: a.input, label: a.label, control: { kind: "keyword", text: a.command } })),
        degradations,
      },
    };
  },

  inspect(body: string, options: InspectOptions): Inspection {
    const controls = keywordControls(body, options.actions);
    const info = smsInfo(body);
    const limits: Inspection["limits"] = [];
    if (info.segments > SMS_SEGMENT_BUDGET) {
      limits.push({ rule: "sms.segments", detail: `${info.segments} segments (${info.encoding}); the budget is ${SMS_SEGMENT_BUDGET}.` });
    }
    if (body.length > TWILIO_MAX_BODY)
      limits.push({ rule: "sms.body.max", detail: `${body.length} characters; Twilio takes ${TWILIO_MAX_BODY}.` });
    return { text: body, controls, links: linksIn(body), limits };
  },
};
