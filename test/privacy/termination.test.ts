import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newUserId } from "../../src/lib/ids";
import { account, admin, chat, createUser, drained } from "../helpers/gateway";

// P9: remaining purchased credit is refundable when the operator terminates an account.
// DELETE /api/admin/users/:id runs the same closure as a user's own deletion (P27).

const USD = 1_000_000_000;
const rows = async (sql: string, ...binds: unknown[]) => (await env.DB.prepare(sql).bind(...binds).all<Record<string, unknown>>()).results;

describe("DELETE /api/admin/users/:id (operator termination)", () => {
  it("refuses the key, erases the profile and queues a refund of the unused purchased credit", async () => {
    const { userId, key } = await createUser("1.00"); // 1 USD free grant: never refundable
    const emailBefore = (await rows("SELECT email FROM users WHERE id = ?", userId))[0]!.email;
    expect((await account(userId).credit(userId, { kind: "purchase", amountNano: 5 * USD, ref: "pi_x" })).ok).toBe(true);
    // One echo request: 11 prompt × 1000 + 7 completion × 2000 = 25,000 nUSD.
    const used = await chat(key, { model: "test-echo" });
    expect(used.status).toBe(200);
    await used.text();
    const before = await drained(userId);
    expect(before.balanceNano).toBe(1 * USD + 5 * USD - 25_000);

    const res = await admin(`/users/${userId}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { deleted: boolean; refund_request_id: string };
    expect(body).toEqual({ deleted: true, refund_request_id: expect.stringMatching(/^rfd_/) });

    // Refund: purchased 5 USD, nothing refunded yet; the balance (6 USD − 25,000 nUSD) covers it all.
    expect(await rows("SELECT id, amount_nano, status, source FROM refund_requests WHERE user_id = ?", userId)).toEqual([
      { id: body.refund_request_id, amount_nano: 5 * USD, status: "requested", source: "account_deletion" },
    ]);

    const next = await chat(key, { model: "test-echo" });
    expect(next.status).toBe(401);
    expect(((await next.json()) as { error: { code: string } }).error.code).toBe("api_key_revoked");

    const [user] = await rows("SELECT email, name, status, deleted_at FROM users WHERE id = ?", userId);
    expect(user).toMatchObject({ email: `deleted-${userId}@invalid`, name: null, status: "deleted", deleted_at: expect.any(Number) });
    // The user is told, at the address on file before erasure, with the refund amount.
    const mails = await rows("SELECT to_address, data FROM email_outbox WHERE user_id = ? AND template = 'account_deleted'", userId);
    expect(mails.map((m) => m.to_address)).toEqual([emailBefore]);
    expect(JSON.parse(String(mails[0]!.data))).toMatchObject({ refund_usd: "5.00" });
    expect(await rows("SELECT detail FROM security_events WHERE user_id = ? AND kind = 'account_deleted'", userId)).toEqual([{ detail: "operator_termination" }]);
    // The audit row names the refund request.
    const [auditRow] = await rows("SELECT action, detail FROM audit_log WHERE target_user_id = ? AND action = 'user.terminate'", userId);
    expect(JSON.parse(String(auditRow!.detail))).toEqual({ status: 200, refund_request_id: body.refund_request_id });
  });

  it("a repeated call answers the same refund request and queues nothing twice", async () => {
    const { userId } = await createUser("0");
    expect((await account(userId).credit(userId, { kind: "purchase", amountNano: 2 * USD, ref: "pi_x" })).ok).toBe(true);
    const first = (await (await admin(`/users/${userId}`, { method: "DELETE" })).json()) as { refund_request_id: string };
    const again = await admin(`/users/${userId}`, { method: "DELETE" });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ deleted: true, refund_request_id: first.refund_request_id });
    expect(await rows("SELECT amount_nano FROM refund_requests WHERE user_id = ?", userId)).toEqual([{ amount_nano: 2 * USD }]);
    expect(await rows("SELECT 1 FROM email_outbox WHERE user_id = ? AND template = 'account_deleted'", userId)).toHaveLength(1);
  });

  it("free credit only: terminated with no refund request (refund_request_id null)", async () => {
    const { userId } = await createUser("3.00");
    const res = await admin(`/users/${userId}`, { method: "DELETE" });
    expect(await res.json()).toEqual({ deleted: true, refund_request_id: null });
    expect(await rows("SELECT 1 FROM refund_requests WHERE user_id = ?", userId)).toEqual([]);
  });

  it("an unknown user → 404 user_not_found; a malformed id → 400", async () => {
    const missing = await admin(`/users/${newUserId()}`, { method: "DELETE" });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("user_not_found");
    expect((await admin("/users/not-a-user", { method: "DELETE" })).status).toBe(400);
  });
});
