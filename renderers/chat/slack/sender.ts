/**
 * Sending on Slack (docs/channels.md, "Slack"): a button reply to the interaction's `response_url`
 * (JSON, no token), or an agent's message through `POST {SLACK_API_URL}/chat.postMessage` with the bot
 * token (`channel` = the user id: the app's DM). The Web API answers most failures with
 * `200 {"ok": false}`, read by {@link slackSender.refusalIn2xx}.
 */
import { baseUrlOf, escapeAngles, jsonHeaders, type Sender } from "../../../src/channels/platform";

/** The outbox target of an agent's Slack message (other Slack entries hold a `response_url`). */
export const SLACK_POST_MESSAGE = "chat.postMessage";

/** Slack Web API errors worth another try. */
const SLACK_TRANSIENT = new Set(["ratelimited", "request_timeout", "service_unavailable", "internal_error", "fatal_error"]);

export const slackSender: Sender = {
  agentTarget: SLACK_POST_MESSAGE,
  missingConfig: (config, target) =>
    target !== undefined && target !== SLACK_POST_MESSAGE ? null : config.SLACK_BOT_TOKEN ? null : "SLACK_BOT_TOKEN",
  request(entry, config) {
    if (entry.target !== SLACK_POST_MESSAGE) return { url: entry.target, headers: jsonHeaders(), body: entry.payload };
    // Slack's Web API wants the charset named on JSON bodies.
    return {
      url: `${baseUrlOf(config.SLACK_API_URL)}/chat.postMessage`,
      headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${config.SLACK_BOT_TOKEN}` },
      body: entry.payload,
    };
  },
  refusalIn2xx(entry, text) {
    if (entry.target !== SLACK_POST_MESSAGE) return null;
    let body: { ok?: unknown; error?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return { error: "Slack answered something other than JSON.", retry: true };
    }
    if (body.ok === true) return null;
    const code = typeof body.error === "string" ? body.error.slice(0, 100) : "unknown";
    return { error: `Slack refused the message: ${code}.`, retry: SLACK_TRANSIENT.has(code) };
  },
  // mrkdwn: &, < and > are the three characters Slack wants escaped.
  agentMessage: (to, text) => ({ channel: to, text: escapeAngles(text) }),
  describeAgentMessage: (p, fallbackText) => ({
    to: String(p.channel),
    text: String(p.text ?? fallbackText).replace(/&(lt|gt|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", amp: "&" })[e] as string),
  }),
};
