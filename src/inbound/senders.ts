/**
 * Outbound senders, through the registry (docs/architecture.md, "Platforms"): each platform's sender
 * (`renderers/<platform>/sender.ts`) builds the exact HTTP request its platform documents; this
 * refuses what cannot be sent for want of configuration. Tokens never appear in an error text.
 */
import { type OutboundRequest, PLATFORMS, type PlatformConfig, type PlatformId, type Platforms } from "../channels/platform";

export const OUTBOUND_CHANNELS = PLATFORMS;
export type OutboundChannel = PlatformId;
export type SenderConfig = PlatformConfig;

/**
 * The HTTP request that sends one outbox row, or why it cannot be sent (a final failure).
 *
 * @example
 * outboundRequest({ channel: "telegram", target: "sendMessage", payload: '{"chat_id":1,"text":"Hi"}' }, config, platforms)
 */
export function outboundRequest(
  row: { channel: OutboundChannel; target: string; payload: string },
  config: SenderConfig,
  platforms: Platforms,
): OutboundRequest | string {
  const { sender } = platforms[row.channel];
  const missing = sender.missingConfig(config, row.target);
  if (missing) return `${missing} ${missing.includes(" and ") ? "are" : "is"} not set.`;
  return sender.request(row, config);
}
