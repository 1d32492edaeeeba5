import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { deleteAccount } from "../../src/retention/account-deletion";
import { formatUsd } from "../../src/lib/money";
import { account, admin, chat, drained } from "../helpers/gateway";
import { deletableUser, deleteMe, PASSWORD, purchase, rowsOf, sessionAged, snapshot, spend, USD } from "./fixtures";

// P27: deletion erases the account and profile, deactivates every key, anonymizes usage logs,
// keeps the financial records, and queues the refund of unused purchased credit.

describe("POST /api/me/delete: every part of P27", () => {
  it("erases the profile, kills keys and the session, anonymizes usage, keeps transactions, queues refund and email", async () => {
    const u = await deletableUser({ grantUsd: "3.00" });
    await purchase(u.userId, 10 * USD);
    // A refund of 2 USD already paid back (negative, as every balance decrease).
    expect((await account(u.userId).credit(u.userId, { kind: "refund", amountNano: -2 * USD, ref: "re_test_1" })).ok).toBe(true);
    const cost = await spend(u.userId, u.key);
    const before = await snapshot(u.userId);
    expect(before.usage.length).toBe(1);
    expect(before.usage[0]!.key_id).toBe(u.keyId);

    const res = await deleteMe(u, { password: PASSWORD, confirm: "DELETE" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { deleted: boolean; refund_request_id: string };
    expect(body.deleted).toBe(true);
    expect(res.headers.get("set-cookie")).toMatch(/__Host-session=;.*Max-Age=0/i);

    // Keys: refused on the very next request.
    const next = await chat(u.key, { model: "test-echo" });
    expect(next.status).toBe(401);
    expect(((await next.json()) as { error: { code: string } }).error.code).toBe("api_key_revoked");
    expect((await account(u.userId).listKeys()).every((k) => k.revokedAt !== null && k.name === "deleted")).toBe(true);

    await drained(u.userId);
    const after = await snapshot(u.userId);
    // Profile: no email, name, company, password or locale left; the Stripe customer id stays (financial reference).
    expect(after.user).toMatchObject({
      email: `deleted-${u.userId}@invalid`, name: null, company: null, password_hash: null, locale: null,
      status: "deleted", stripe_customer_id: "cus_test_1", session_version: Number(before.user.session_version) + 1,
    });
    expect(after.user.deleted_at).toEqual(expect.any(Number));
    expect(JSON.stringify(await rowsOf("SELECT * FROM users WHERE id = ?", u.userId))).not.toMatch(/Ada|Analytical|example\.test/);
    expect(after.keys.every((k) => k.revoked_at !== null)).toBe(true);
    expect(after.oauth).toEqual([]);
    expect(after.tokens).toEqual([]);
    // Usage: the row stays (totals reconcile) but no longer names the key.
    expect(after.usage).toEqual([{ request_id: before.usage[0]!.request_id, key_id: "deleted", route_reason: null }]);
    expect(await rowsOf("SELECT 1 FROM usage_logs WHERE key_id = ?", u.keyId)).toEqual([]);
    // Transactions: untouched (grant, purchase, refund, usage).
    expect(after.transactions).toEqual(before.transactions);
    expect(after.transactions.map((t) => t.kind).sort()).toEqual(["grant", "purchase", "refund", "usage"]);
    // Refund: purchased 10 − refunded 2 = 8 USD; the balance (3 + 10 − 2 − cost) is larger, so 8 USD.
    expect(3 * USD + 10 * USD - 2 * USD - cost).toBeGreaterThan(8 * USD);
    expect(after.refunds).toEqual([expect.objectContaining({
      id: body.refund_request_id, amount_nano: 8 * USD, status: "requested", source: "account_deletion",
    })]);
    // Confirmation email to the address as it was before erasure.
    expect(after.emails).toEqual([expect.objectContaining({ to_address: u.email, template: "account_deleted" })]);
    expect(JSON.parse(String(after.emails[0]!.data))).toMatchObject({ refund_usd: formatUsd(8 * USD) });
    expect(await rowsOf("SELECT outcome FROM security_events WHERE user_id = ? AND kind = 'account_deleted'", u.userId)).toEqual([{ outcome: "success" }]);

    // The session no longer works, and a second delete is harmless.
    const again = await deleteMe(u, { password: PASSWORD, confirm: "DELETE" });
    expect(again.status).toBe(401);
    await deleteAccount(env, u.userId, { now: Date.now(), reason: "user_request", notify: true });
    const third = await snapshot(u.userId);
    expect({ ...third, user: { ...third.user, session_version: 0 } }).toEqual({ ...after, user: { ...after.user, session_version: 0 } });
  });

  it("caps the refund at the balance when purchased credit was spent", async () => {
    const u = await deletableUser();
    await purchase(u.userId, USD / 20); // 0.05 USD
    const cost = await spend(u.userId, u.key);
    expect(cost).toBeGreaterThan(0);
    const res = await deleteMe(u, { password: PASSWORD, confirm: "DELETE" });
    expect(res.status).toBe(200);
    // min(balance = 0.05 USD − cost, purchased − refunded = 0.05 USD) = the balance, rounded down to
    // whole cents (Stripe refunds cents; 1 cent = USD / 100 nUSD)
    const cent = USD / 100;
    expect((await snapshot(u.userId)).refunds).toEqual([expect.objectContaining({ amount_nano: Math.floor((USD / 20 - cost) / cent) * cent, source: "account_deletion" })]);
  });

  it("never refunds free grants: a grant-only account gets no refund request", async () => {
    const u = await deletableUser({ grantUsd: "5.00" });
    const res = await deleteMe(u, { password: PASSWORD, confirm: "DELETE" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { refund_request_id: string | null }).refund_request_id).toBeNull();
    const after = await snapshot(u.userId);
    expect(after.refunds).toEqual([]);
    expect(JSON.parse(String(after.emails[0]!.data))).toMatchObject({ refund_usd: null });
  });

  it("subtracts a refund the user already requested, so nothing is paid back twice", async () => {
    const u = await deletableUser();
    await purchase(u.userId, 10 * USD);
    await env.DB.prepare("INSERT INTO refund_requests (id, user_id, amount_nano, status, source, created_at) VALUES (?, ?, ?, 'requested', 'user', ?)")
      .bind(`rfd_open_${u.userId}`, u.userId, 4 * USD, Date.now()).run();
    expect((await deleteMe(u, { password: PASSWORD, confirm: "DELETE" })).status).toBe(200);
    const rows = await rowsOf("SELECT amount_nano FROM refund_requests WHERE user_id = ? AND source = 'account_deletion'", u.userId);
    expect(rows).toEqual([{ amount_nano: 6 * USD }]); // 10 purchased − 4 already requested
  });
});

describe("re-authentication", () => {
  it("a wrong password → 401 and nothing changes: the key still works", async () => {
    const u = await deletableUser({ grantUsd: "1.00" });
    await purchase(u.userId, USD);
    await drained(u.userId);
    const before = await snapshot(u.userId);
    const res = await deleteMe(u, { password: "not the password", confirm: "DELETE" });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_password");
    expect((await deleteMe(u, { confirm: "DELETE" })).status).toBe(401); // no password at all
    expect(await snapshot(u.userId)).toEqual(before);
    expect((await account(u.userId).summary()).status).toBe("active");
    const ok = await chat(u.key, { model: "test-echo" });
    expect(ok.status).toBe(200);
    await ok.text();
    const failures = await rowsOf("SELECT detail FROM security_events WHERE user_id = ? AND kind = 'account_deleted' AND outcome = 'failure' ORDER BY created_at", u.userId);
    expect(failures.map((f) => f.detail).sort()).toEqual(["invalid_password", "reauth_required"]);
  });

  it("without confirm: \"DELETE\" → 400, nothing changes", async () => {
    const u = await deletableUser();
    const before = await snapshot(u.userId);
    for (const confirm of [undefined, "delete", "yes"]) {
      expect((await deleteMe(u, { password: PASSWORD, confirm })).status).toBe(400);
    }
    expect(await snapshot(u.userId)).toEqual(before);
  });

  it("OAuth-only accounts: a sign-in older than 10 minutes → 401 reauth_required; a fresh one deletes", async () => {
    const u = await deletableUser({ password: false });
    const stale = await sessionAged(u.userId, u.email, 11 * 60);
    const res = await deleteMe(stale, { confirm: "DELETE" });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("reauth_required");
    expect((await snapshot(u.userId)).user.status).toBe("active");
    const fresh = await sessionAged(u.userId, u.email, 60);
    expect((await deleteMe(fresh, { confirm: "DELETE" })).status).toBe(200);
    expect((await snapshot(u.userId)).user.status).toBe("deleted");
  });

  it("a retry after a partial failure completes the rest (keys were already closed)", async () => {
    const u = await deletableUser();
    await purchase(u.userId, 2 * USD);
    // Step 1 ran (the Durable Object closed the account), then the request died.
    await account(u.userId).closeAccount(Date.now(), u.userId);
    expect((await chat(u.key, { model: "test-echo" })).status).toBe(401);
    expect((await deleteMe(u, { password: PASSWORD, confirm: "DELETE" })).status).toBe(200);
    const after = await snapshot(u.userId);
    expect(after.user.status).toBe("deleted");
    expect(after.refunds).toEqual([expect.objectContaining({ amount_nano: 2 * USD })]);
    expect(after.emails.length).toBe(1);
  });
});

describe("admin view of a deleted account", () => {
  it("GET /api/admin/users/:id shows it deleted with no personal data", async () => {
    const u = await deletableUser();
    expect((await deleteMe(u, { password: PASSWORD, confirm: "DELETE" })).status).toBe(200);
    const view = (await (await admin(`/users/${u.userId}`)).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ email: `deleted-${u.userId}@invalid`, name: null, status: "deleted" });
  });
});
