/**
 * The JSON bodies renderers produce, as published in /openapi.json (docs/channels.md): each chat
 * format's platform payload (without the recipient), the mobile screen and the agent's MCP tool
 * result. A partner's generated client reads `components["schemas"]["WhatsAppMessage"]` and the
 * like; the test suite validates every body it receives against these, and
 * test/openapi/render-bodies.test.ts renders every fixture view in every format against them.
 *
 * The formats share no tag (they are the platforms' own payloads), so `RenderBody` is a `oneOf` of
 * shapes that exclude each other: every chat payload is closed (no other property), the screen
 * needs `schemaVersion` and the agent result `structuredContent`. Inside a format, shapes that do
 * carry a tag are discriminated on it (WhatsApp's `type`, Slack's block `type`).
 *
 * The mobile screen is not redeclared here: its component is the JSON Schema the mobile renderer
 * publishes (renderers/mobile/screen.schema.json, the schema apps validate against), taken from
 * the registry the app is given.
 */
import { z } from "@hono/zod-openapi";
import type { EntityView, Renderer } from "./contract";

/** One body per JSON format, as the render operation's examples (and each component's). */
export const BODY_EXAMPLES = {
  whatsapp: {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    type: "interactive",
    interactive: {
      type: "button",
      header: { type: "text", text: "Merino crew sweater" },
      body: { text: "€89.00 · In stock" },
      action: { buttons: [{ type: "reply", reply: { id: "a:add_to_cart:MER-CRE-SWE-S-NAVY", title: "Add to cart" } }] },
    },
  },
  slack: {
    text: "Merino crew sweater\n€89.00 · In stock",
    blocks: [
      { type: "header", text: { type: "plain_text", text: "Merino crew sweater", emoji: true } },
      { type: "section", text: { type: "mrkdwn", text: "€89.00 · In stock" } },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Add to cart", emoji: true },
            action_id: "a:add_to_cart:MER-CRE-SWE-S-NAVY",
            value: "a:add_to_cart:MER-CRE-SWE-S-NAVY",
          },
        ],
      },
    ],
  },
  telegram: {
    method: "sendMessage",
    text: "<b>Merino crew sweater</b>\n€89.00 · In stock",
    parse_mode: "HTML",
    reply_markup: { inline_keyboard: [[{ text: "Add to cart", callback_data: "a:add_to_cart:MER-CRE-SWE-S-NAVY" }]] },
  },
  messenger: {
    text: "Merino crew sweater\n€89.00 · In stock",
    quick_replies: [{ content_type: "text", title: "Add to cart", payload: "a:add_to_cart:MER-CRE-SWE-S-NAVY" }],
  },
  generic: {
    text: "Merino crew sweater\n€89.00 · In stock",
    cards: [{ title: "Merino crew sweater", subtitle: "€89.00 · In stock", url: "https://shop.example/products/merino-crew-sweater" }],
    buttons: [{ label: "Add to cart", postback: "a:add_to_cart:MER-CRE-SWE-S-NAVY" }],
  },
  mcp: {
    content: [{ type: "text", text: "# Merino crew sweater\n\n- Price: €89.00\n" }],
    structuredContent: { kind: "product", locale: "en", url: "https://shop.example/products/merino-crew-sweater", facts: [], actions: [] },
  },
};

// ——— WhatsApp Cloud API ———

const whatsappEnvelope = { messaging_product: z.literal("whatsapp"), recipient_type: z.literal("individual") };
const whatsappHeader = z.strictObject({ type: z.literal("text"), text: z.string() });
const whatsappBody = z.strictObject({ text: z.string() });

const WhatsAppTextMessage = z
  .strictObject({
    ...whatsappEnvelope,
    type: z.literal("text"),
    text: z.strictObject({ preview_url: z.boolean(), body: z.string() }),
  })
  .openapi("WhatsAppTextMessage", {
    description: "A plain text message: for a view without actions, or whose actions all had to become text.",
    example: {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      type: "text",
      text: { preview_url: true, body: "Returns policy\nReturn any item within 30 days." },
    },
  });

const WhatsAppButtons = z
  .strictObject({
    type: z.literal("button"),
    header: whatsappHeader.optional(),
    body: whatsappBody,
    action: z.strictObject({
      buttons: z
        .array(z.strictObject({ type: z.literal("reply"), reply: z.strictObject({ id: z.string(), title: z.string() }) }))
        .min(1)
        .max(3),
    }),
  })
  .openapi("WhatsAppButtons", { description: "Up to three reply buttons; each `id` is the offer's postback." });

