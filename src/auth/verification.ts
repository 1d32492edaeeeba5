import { enqueueEmail } from "../email/outbox";
import type { Env } from "../env";
import { accountStub } from "../account/client";
import { settings } from "../lib/settings";
import { createToken } from "./tokens";

/** Queues a verification link for the user's current address. */
export async function queueVerificationEmail(env: Env, user: { id: string; email: string }, origin: string, now = Date.now()): Promise<void> {
  const token = await createToken(env, { userId: user.id, purpose: "verify_email" }, now);
  await enqueueEmail(env, { userId: user.id, to: user.email, template: "verify_email", data: { link: `${origin}/verify-email?token=${token}` } }, now);
}

/** Free credit after verification, in nUSD (SIGNUP_CREDIT_USD, default 0 = none). */
export function signupCreditNano(env: Env): number {
  return settings(env).SIGNUP_CREDIT_USD;
}

/**
 * The address is proven: mark it verified in D1, open API access in the Durable Object (only
 * from "unverified": a suspended or disputed account stays so), and grant the sign-up credit.
 * Every step is idempotent (the credit by its ref `signup:<id>`), so a repeat grants nothing twice.
 */
export async function activateVerifiedAccount(env: Env, userId: string, now = Date.now()): Promise<void> {
  await env.DB.prepare("UPDATE users SET email_verified_at = coalesce(email_verified_at, ?) WHERE id = ?").bind(now, userId).run();
  const stub = accountStub(env, userId);
  const { status } = await stub.summary();
  if (status === "unverified") await stub.setStatus("active");
  const credit = signupCreditNano(env);
  if (credit > 0) {
    const result = await stub.credit(userId, { kind: "grant", amountNano: credit, ref: `signup:${userId}`, note: "sign-up credit" });
    if (!result.ok) throw new Error(`sign-up credit refused: ${result.code}`);
  }
}
