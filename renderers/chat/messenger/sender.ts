/**
 * Sending on Messenger (docs/channels.md, "Messenger"): the Send API, `POST {MESSENGER_GRAPH_URL}/me/messages`
 * with the Page token as Bearer, JSON. A reply after the 24-hour window carries the HUMAN_AGENT tag.
 */
import { baseUrlOf, jsonHeaders, type Sender } from "../../../src/channels/platform";

export const messengerSender: Sender = {
  agentTarget: "me/messages",
  missingConfig: (config) => (config.MESSENGER_PAGE_ACCESS_TOKEN ? null : "MESSENGER_PAGE_ACCESS_TOKEN"),
  request: (entry, config) => ({
    url: `${baseUrlOf(config.MESSENGER_GRAPH_URL)}/me/messages`,
    headers: jsonHeaders(config.MESSENGER_PAGE_ACCESS_TOKEN),
    body: entry.payload,
  }),
  agentMessage: (to, text, extra = {}) =>
    extra.tag
      ? { recipient: { id: to }, messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT", message: { text } }
      : { recipient: { id: to }, messaging_type: "RESPONSE", message: { text } },
  describeAgentMessage: (p) => ({
    to: String((p.recipient as { id?: string } | undefined)?.id),
    text: String((p.message as { text?: string } | undefined)?.text),
  }),
};
