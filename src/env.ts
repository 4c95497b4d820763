/**
 * Configuration, parsed once by zod. The only reader of `process.env` (via
 * `src/node.ts`) or Worker bindings (via `src/worker.ts`): both hand their
 * string map to {@link parseConfig}.
 */
import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => v === "true" || v === "1" || v === "yes");

/** A comma-separated list. */
const list = z
  .string()
  .default("")
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** A memory budget in bytes (0 turns its cache off), up to 16 GiB. */
const memoryBudget = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 34)
    .default(fallback);

/** A base URL as links are made from it: `${base}/products/x`, so without the slashes it may end with. */
export function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

export const ConfigSchema = z.object({
  /**
   * Public https origin the web channel is served from; links in every channel point here. A trailing slash is
   * dropped (`https://shop.example/` and `https://shop.example` make the same links, never `//products`).
   */
  PUBLIC_BASE_URL: z.string().url().default("http://127.0.0.1:8787").transform(withoutTrailingSlash),
  /** When true, delivery GETs need a key with `catalog:read`. */
  DELIVERY_REQUIRES_KEY: bool.default(false),
  /** Cap on request bodies, in bytes (the import endpoint has its own, larger cap). */
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50_000_000)
    .default(256 * 1024),
  IMPORT_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100_000_000)
    .default(20 * 1024 * 1024),
  /** Shared CDN cache lifetime for public delivery responses, in seconds. */
  DELIVERY_MAX_AGE: z.coerce.number().int().min(0).max(86_400).default(60),
  /**
   * Public delivery answers kept in memory until the database changes (products, actions, locales); 0 turns it off.
   * Within RESPONSE_CACHE_BYTES whatever the count (src/lib/response-cache.ts): the default lets the bytes bind, so a 1,000-product
   * store's JSON, web and SMS answers (3,000 entries, about 6 MB) all stay. At 2,048 the three evicted each other in
   * turn: in rounds cycling the three paths, as `npm run bench:paired` does, renders cost 170 µs of server CPU with a
   * p99 of 26 ms, against 100 µs and 6 ms at 4,096.
   */
  RESPONSE_CACHE_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(8192),
  /**
   * What the response cache's answers may weigh together, bodies and bookkeeping, in bytes; 0 turns it off. The default
   * (8 MiB) keeps the process under 150 MB whatever the catalogue. A large catalogue read evenly is answered from memory
   * only as far as its answers fit: about 2 kB each, so 100,000 products' JSON in one locale need about 200 MB (and as
   * many `RESPONSE_CACHE_ENTRIES`).
   */
  RESPONSE_CACHE_BYTES: memoryBudget(8 * 1024 * 1024),
  /**
   * What the storefront's remembered pages (home, category, product and message pages, as UTF-8) may weigh together,
   * in bytes; 0 turns it off. 6 MiB holds a 1,000-product store's product pages; a product page is about 10 kB.
   */
  PAGE_CACHE_BYTES: memoryBudget(6 * 1024 * 1024),
  /**
   * What the read memo may weigh together, in bytes; 0 turns it off. It remembers, until the database changes, what
   * the response cache does not keep: keyed reads (a chat bot's, an SMS gateway's), product JSON and renders with the
   * cache off, the locales, the counts a list page shows (src/db/client.ts `memoized`). 6 MiB holds a 1,000-product
   * store's JSON, web and SMS renders in one locale (4.9 MB).
   */
  READ_MEMO_BYTES: memoryBudget(6 * 1024 * 1024),
  LOG_REQUESTS: bool.default(true),
  /** Twilio's auth token: inbound SMS (POST /v1/inbound/sms) is verified with it; without it SMS is off (503). */
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  /** Twilio's account SID: with TWILIO_AUTH_TOKEN, agents' SMS replies are sent through the Messages API. */
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/)
    .optional(),
  /** Who agents' SMS replies come from when the customer never texted a number here: an E.164 number or a Messaging Service SID (MG…). */
  TWILIO_FROM: z
    .string()
    .regex(/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/)
    .optional(),
  /** The Twilio REST API base (`{base}/2010-04-01/Accounts/{sid}/Messages.json`). */
  TWILIO_API_URL: z.string().url().default("https://api.twilio.com"),
  /** Telegram: the bot token agents' replies are sent with (`sendMessage`), and the Bot API base. */
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/)
    .optional(),
  TELEGRAM_API_URL: z.string().url().default("https://api.telegram.org"),
  /** Slack: the bot token (xoxb-…) agents' replies are posted with (`chat.postMessage`), and the Web API base. */
  SLACK_BOT_TOKEN: z.string().min(8).optional(),
  SLACK_API_URL: z.string().url().default("https://slack.com/api"),
  /** Messenger: the Page access token agents' replies are sent with (Send API), and the Graph API base. */
  MESSENGER_PAGE_ACCESS_TOKEN: z.string().min(8).optional(),
  MESSENGER_GRAPH_URL: z.string().url().default("https://graph.facebook.com/v21.0"),
  /** Who the SMS HELP answer names, and how to reach support. */
  SMS_BRAND: z.string().min(1).max(40).default("Fjord & Pine"),
  SMS_SUPPORT: z.string().min(1).max(60).default("support@fjordandpine.example"),
  /** Telegram: the secret token set with setWebhook; requests without it are refused. */
  TELEGRAM_SECRET_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/)
    .optional(),
  /** Slack: the app's signing secret (X-Slack-Signature, v0). */
  SLACK_SIGNING_SECRET: z.string().min(8).optional(),
  /** WhatsApp Cloud API: the app secret (X-Hub-Signature-256) and the webhook verify token. */
  WHATSAPP_APP_SECRET: z.string().min(8).optional(),
  WHATSAPP_VERIFY_TOKEN: z.string().min(8).optional(),
  /** WhatsApp Cloud API: the access token replies are sent with; without it replies are only recorded on the timeline. */
  WHATSAPP_ACCESS_TOKEN: z.string().min(8).optional(),
  /** The Graph API base replies are posted to (`{base}/{phone-number-id}/messages`). */
  WHATSAPP_GRAPH_URL: z.string().url().default("https://graph.facebook.com/v21.0"),
  /** iOS apps (TEAMID.bundle.id, comma-separated) that open the store's links (apple-app-site-association). */
  APPLE_APP_IDS: list,
  /** The Android app that opens the store's links (assetlinks.json), and its signing certificate fingerprints. */
  ANDROID_PACKAGE: z
    .string()
    .regex(/^[a-zA-Z][\w.]*$/)
    .optional(),
  ANDROID_CERT_SHA256: list,
  /**
   * Hosts outbound webhooks may reach over plain http or on a private, loopback or link-local address
   * (e.g. `127.0.0.1,localhost` for a receiver on this machine). Everything else must be https to a public address.
   */
  WEBHOOK_ALLOW_HOSTS: list,
  /** How often the Node server sends due webhooks, in milliseconds (Workers: the cron trigger); 0 turns sending off. */
  WEBHOOK_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(1000),
  /**
   * Payments for ACP checkout sessions (POST /checkout_sessions/{id}/complete). `off` (the default): completion is
   * refused (503). `test`: the test provider only, which moves no money (tokens `unison_test_success`, `unison_test_declined`).
   */
  PAYMENTS_MODE: z.enum(["off", "test"]).default("off"),
  /** Requests per minute per API key (or per client address without a key); 0 turns limiting off. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(1200),
});

export type Config = z.infer<typeof ConfigSchema>;

/**
 * @example
 * const config = parseConfig(process.env);
 */
export function parseConfig(source: Record<string, unknown>): Config {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const value = source[key];
    if (typeof value === "string" && value !== "") picked[key] = value;
  }
  const parsed = ConfigSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  return parsed.data;
}
