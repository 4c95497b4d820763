/**
 * Authenticity of inbound webhooks (docs/architecture.md, "Inbound signatures"), with Web Crypto so it runs
 * on Node and Workers alike. Each verifier mirrors the platform's own reference:
 *
 * - Twilio: `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, URL + each POST
 *   parameter name + value, sorted by name)). Like `twilio.validateRequest`, the
 *   URL is tried as received with and without its default port, then
 *   WHATWG-normalised, then with a legacy `querystring` re-encoding.
 * - Slack: `X-Slack-Signature` = `v0=` hex HMAC-SHA256(signing secret,
 *   `v0:{timestamp}:{raw body}`), timestamps older than 5 minutes refused.
 * - Meta (WhatsApp, Messenger): `X-Hub-Signature-256` = `sha256=` hex
 *   HMAC-SHA256(app secret, raw body).
 * - Telegram: `X-Telegram-Bot-Api-Secret-Token` equals the configured secret.
 *
 * Comparisons are constant-time.
 */

const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string, hash: "SHA-1" | "SHA-256"): Promise<CryptoKey> {
  const id = `${hash}:${secret}`;
  let key = keyCache.get(id);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash }, false, ["sign"]);
    if (keyCache.size > 100) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}

async function hmac(secret: string, hash: "SHA-1" | "SHA-256", data: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret, hash), encoder.encode(data)));
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Constant-time string comparison (length differences still return early, as every reference implementation does). */
export function safeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= (x[i] as number) ^ (y[i] as number);
  return diff === 0;
}

// --- Twilio ----------------------------------------------------------------

/** Form parameters as Twilio signs them: repeated names keep every value. */
export type FormParams = Record<string, string | string[]>;

export function parseForm(body: string): FormParams {
  const out: FormParams = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else out[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function splitUrl(url: string) {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return null;
  const [prefix, scheme = "", authority = ""] = match;
  const userEnd = authority.lastIndexOf("@");
  const hostAndPort = authority.slice(userEnd + 1);
  const portStart = hostAndPort.indexOf(":", hostAndPort.lastIndexOf("]") + 1);
  return {
    scheme,
    user: authority.slice(0, userEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? "" : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

function addPort(url: string): string {
  const p = splitUrl(url);
  if (!p || p.port) return url;
  return `${p.scheme}${p.user}${p.host}${p.scheme.toLowerCase() === "https://" ? ":443" : ":80"}${p.rest}`;
}

function removePort(url: string): string {
  const p = splitUrl(url);
  return p ? `${p.scheme}${p.user}${p.host}${p.rest}` : url;
}

/** Node's legacy `querystring.escape`: encodeURIComponent plus the sub-delims it leaves alone. */
function legacyEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The query re-encoded as Node's legacy `querystring.stringify(parse(q))` would. */
function withLegacyQuery(url: string): string {
  const start = url.indexOf("?");
  if (start === -1 || start === url.length - 1) return url;
  const pairs: string[] = [];
  const grouped = new Map<string, string[]>();
  for (const part of url.slice(start + 1).split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replaceAll("+", " "));
      } catch {
        return s;
      }
    };
    const name = decode(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? "" : decode(part.slice(eq + 1));
    grouped.set(name, [...(grouped.get(name) ?? []), value]);
  }
  for (const [name, values] of grouped) for (const v of values) pairs.push(`${legacyEscape(name)}=${legacyEscape(v)}`);
  return `${url.slice(0, start)}?${pairs.join("&")}`;
}

function signedData(url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name] as string | string[];
    if (Array.isArray(value)) for (const v of [...new Set(value)].sort()) data += name + v;
    else data += name + value;
  }
  return data;
}

/** The signature Twilio would send for this URL and these parameters. */
export async function twilioSignature(authToken: string, url: string, params: FormParams): Promise<string> {
  return toBase64(await hmac(authToken, "SHA-1", signedData(url, params)));
}

/**
 * Accepts exactly what `twilio.validateRequest(authToken, signature, url, params)` accepts.
 *
 * @example
 * await verifyTwilio(env.TWILIO_AUTH_TOKEN, c.req.header("x-twilio-signature"), publicUrl, parseForm(await c.req.text()))
 */
export async function verifyTwilio(authToken: string, signature: string | undefined, url: string, params: FormParams): Promise<boolean> {
  const header = signature ?? "";
  const tryUrl = async (candidate: string) => safeEqual(header, await twilioSignature(authToken, candidate, params));
  for (const candidate of [removePort(url), addPort(url)]) if (await tryUrl(candidate)) return true;
  let normalized: string;
  try {
    normalized = new URL(url).toString();
  } catch {
    return false;
  }
  const without = removePort(normalized);
  const withPort = addPort(normalized);
  for (const candidate of [without, withPort, withLegacyQuery(without), withLegacyQuery(withPort)])
    if (await tryUrl(candidate)) return true;
  return false;
}

// --- Slack -----------------------------------------------------------------

export const SLACK_MAX_AGE_SECONDS = 5 * 60;

export async function slackSignature(signingSecret: string, timestamp: string, rawBody: string): Promise<string> {
  return `v0=${toHex(await hmac(signingSecret, "SHA-256", `v0:${timestamp}:${rawBody}`))}`;
}

/** Verifies a Slack request; `stale` when the timestamp is more than 5 minutes from now (replay protection). */
export async function verifySlack(
  signingSecret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  rawBody: string,
  nowSeconds: number,
): Promise<"ok" | "stale" | "invalid"> {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) return "invalid";
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_MAX_AGE_SECONDS) return "stale";
  return safeEqual(signature, await slackSignature(signingSecret, timestamp, rawBody)) ? "ok" : "invalid";
}

// --- Meta (WhatsApp Cloud API, Messenger) ------------------------------------

export async function metaSignature(appSecret: string, rawBody: string): Promise<string> {
  return `sha256=${toHex(await hmac(appSecret, "SHA-256", rawBody))}`;
}

export async function verifyMeta(appSecret: string, signature: string | undefined, rawBody: string): Promise<boolean> {
  return !!signature && safeEqual(signature, await metaSignature(appSecret, rawBody));
}

// --- Telegram ----------------------------------------------------------------

export function verifyTelegram(secretToken: string, header: string | undefined): boolean {
  return !!header && safeEqual(header, secretToken);
}
