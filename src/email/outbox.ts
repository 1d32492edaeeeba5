import type { Env } from "../env";
import { newId } from "../lib/ids";

/** Transactional mail templates (src/email/templates.ts renders them). */
export type EmailTemplate =
  | "verify_email" | "reset_password" | "change_email" | "email_changed"
  | "low_balance" | "account_deleted" | "policy_change" | "refund_update" | "address_in_use"
  | "rights_update" | "rights_reminder" | "rights_overdue"
  | "auto_topup_charged" | "auto_topup_failed" | "price_change"
  | "org_invitation";

type Mail = { userId: string | null; to: string; template: EmailTemplate; data: Record<string, string | number | null> };

/**
 * Queues one email. Sending happens later (right after the request and on the cron), with retries,
 * so a failing email API loses nothing. `data` holds template variables only (links, amounts, names).
 */
export async function enqueueEmail(env: Env, mail: Mail, now = Date.now()): Promise<string> {
  const id = newId("eml_", now);
  await emailInsert(env, mail, id, now).run();
  return id;
}

/**
 * The insert of one outbox row under a caller-chosen id, for bulk sends run with env.DB.batch().
 * A deterministic id (e.g. one per notice and user) with `ignoreDuplicate` makes a retried send
 * queue nothing twice.
 */
export function emailInsert(env: Env, mail: Mail, id: string, now: number, ignoreDuplicate = false): D1PreparedStatement {
  return env.DB.prepare(`INSERT ${ignoreDuplicate ? "OR IGNORE " : ""}INTO email_outbox (id, user_id, to_address, template, data, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)`)
    .bind(id, mail.userId, mail.to, mail.template, JSON.stringify(mail.data), now, now);
}
