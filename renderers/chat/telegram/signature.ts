/**
 * Telegram's webhook authentication (docs/architecture.md, "Inbound signatures"): `setWebhook` with a
 * `secret_token`, which Telegram sends in `X-Telegram-Bot-Api-Secret-Token`. Constant-time.
 */
import { safeEqual } from "../../../src/channels/signing";

export function verifyTelegram(secretToken: string, header: string | undefined): boolean {
  return !!header && safeEqual(header, secretToken);
}
