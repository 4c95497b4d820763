/**
 * The platform contract (docs/architecture.md, "Platforms"). A messaging platform — WhatsApp, Slack,
 * Telegram, Messenger, SMS through Twilio — is one folder under `renderers/` holding everything that
 * speaks its protocol: the renderer format, the inbound webhook (its documentation, signature check
 * and parsing), and the outbound sender. Each exports one {@link Platform}; the registry
 * (`renderers/index.ts`, `platforms`) lists them, and the core reaches them only through the registry
 * it is given (`AppDeps.platforms`, `c.get("platforms")`).
 *
 * The core keeps the orchestration: the routes (`src/routes/inbound/`), the idempotency of a
 * redelivered message, the timeline, the reply outbox and its tick (`src/inbound/`). A platform reads
 * and writes its protocol and nothing else: it depends on this contract and Web APIs only
 * (`crypto.subtle`, `fetch`'s types), so it runs on Workers.
 */
import type { RouteConfig } from "@hono/zod-openapi";
import type { z } from "zod";
import type { Config } from "../env";

/** Every platform, in the order the timeline and the agents' replies list them. */
export const PLATFORMS = ["whatsapp", "slack", "sms", "telegram", "messenger"] as const;
export type PlatformId = (typeof PLATFORMS)[number];

/** What a platform may read from the configuration: its secrets, tokens and API base URLs. */
export type PlatformConfig = Readonly<Config>;

// --- Outbound ------------------------------------------------------------------------------------

/** One queued message as the outbox holds it: where it goes (platform-specific) and its JSON payload. */
export interface OutboxEntry {
  target: string;
  payload: string;
}