const WhatsAppList = z
  .strictObject({
    type: z.literal("list"),
    header: whatsappHeader.optional(),
    body: whatsappBody,
    action: z.strictObject({
      button: z.string().openapi({ description: "The menu button's label." }),
      sections: z.array(
        z.strictObject({
          rows: z.array(z.strictObject({ id: z.string(), title: z.string(), description: z.string().optional() })).min(1),
        }),
      ),
    }),
  })
  .openapi("WhatsAppList", { description: "A list message: one row per action (the last may be `More…`, to the web page)." });

const WhatsAppInteractiveMessage = z
  .strictObject({
    ...whatsappEnvelope,
    type: z.literal("interactive"),
    interactive: z.discriminatedUnion("type", [WhatsAppButtons, WhatsAppList]),
  })
  .openapi("WhatsAppInteractiveMessage", {
    description: "An interactive message: reply buttons or a list, tagged by `interactive.type`.",
    example: BODY_EXAMPLES.whatsapp,
  });

export const WhatsAppMessage = z
  .discriminatedUnion("type", [WhatsAppTextMessage, WhatsAppInteractiveMessage])
  .openapi("WhatsAppMessage", { description: "`format=whatsapp`: a WhatsApp Cloud API message, tagged by `type`." });

// ——— Slack Block Kit ———

const plainText = z.strictObject({ type: z.literal("plain_text"), text: z.string(), emoji: z.literal(true) });

const SlackButton = z
  .strictObject({
    type: z.literal("button"),
    text: plainText,
    action_id: z.string(),
    value: z.string().optional().openapi({ description: "The offer's postback (a button that runs an action)." }),
    url: z.string().optional().openapi({ description: "A link (an action whose postback does not fit, or `More…`)." }),
  })
  .openapi("SlackButton");

const SlackBlock = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("header"), text: plainText }).openapi("SlackHeaderBlock"),
    z
      .strictObject({ type: z.literal("section"), text: z.strictObject({ type: z.literal("mrkdwn"), text: z.string() }) })
      .openapi("SlackSectionBlock"),
    z.strictObject({ type: z.literal("image"), image_url: z.string(), alt_text: z.string() }).openapi("SlackImageBlock"),
    z.strictObject({ type: z.literal("actions"), elements: z.array(SlackButton).min(1).max(25) }).openapi("SlackActionsBlock"),
  ])
  .openapi("SlackBlock", { description: "A Block Kit block, tagged by `type`." });

export const SlackMessage = z
  .strictObject({
    text: z.string().openapi({ description: "The notification fallback (mrkdwn-escaped)." }),
    blocks: z.array(SlackBlock).min(1).max(50),
  })
  .openapi("SlackMessage", {
    description: "`format=slack`: a Block Kit message — a header, one mrkdwn section, the image, actions blocks of buttons.",
    example: BODY_EXAMPLES.slack,
  });

// ——— Telegram Bot API ———

const TelegramButton = z
  .union([
    z.strictObject({ text: z.string(), callback_data: z.string().openapi({ description: "The offer's postback (1–64 bytes)." }) }),
    z.strictObject({ text: z.string(), url: z.string() }),
  ])
  .openapi(
    "TelegramInlineButton",
    { description: "Runs an action (`callback_data`) or opens its page (`url`)." },
    { unionPreferredType: "oneOf" },
  );

export const TelegramMessage = z
  .strictObject({
    method: z.literal("sendMessage"),
    text: z.string().openapi({ description: "HTML parse mode: the title in `<b>`, everything else escaped." }),
    parse_mode: z.literal("HTML"),
    reply_markup: z.strictObject({ inline_keyboard: z.array(z.array(TelegramButton)) }).optional(),
  })
  .openapi("TelegramMessage", {
    description: "`format=telegram`: `sendMessage` parameters (without `chat_id`), one inline button per row.",
    example: BODY_EXAMPLES.telegram,
  });

// ——— Messenger Send API ———

export const MessengerMessage = z
  .strictObject({
    text: z.string(),
    quick_replies: z
      .array(z.strictObject({ content_type: z.literal("text"), title: z.string(), payload: z.string() }))
      .min(1)
      .max(13)
      .optional()
      .openapi({ description: "One per action; `payload` is the offer's postback." }),
  })
  .openapi("MessengerMessage", {
    description: "`format=messenger`: a Send API message object (without `recipient`): the text and its quick replies.",
    example: BODY_EXAMPLES.messenger,
  });

// ——— generic ———

