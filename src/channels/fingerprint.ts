/**
 * A fingerprint of exact bytes (part of the channel contract, so renderers name what they produce
 * — the storefront's stylesheet — the way the core tags its responses): two independent 32-bit
 * FNV-1a lanes plus the length (~2^-64 collision odds per change), synchronous — Web Crypto's
 * digest is async and was a third of a delivery request's time. Not cryptographic: a validator
 * only needs a value that changes with the bytes. Pure and runtime-neutral.
 *
 * @example
 * strongEtag('{"a":1}') // a quoted strong ETag, the same for the same bytes
 */
export function strongEtag(body: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ body.length;
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return `"${(a >>> 0).toString(36)}${(b >>> 0).toString(36)}-${body.length.toString(36)}"`;
}
