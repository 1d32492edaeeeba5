import type { Env } from "../env";
import type { EmailTemplate } from "./outbox";
import { EmailSendError, fromAddress, senderFor, type Sender } from "./sender";
import { renderEmail, TEMPLATES, type TemplateData } from "./templates";
import { settings } from "../lib/settings";

/** A claimed row is hidden from other flushes this long, so the cron and a request never send it twice. */
const LEASE_MS = 60_000;
const BASE_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 6 * 3_600_000;
const BATCH = 25;
/** Sent rows are kept this long (their links are removed when sent: see deliverDue). */
const KEEP_SENT_MS = 7 * 86_400_000;

/** 30 s, 1 min, 2 min, … capped at 6 h. A message is never dropped: it keeps being retried. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
}

interface Row { id: string; to_address: string; template: string; data: string; attempts: number }

export interface DeliverResult { sent: number; failed: number }

/**
 * Sends every due message of the outbox (after a request via waitUntil, and on the cron).
 * Rows are claimed first with one UPDATE … RETURNING that pushes next_attempt_at past a lease,
 * so concurrent flushes split the work instead of sending twice. Success sets sent_at; failure
 * counts the attempt, schedules the next with exponential backoff and keeps a short error code.
 */
export async function deliverDue(env: Env, opts: { sender?: Sender; now?: number; limit?: number } = {}): Promise<DeliverResult> {
  const now = opts.now ?? Date.now();
  const send = opts.sender ?? senderFor(env);
  const { results: rows } = await env.DB.prepare(
    `UPDATE email_outbox SET next_attempt_at = ?1 WHERE id IN (
       SELECT id FROM email_outbox WHERE sent_at IS NULL AND next_attempt_at <= ?2 ORDER BY next_attempt_at LIMIT ?3
     ) RETURNING id, to_address, template, data, attempts`,
  ).bind(now + LEASE_MS, now, opts.limit ?? BATCH).all<Row>();
  const result: DeliverResult = { sent: 0, failed: 0 };
  for (const row of rows) {
    try {
      if (!TEMPLATES.includes(row.template as EmailTemplate)) throw new EmailSendError("unknown_template");
      const data = JSON.parse(row.data) as TemplateData;
      const mail = renderEmail(row.template as EmailTemplate, data, settings(env).APP_ORIGIN?.replace(/\/+$/, "") || null);
      await send({ from: fromAddress(env), to: row.to_address, ...mail });
      // Sent: the link (the only secret a row holds: a single-use token) is dropped, so the kept row
      // cannot be used to take over an account from a database copy, backup or admin query.
      await env.DB.prepare("UPDATE email_outbox SET sent_at = ?, last_error = NULL, data = json_remove(data, '$.link') WHERE id = ?").bind(Date.now(), row.id).run();
      result.sent++;
    } catch (err) {
      const code = err instanceof EmailSendError ? err.code : err instanceof SyntaxError ? "bad_data" : "send_failed";
      const attempts = row.attempts + 1;
      await env.DB.prepare("UPDATE email_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?")
        .bind(attempts, now + backoffMs(attempts), code, row.id).run();
      result.failed++;
    }
  }
  return result;
}

/** The cron job: flush what is due, then drop sent rows past their keep period. */
export async function emailOutboxJob(env: Env, now: number): Promise<DeliverResult> {
  const result = await deliverDue(env, { now });
  await env.DB.prepare("DELETE FROM email_outbox WHERE sent_at IS NOT NULL AND sent_at < ?").bind(now - KEEP_SENT_MS).run();
  return result;
}
