import type { Env } from "../env";
import { enqueueEmail } from "../email/outbox";

const HOUR_MS = 3_600_000;

/**
 * Sign-up or an email change named an address that already has an account. The caller answers
 * exactly as for a free address (no enumeration); the address's owner is told by email instead,
 * at most once an hour per address (so the answer cannot be used to flood the owner's inbox).
 */
export async function tellOwnerAddressInUse(
  env: Env, owner: { id: string; email: string }, attempt: "sign_up" | "email_change", origin: string, now = Date.now(),
): Promise<void> {
  const recent = await env.DB.prepare("SELECT 1 AS r FROM email_outbox WHERE to_address = ? AND template = 'address_in_use' AND created_at > ?")
    .bind(owner.email, now - HOUR_MS).first("r");
  if (recent) return;
  await enqueueEmail(env, { userId: owner.id, to: owner.email, template: "address_in_use", data: { attempt, origin } }, now);
}
