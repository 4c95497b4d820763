/**
 * Where outbound traffic may go: the one classification of hosts and addresses
 * used at webhook registration, before each send and (on Node) at connect time.
 * Addresses are parsed and classified with `ipaddr.js` against the IANA
 * special-purpose registries; IPv4 embedded in IPv6 (mapped, translated, NAT64,
 * 6to4) is unwrapped first. Only global unicast is public. Runtime-neutral.
 */
import ipaddr from "ipaddr.js";

/** IPv6 prefixes IANA lists as special-purpose that `ipaddr.js` reports as plain unicast. */
const EXTRA_V6: [ipaddr.IPv6, number][] = [
  ["::", 96], // IPv4-compatible (deprecated): ::127.0.0.1
  ["64:ff9b:1::", 48], // local-use IPv4/IPv6 translation
  ["fec0::", 10], // site-local (deprecated)
  ["5f00::", 16], // SRv6 SIDs
].map(([prefix, bits]) => [ipaddr.IPv6.parse(prefix as string), bits as number]);

/** Public IPv6 lives in 2000::/3 (global unicast); everything else is reserved, local or special. */
const GLOBAL_V6 = ipaddr.IPv6.parseCIDR("2000::/3");

/** The IPv4 address an IPv6 address carries (mapped, RFC 6145 translated, RFC 6052 NAT64, 6to4), if any. */
function embeddedIpv4(v6: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = v6.range();
  const bytes = v6.toByteArray();
  if (range === "ipv4Mapped" || range === "rfc6145" || range === "rfc6052") return new ipaddr.IPv4(bytes.slice(12, 16));
  if (range === "6to4") return new ipaddr.IPv4(bytes.slice(2, 6));
  return null;
}

function publicV4(v4: ipaddr.IPv4): boolean {
  return v4.range() === "unicast";
}

/** Whether an IP address (v4 or v6, zone id allowed) is on the public internet. Anything that does not parse is not. */
export function isPublicAddress(address: string): boolean {
  const text = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (!ipaddr.isValid(text)) return false;
  const parsed = ipaddr.parse(text);
  if (parsed.kind() === "ipv4") return publicV4(parsed as ipaddr.IPv4);
  const v6 = parsed as ipaddr.IPv6;
  const inner = embeddedIpv4(v6);
  if (inner) return publicV4(inner);
  if (v6.range() !== "unicast" || !v6.match(GLOBAL_V6)) return false;
  return !EXTRA_V6.some(([prefix, bits]) => v6.match(prefix, bits));
}

/** Suffixes that never name a public host (RFC 6761, 6762, 8375, 9476 and common private zones). */
const PRIVATE_SUFFIXES = [".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".arpa", ".invalid", ".onion", ".alt"];

/**
 * Why this host (a URL's hostname, lower-cased, IPv6 without brackets) is not a
 * public destination, or null when it may be one (a name still has to resolve
 * to public addresses). IP literals must be public and written in the usual
 * form; names must be multi-label DNS names outside the private zones, without
 * a trailing dot.
 */
export function hostProblem(host: string): string | null {
  const name = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (name.includes(":")) return isPublicAddress(name) ? null : `${host} is not a public address.`;
  if (/^[0-9a-fx.]+$/.test(name) && ipaddr.IPv4.isValid(name)) {
    return ipaddr.IPv4.isValidFourPartDecimal(name) && isPublicAddress(name) ? null : `${host} is not a public address.`;
  }
  const labels = name.split(".");
  if (
    name === "localhost" ||
    name.endsWith(".") ||
    labels.length < 2 ||
    labels.some((l) => l === "") ||
    /^\d+$/.test(labels.at(-1)!) ||
    PRIVATE_SUFFIXES.some((s) => `.${name}`.endsWith(s))
  ) {
    return `${host} is not a public host name.`;
  }
  return null;
}
