/**
 * Meta's webhook signature, for the WhatsApp Cloud API (and Messenger, which signs the same way;
 * docs/architecture.md, "Inbound signatures"): `X-Hub-Signature-256` = `sha256=` hex
 * HMAC-SHA256(app secret, raw body). Web Crypto, constant-time.
 */
import { hmac, safeEqual, toHex } from "../../../src/channels/signing";

export async function metaSignature(appSecret: string, rawBody: string): Promise<string> {
  return `sha256=${toHex(await hmac(appSecret, "SHA-256", rawBody))}`;
}

export async function verifyMeta(appSecret: string, signature: string | undefined, rawBody: string): Promise<boolean> {
  return !!signature && safeEqual(signature, await metaSignature(appSecret, rawBody));
}
