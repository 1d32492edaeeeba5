import { refundableOnClosure } from "../account/closure";
import { forgetUser } from "../usage/plane/pseudonyms";
import { logSecurityEvent } from "../auth/security-log";
import { formatUsd } from "../lib/money";
import { enqueueEmail } from "../email/outbox";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { leaveAllOrganizations } from "../orgs/organizations";
import { accountStub } from "../account/client";
import { newId } from "../lib/ids";
import { anonymizeUserUsage } from "./batches";

/** Why an account is being erased: the user asked (P27), it was never verified (retention, P19), or the operator terminated it (P9). */
export type DeletionReason = "user_request" | "unverified_purge" | "operator_termination";

export interface DeletionOptions {
  now: number;
  reason: DeletionReason;
  /** Queue the account_deleted confirmation email (not for never-verified addresses). */
  notify: boolean;
  ip?: string | null;
  userAgent?: string | null;
}

export interface DeletionResult {
  refundRequestId: string | null;
  refundNano: number;
}

interface UserRow { id: string; email: string; status: string }

/** The placeholder address of an erased account: unique (users.email is), and undeliverable. */
export const erasedEmail = (userId: string) => `deleted-${userId}@invalid`;

const first = <T>(env: Env, sql: string, ...binds: unknown[]) => env.DB.prepare(sql).bind(...binds).first<T>();

/**
 * Deletes an account (docs/privacy-operations.md). The steps run in this order so that the keys
 * stop working first and the address is used before it is erased; each step is idempotent, so a
 * retry after a partial failure completes the rest without doing anything twice:
 *  1. the Durable Object closes the account: status deleted, every key revoked (the next API call is refused);
 *  2. D1's copy of the keys is marked revoked;
 *  3. usage logs are anonymized (key id → "deleted", routing note cleared);
 *  4. a refund request for unused purchased credit is queued (once);
 *  5. the confirmation email is queued to the address still on file (once), and the security log noted;
 *  6. last, in one D1 transaction: the profile is erased, sign-in identities and tokens deleted, sessions ended;
 *  7. then the usage archive's pseudonym mapping is deleted and rollups merged under key "deleted"
 *     (after 6, so the queue consumer cannot create a new mapping: src/usage/plane/pseudonyms.ts).
 * Transactions (the ledger) are kept untouched: they are financial records the law requires us to keep.
 */
export async function deleteAccount(env: Env, userId: string, opts: DeletionOptions): Promise<DeletionResult> {
  const { now } = opts;
  const user = await first<UserRow>(env, "SELECT id, email, status FROM users WHERE id = ?", userId);
  if (!user) throw new ApiError(404, "user_not_found", `No user '${userId}'.`);
  const alreadyDeleted = user.status === "deleted";

  const stub = accountStub(env, userId);
  const figures = await stub.closeAccount(now, userId);
  // P27: the member leaves every organization (their organization keys stop); the organizations' money and records stay.
  await leaveAllOrganizations(env, userId, now);
  await env.DB.prepare("UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?), name = 'deleted' WHERE user_id = ?").bind(now, userId).run();

  // Rows still in the Durable Object's outbox would arrive later with their key ids: deliver them
  // first. Anything settled even later is anonymized by the retention job (src/retention/jobs.ts).
  await stub.flushOutbox().catch(() => 0);
  await anonymizeUserUsage(env.DB, userId);

  const refund = await queueRefund(env, userId, figures, now);

  if (!alreadyDeleted) {
    // Checked one by one: a retry must neither send the email twice nor skip it.
    const mailed = await first(env, "SELECT 1 FROM email_outbox WHERE user_id = ? AND template = 'account_deleted'", userId);
    if (opts.notify && !mailed) {
      await enqueueEmail(env, {
        userId, to: user.email, template: "account_deleted",
        data: { refund_usd: refund.refundNano > 0 ? formatUsd(refund.refundNano) : null, deleted_at: new Date(now).toISOString() },
      }, now);
    }
    const noted = await first(env, "SELECT 1 FROM security_events WHERE user_id = ? AND kind = 'account_deleted' AND outcome = 'success'", userId);
    if (!noted) {
      await logSecurityEvent(env, { userId, kind: "account_deleted", outcome: "success", ip: opts.ip, userAgent: opts.userAgent, detail: opts.reason }, now);
    }
  }

  await env.DB.batch([
    env.DB.prepare(
      `UPDATE users SET email = ?, name = NULL, company = NULL, password_hash = NULL, locale = NULL, low_balance_threshold_nano = NULL,
         status = 'deleted', deleted_at = coalesce(deleted_at, ?), session_version = session_version + 1 WHERE id = ?`,
    ).bind(erasedEmail(userId), now, userId),
    env.DB.prepare("DELETE FROM oauth_accounts WHERE user_id = ?").bind(userId),
    env.DB.prepare("DELETE FROM auth_tokens WHERE user_id = ?").bind(userId),
  ]);
  await forgetUser(env.DB, userId);
  return refund;
}

/**
 * Queues the refund of unused purchased credit, once per account (source "account_deletion").
 * Open requests the user made before are subtracted so nothing is paid back twice.
 */
async function queueRefund(env: Env, userId: string, figures: Parameters<typeof refundableOnClosure>[0], now: number): Promise<DeletionResult> {
  const existing = await first<{ id: string; amount_nano: number }>(env,
    "SELECT id, amount_nano FROM refund_requests WHERE user_id = ? AND source = 'account_deletion'", userId);
  if (existing) return { refundRequestId: existing.id, refundNano: existing.amount_nano };
  const open = await first<{ total: number }>(env,
    "SELECT coalesce(sum(amount_nano), 0) AS total FROM refund_requests WHERE user_id = ? AND status IN ('requested', 'approved')", userId);
  const amount = refundableOnClosure(figures, open?.total ?? 0);
  if (amount <= 0) return { refundRequestId: null, refundNano: 0 };
  const id = newId("rfd_", now);
  await env.DB.prepare(
    "INSERT INTO refund_requests (id, user_id, amount_nano, status, source, reason, created_at) VALUES (?, ?, ?, 'requested', 'account_deletion', ?, ?)",
  ).bind(id, userId, amount, "account deleted: unused purchased credit", now).run();
  return { refundRequestId: id, refundNano: amount };
}
