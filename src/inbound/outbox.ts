/**
 * Replies sent after their webhook was answered. WhatsApp has no reply in
 * the webhook response: a bot answers with `POST {graph}/{phone-number-id}/messages`
 * and the access token. Slack button clicks are answered through the
 * interaction's `response_url`. Agents' replies to cases leave on the
 * customer's own channel: SMS (Twilio), WhatsApp, Telegram, Slack and
 * Messenger, each through its platform's sender (the registry's platforms, senders.ts). Each reply is queued in the same atomic write as
 * its timeline record ({@link queueReply}) and sent by the outbound tick
 * ({@link sendReplies}); retries back off 5 s, 30 s, 2 min, 10 min for a
 * timeout, 429 or 5xx; any other refusal is final. Runtime-neutral.
 */
import { eq } from "drizzle-orm";
import type { Platforms } from "../channels/platform";
import { afterFailure, claimDue, type Database, type Orm } from "../db/client";
import { replyOutbox } from "../db/schema";
import { newId } from "../lib/ids";
import { type OutboundChannel, outboundRequest, type SenderConfig } from "./senders";

/** Delays after the 1st … 4th failed attempt; the 5th failure is final. Replies are worth less the later they arrive. */
export const REPLY_RETRY_DELAYS_SECONDS = [5, 30, 120, 600];
const LEASE_SECONDS = 60;

export interface QueuedReply {
  /** The outbox entry's id (a new one by default). */
  id?: string;
  /** The platform's id for what is answered (message id, interaction): a redelivered webhook queues nothing twice. */
  key: string;
  channel: OutboundChannel;
  /** WhatsApp: the business phone number id; Slack: the response_url or `chat.postMessage`; Twilio: the sending number; others: the method. */
  target: string;
  payload: Record<string, unknown>;
  now: Date;
}

/** The outbox row for a reply, for the atomic write that records it (nothing when this key was queued before). */
export function queueReply(orm: Orm, reply: QueuedReply) {
  const at = reply.now.toISOString();
  return orm
    .insert(replyOutbox)
    .values({
      id: reply.id ?? newId("rpl"),
      key: `${reply.channel}:${reply.key}`,
      channel: reply.channel,
      target: reply.target,
      payload: JSON.stringify(reply.payload),
      status: "pending",
      attempts: 0,
      nextAttemptAt: at,
      createdAt: at,
    })
    .onConflictDoNothing();
}

export interface SendOptions {
  now: () => Date;
  config: SenderConfig;
  /** The platforms (the registry's `platforms`): each builds its own send request. */
  platforms: Platforms;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

type Row = { id: string; channel: OutboundChannel; target: string; payload: string; attempts: number };

/**
 * Sends the replies that are due. One tick; safe to run from several places at once.
 *
 * @example
 * await sendReplies(db, { now: () => new Date(), config, platforms });
 */
export async function sendReplies(db: Database, options: SendOptions): Promise<{ sent: number; retrying: number; failed: number }> {
  const report = { sent: 0, retrying: 0, failed: 0 };
  const claimed = await claimDue<Row>(db, "reply_outbox", options.now(), LEASE_SECONDS, 20);
  await Promise.all(
    claimed.map(async (row) => {
      const target = outboundRequest(row, options.config, options.platforms);
      let status: number | null = null;
      let error: string | null = null;
      let retry = true;
      if (typeof target === "string") {
        error = target;
        retry = false;
      } else {
        try {
          const res = await (options.fetch ?? fetch)(target.url, {
            method: "POST",
            redirect: "manual",
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
            headers: target.headers,
            body: target.body,
          });
          status = res.status;
          const text = await res.text().catch(() => "");
          const refusal = res.ok ? (options.platforms[row.channel].sender.refusalIn2xx?.(row, text) ?? null) : null;
          if (refusal) {
            error = refusal.error;
            retry = refusal.retry;
          } else if (res.ok) error = null;
          else {
            error = `The platform answered ${res.status}${text ? `: ${text.slice(0, 300)}` : ""}.`;
            retry = res.status === 408 || res.status === 429 || res.status >= 500;
          }
        } catch (e) {
          error = e instanceof Error && e.name === "TimeoutError" ? "No answer in time." : "The platform could not be reached.";
        }
      }
      const attempts = row.attempts + 1;
      const done = options.now();
      if (error === null) {
        report.sent++;
        await db.orm
          .update(replyOutbox)
          .set({
            status: "sent",
            attempts,
            nextAttemptAt: null,
            leaseUntil: null,
            lastStatus: status,
            lastError: null,
            sentAt: done.toISOString(),
          })
          .where(eq(replyOutbox.id, row.id));
        return;
      }
      const next = afterFailure(attempts, REPLY_RETRY_DELAYS_SECONDS, done, retry);
      if (next.status === "failed") report.failed++;
      else report.retrying++;
      await db.orm
        .update(replyOutbox)
        .set({
          ...next,
          attempts,
          leaseUntil: null,
          lastStatus: status,
          lastError: error,
        })
        .where(eq(replyOutbox.id, row.id));
    }),
  );
  return report;
}
