/**
 * The chat renderer (docs/channels.md, "Chat": WhatsApp, Slack, Telegram, Messenger, and a
 * platform-neutral `generic` message). The body is the JSON the platform's
 * API takes, without the recipient (the sender adds `to` / `chat_id` /
 * `channel` / `recipient`). Text parts come from precompiled templates shared
 * by every platform (`shared.ts`); each platform's structure and limits live in
 * its adapter, which also reads a body back for the consistency engine.
 *
 * @example
 * const out = chatRenderer.render(view, { baseUrl, format: "whatsapp" });
 * const seen = chatRenderer.inspect(out.body, { format: "whatsapp", baseUrl, actions });
 */
import type { EntityView, Inspection, InspectOptions, Rendered, Renderer, RenderOptions } from "../../src/channels/contract";
import { justSerialised } from "../../src/channels/serialised";
import { generic } from "./generic";
import { messenger } from "./messenger/format";
import { type Adapter, CHAT_FORMATS, type ChatFormat, stripControls } from "./shared";
import { slack } from "./slack/format";
import { telegram } from "./telegram/format";
import { whatsapp } from "./whatsapp/format";

export { CHAT_FORMATS, type ChatFormat };

const ADAPTERS = { generic, whatsapp, slack, telegram, messenger } satisfies Record<ChatFormat, Adapter>;

function adapterFor(format: string): Adapter {
  if (!Object.hasOwn(ADAPTERS, format)) throw new Error(`The chat channel has no format "${format}" (it has ${CHAT_FORMATS.join(", ")}).`);
  return ADAPTERS[format as ChatFormat];
}

/**
 * The body last rendered, with the object it was serialised from, for the inspection of that very body
 * (src/channels/serialised.ts). It may stand for the parse: bodies hold only strings, booleans, plain objects
 * and arrays (no numbers, dates or `toJSON`), and the adapters read them through obj/arr/str and typeof
 * checks, where an `undefined` property reads as an absent one; nothing mutates a body.
 */
const renderedBodies = justSerialised<unknown>();

export const chatRenderer: Renderer = {
  channel: "chat",
  formats: CHAT_FORMATS,
  // Control characters are removed from every chat text, so facts are compared without them.
  normalizeFact: stripControls,

  render(view: EntityView, options: RenderOptions): Rendered {
    const format = options.format ?? CHAT_FORMATS[0];
    const out = adapterFor(format).render(view);
    const body = renderedBodies.stringify(out.body);
    return {
      channel: "chat",
      format,
      contentType: "application/json; charset=utf-8",
      body,
      manifest: {
        facts: view.facts,
        actions: out.controls.map((c) => ({ key: c.offer.key, input: c.offer.input, label: c.label, control: c.control })),
        degradations: out.degradations,
      },
    };
  },

  inspect(body: string, options: InspectOptions): Inspection {
    const adapter = adapterFor(options.format);
    let parsed: unknown;
    try {
      parsed = renderedBodies.take(body) ?? JSON.parse(body);
    } catch (error) {
      return { text: "", controls: [], links: [], limits: [{ rule: "chat.json", detail: `The body is not JSON: ${String(error)}` }] };
    }
    return adapter.inspect(parsed, options);
  },
};
