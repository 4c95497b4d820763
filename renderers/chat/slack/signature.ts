/**
 * Slack's request signature (docs/architecture.md, "Inbound signatures"): `X-Slack-Signature` =
 * `v0=` hex HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`), timestamps more than 5 minutes
 * from now refused. Web Crypto, constant-time.
 */
import { hmac, safeEqual, toHex } from "../../../src/channels/signing";

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