/** The exact HTTP request the platform documents for sending a message. */
export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** How a platform sends a message after its webhook was answered (the outbox tick, an agent's reply). */
export interface Sender {
  /** What must be configured before this entry (or, without a target, anything) can be sent; null: nothing is missing. */
  missingConfig(config: PlatformConfig, target?: string): string | null;
  /** The HTTP request that sends one outbox entry (called only when nothing is missing). */
  request(entry: OutboxEntry, config: PlatformConfig): OutboundRequest;
  /** A refusal hidden in a 2xx answer (Slack's `200 {"ok": false}`): the error and whether to retry; null for a success. */
  refusalIn2xx?(entry: OutboxEntry, text: string): { error: string; retry: boolean } | null;
  /** An agent's message as the platform's send call takes it (`from`: the sending number; `tag`: outside the normal window). */
  agentMessage(to: string, text: string, extra?: { from?: string | undefined; tag?: boolean }): Record<string, unknown>;
  /** Who an agent's message went to and what it said, read back from its queued payload. */
  describeAgentMessage(payload: Record<string, unknown>, fallbackText: string): { to: string; text: string };
  /** The outbox target of an agent's message when it is always the same (a method name); absent where it depends on the customer. */
  agentTarget?: string;
}

// --- Inbound -------------------------------------------------------------------------------------

/** Why a webhook request is refused: answered as problem+json with this code (src/lib/errors.ts). */
export class WebhookRefusal extends Error {
  constructor(
    readonly code: "forbidden" | "service_unavailable" | "validation_failed" | "malformed_json",
    message: string,
  ) {
    super(message);
  }
}

/** A webhook request as a platform reads it: the raw bytes it signs, and what the core lends it. */
export interface WebhookRequest {
  /** The raw body, exactly as signed. */
  body: string;
  header(name: string): string | undefined;
  /** The query parameters (a subscription handshake's). */
  query: Record<string, string>;
  /** The public URL the platform called (`PUBLIC_BASE_URL` + path + query): what Twilio signs. */
  url: string;
  now: Date;
  config: PlatformConfig;
  /** JSON text after the depth bound; refuses `json_too_deep`, or `malformed_json` as "`what` is not valid JSON.". */
  json(text: string, what?: string): unknown;
  /** Whether replies may be posted to this URL's host because the operator allows it (`WEBHOOK_ALLOW_HOSTS`). */
  allowsHost(url: URL): boolean;
}

/** A webhook operation's documentation (the core adds the tag, `security: []` and the problem responses). */
export type WebhookDoc = Pick<RouteConfig, "method" | "path" | "operationId" | "summary" | "description" | "request" | "responses"> & {
  /** The problem+json statuses it answers. */
  errors: number[];
};

/** One message a chat webhook carried: who sent it, its platform id, and what they typed or pressed. */
export interface ChatEvent {
  /** The sender on the platform (the identity's external id). */
  user: string;
  /** The platform's id of the message: processed once (the action's idempotency key). */
  messageId: string;
  /** What the timeline records as the inbound message. */
  summary: string;
  /** Typed text (read as keywords) or a pressed button's postback (`a:<action>[:<argument>]`). */
  input: { text: string } | { postback: string };
}

/** The answer to one message: its plain text, and the platform payload the chat renderer drew when an action ran. */
export interface ChatReply {
  text: string;
  payload: Record<string, unknown> | null;
}

/** How one reply leaves when it does not leave in the webhook's response. */
export interface ChatAnswer {
  /** The message as sent, recorded on the customer's timeline (direction `outbound`); absent: nothing is recorded. */
  record?: Record<string, unknown>;
  /** Queue `record` for the outbound tick, in the same write: the outbox key (a redelivery queues nothing twice) and target. */
  queue?: { key: string; target: string };
}

/** A chat platform's webhook: verify, read the messages, and say how each reply leaves. */
export interface ChatWebhook<E extends ChatEvent = ChatEvent> {
  doc: WebhookDoc;
  /** Why the webhook cannot be served on this server (answered 503), or null when it is configured. */
  unconfigured(config: PlatformConfig): string | null;
  /** Throws a {@link WebhookRefusal} (`forbidden`) unless the request is the platform's own. */
  verify(request: WebhookRequest): Promise<void> | void;
  /** The messages in a verified request, or the answer when it carries none to handle (a challenge, an edit). */
  read(request: WebhookRequest): { events: E[] } | { answer: unknown };
  /** Where one reply goes besides the response. */
  answer(event: E, reply: ChatReply, request: WebhookRequest): ChatAnswer;
  /** The webhook's JSON response once every message was handled. */
  respond(handled: { event: E; reply: ChatReply }[], request: WebhookRequest): unknown;
  /** A GET subscription handshake (Meta's `hub.challenge`), answered as plain text. */
  handshake?: { doc: WebhookDoc; answer(request: WebhookRequest): string };
}

/** One inbound text message (SMS), read from a verified webhook. */
export interface SmsMessage {
  messageId: string;
  /** The customer's number (E.164). */
  from: string;
  /** The store's number they texted: agents' replies are sent from it. */
  to: string;
  text: string;
}

/** The SMS webhook: the route keeps consent, HELP and the segment budget; the platform reads and writes its protocol. */
export interface SmsWebhook {
  doc: WebhookDoc;
  unconfigured(config: PlatformConfig): string | null;
  verify(request: WebhookRequest): Promise<void>;
  /** The message in a verified request, or the failing fields of its form. */
  read(request: WebhookRequest): { message: SmsMessage } | { issues: z.core.$ZodIssue[] };
  /** The webhook's response carrying one message, or none (`null`: nothing is sent). */
  reply(text: string | null): { body: string; contentType: string };
  /** The answer to HELP (carrier rules: brand, support, rates, how to stop). */
  helpText(brand: string, support: string): string;
}

interface PlatformBase {
  id: PlatformId;
  /** The platform's name as customers and staff read it. */
  name: string;
  sender: Sender;
}

/** A chat platform: its replies are drawn by the chat renderer in `format`. */
export interface ChatPlatform extends PlatformBase {
  channel: "chat";
  format: string;
  /** Absent while the platform only sends (Messenger: agents' replies). */
  webhook?: ChatWebhook;
}

/** SMS: its replies are drawn by the SMS renderer. */
export interface SmsPlatform extends PlatformBase {
  channel: "sms";
  webhook: SmsWebhook;
}

export type Platform = ChatPlatform | SmsPlatform;

/** The registry of platforms (`renderers/index.ts`): one per id. */
export type Platforms = { [K in Exclude<PlatformId, "sms">]: ChatPlatform } & { sms: SmsPlatform };

// --- Helpers every sender shares ---------------------------------------------------------------

/** A configured base URL without its trailing slashes. */
export const baseUrlOf = (url: string) => url.replace(/\/+$/, "");

/** JSON request headers, with a Bearer token when there is one. */
export const jsonHeaders = (token?: string): Record<string, string> => ({
  "content-type": "application/json",
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});

/** `&`, `<` and `>` as entities: what Telegram's HTML and Slack's mrkdwn need escaped in plain text. */
export const escapeAngles = (text: string) => text.replace(/[&<>]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[ch] as string);
