import { env } from "cloudflare:test";
import { expect } from "vitest";
import { admin } from "../helpers/gateway";
import { signedInUser, type SessionUser } from "../helpers/session";
import { completed, deliver, startTopup, type Purchase } from "./stripe-helpers";

/** Shared by the refund-approval tests: paid top-ups, refund requests, approvals, the stand-in's memory. */
export const CENT = 10_000_000; // nUSD per cent

/** A user (no free credit) with one paid top-up per entry, oldest first: [amount USD, payment intent id]. */
export async function userWithPayments(...payments: [string, string][]): Promise<{ user: SessionUser; paid: Purchase[] }> {
  const user = await signedInUser("0");
  const paid: Purchase[] = [];
  for (const [amountUsd, pi] of payments) {
    const p = await startTopup(user, amountUsd, pi);
    expect(await deliver(completed(p))).toBe(200);
    paid.push(p);
  }
  return { user, paid };
}

export async function requestRefund(user: SessionUser, json: Record<string, unknown>): Promise<string> {
  const res = await user.fetch("/api/billing/refunds", { method: "POST", json });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

export async function approve(id: string): Promise<{ status: number; body: { status?: string; error?: { code: string } } }> {
  const res = await admin(`/refunds/${id}/approve`, { method: "POST", json: {} });
  return { status: res.status, body: (await res.json()) as { status?: string; error?: { code: string } } };
}

/** Makes the stand-in forget an idempotency key, as Stripe does 24 hours after first seeing it. */
export async function forgetIdempotencyKey(key: string): Promise<number> {
  const res = await fetch(`${env.STRIPE_API_BASE}/__forget_idempotency`, { method: "POST", body: JSON.stringify({ key }) });
  return ((await res.json()) as { forgotten: number }).forgotten;
}

/** Net of the user's refund ledger entries in the Durable Object (holds and releases included). */
export function netRefundsNano(ledger: { kind: string; amountNano: number }[]): number {
  return ledger.filter((e) => e.kind === "refund").reduce((n, e) => n + e.amountNano, 0);
}