export const GenericChatMessage = z
  .strictObject({
    text: z.string(),
    cards: z
      .array(z.strictObject({ title: z.string(), subtitle: z.string(), imageUrl: z.string().optional(), url: z.string() }))
      .min(1)
      .max(10)
      .optional()
      .openapi({ description: "One card per product shown (the product, a list's items, a cart's lines)." }),
    buttons: z.array(
      z
        .union([z.strictObject({ label: z.string(), postback: z.string() }), z.strictObject({ label: z.string(), url: z.string() })])
        .openapi({ description: "Runs an action (`postback`) or opens its page (`url`)." }, { unionPreferredType: "oneOf" }),
    ),
  })
  .openapi("GenericChatMessage", {
    description: "`format=generic` (the chat default): text, cards and buttons, within the strictest platform's limits.",
    example: BODY_EXAMPLES.generic,
  });

// ——— agent (MCP tool result) ———

const VIEW_KINDS = [
  "product",
  "product_list",
  "message",
  "cart",
  "order",
  "action_result",
] as const satisfies readonly EntityView["kind"][];

export const AgentToolResult = z
  .strictObject({
    content: z.array(
      z.strictObject({ type: z.literal("text"), text: z.string().openapi({ description: "CommonMark, every catalogue text escaped." }) }),
    ),
    structuredContent: z
      .looseObject({
        kind: z.enum(VIEW_KINDS),
        locale: z.string(),
        url: z.string(),
        facts: z.array(z.looseObject({ name: z.string(), value: z.string() })),
        actions: z.array(z.looseObject({ key: z.string(), label: z.string(), postback: z.string() })),
      })
      .openapi({ description: "The view itself (without the interface words), as the channel contract builds it." }),
  })
  .openapi("AgentToolResult", {
    description: "`format=mcp` (agent): an MCP tool result — one CommonMark text, and the view as structured content.",
    example: BODY_EXAMPLES.mcp,
  });

/**
 * The JSON body of each format that has one: its component's name and schema. `null`: the renderer
 * defines the format and publishes its JSON Schema itself (`Renderer.bodySchemas`).
 */
export const RENDER_BODIES = {
  screen: ["MobileScreen", null],
  generic: ["GenericChatMessage", GenericChatMessage],
  whatsapp: ["WhatsAppMessage", WhatsAppMessage],
  slack: ["SlackMessage", SlackMessage],
  telegram: ["TelegramMessage", TelegramMessage],
  messenger: ["MessengerMessage", MessengerMessage],
  mcp: ["AgentToolResult", AgentToolResult],
} as const satisfies Record<string, readonly [string, z.ZodType | null]>;

const ref = ([name]: readonly [string, unknown]) => ({ $ref: `#/components/schemas/${name}` });

/**
 * Every format's body as a named component, the renderer-defined ones from the registry the app
 * was given (src/ reaches renderers only through it; docs/architecture.md, "Layers").
 */
export function renderBodyComponents(registry: Record<string, Renderer>): [string, z.ZodType][] {
  return Object.entries(RENDER_BODIES).map(([format, [name, schema]]) => {
    if (schema) return [name, schema];
    const renderer = Object.values(registry).find((r) => r.formats.includes(format));
    const published = renderer?.bodySchemas?.[format];
    if (!published) throw new Error(`No renderer publishes the JSON Schema of format "${format}".`);
    const { $schema: _dialect, ...jsonSchema } = published as { $schema?: string; description?: string };
    const description = `\`format=${format}\` (${renderer.channel}): ${jsonSchema.description ?? ""}`.trim();
    return [name, z.looseObject({}).openapi(name, { ...jsonSchema, description })];
  });
}

/**
 * Every JSON body a render can answer, one shape per format: a `oneOf` of the formats' components
 * (written out, as a zod union would be flattened into its members' members).
 */
export const RenderBody = z.unknown().openapi("RenderBody", {
  oneOf: Object.values(RENDER_BODIES).map(ref),
  description:
    "The JSON body of a render, by format: `screen` → `MobileScreen`; chat `generic` → `GenericChatMessage`, `whatsapp` → `WhatsAppMessage`, `slack` → `SlackMessage`, `telegram` → `TelegramMessage`, `messenger` → `MessengerMessage`; agent `mcp` → `AgentToolResult`. The shapes exclude each other (the platforms' payloads share no tag), so exactly one matches.",
});

/** The render operation's examples: one per JSON format. */
export const RENDER_BODY_EXAMPLES = Object.fromEntries(
  Object.entries(BODY_EXAMPLES).map(([format, value]) => [format, { summary: `format=${format}`, value }]),
);
