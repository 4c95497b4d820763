/**
 * Twilio's signature (docs/architecture.md, "Inbound signatures"): `X-Twilio-Signature` =
 * base64(HMAC-SHA1(auth token, URL + each POST parameter name + value, sorted by name)). Like
 * `twilio.validateRequest`, the URL is tried as received with and without its default port, then
 * WHATWG-normalised, then with a legacy `querystring` re-encoding; and, since the URL we are given was
 * already parsed by the runtime, as it may have been before parsing. Web Crypto, constant-time.
 */
import { type FormParams, hmac, safeEqual, toBase64 } from "../../src/channels/signing";

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

/** Exactly what `twilio.validateRequest(authToken, header, url, params)` accepts. */
async function validates(authToken: string, header: string, url: string, params: FormParams): Promise<boolean> {
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

/** What WHATWG URL parsing percent-encodes in an http(s) query and an HTTP request line can carry raw. */
const ENCODED_BY_PARSING: Record<string, string> = { "%22": '"', "%27": "'", "%3C": "<", "%3E": ">" };

/**
 * The URL Twilio may have called, given the URL as a Fetch `Request` (Node and Workers alike) parsed it:
 * parsing percent-encodes `"`, `'`, `<` and `>` in the query (in upper case), and a bare `?` may be lost on
 * the way. A space, `#` or a non-ASCII character cannot arrive raw in a request line, so they are not undone.
 * A query mixing raw and escaped forms of one character is not recovered (2ⁿ candidates for n escapes).
 */
function beforeParsing(url: string): string[] {
  const start = url.indexOf("?");
  if (start === -1) return [`${url}?`];
  const query = url.slice(start + 1);
  const raw = query.replace(/%(?:22|27|3C|3E)/g, (encoded) => ENCODED_BY_PARSING[encoded] ?? encoded);
  return raw === query ? [] : [`${url.slice(0, start + 1)}${raw}`];
}

/**
 * Accepts what `twilio.validateRequest(authToken, signature, urlTwilioCalled, params)` accepts, given the
 * URL as the runtime parsed it: the URL itself first, then — only when that fails — the URL as Twilio may
 * have called it before parsing ({@link beforeParsing}), as received with and without its port (its
 * normalised forms are the URL's own, tried already). Each candidate still needs the auth token.
 *
 * @example
 * await verifyTwilio(env.TWILIO_AUTH_TOKEN, c.req.header("x-twilio-signature"), publicUrl, parseForm(await c.req.text()))
 */
export async function verifyTwilio(authToken: string, signature: string | undefined, url: string, params: FormParams): Promise<boolean> {
  const header = signature ?? "";
  if (await validates(authToken, header, url, params)) return true;
  for (const called of beforeParsing(url))
    for (const candidate of [removePort(called), addPort(called)])
      if (safeEqual(header, await twilioSignature(authToken, candidate, params))) return true;
  return false;
}
