import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account, admin } from "../helpers/gateway";
import { signedInUser, type SessionUser } from "../helpers/session";
import { uid } from "./stripe-helpers";

async function createCode(json: Record<string, unknown>) {
  const res = await admin("/promo-codes", { method: "POST", json });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { code: string };
}

const redeem = (user: SessionUser, code: string) => user.fetch("/api/billing/redeem", { method: "POST", json: { code } });
const newCode = () => `PROMO-${uid("c").slice(2, 20).toUpperCase().replace(/_/g, "")}`;

async function promoRows(userId: string) {
  await account(userId).flushOutbox();
  const { results } = await env.DB.prepare("SELECT kind, amount_nano, ref FROM transactions WHERE user_id = ? AND kind = 'promo'").bind(userId).all<{ kind: string; amount_nano: number; ref: string }>();
  return results;
}

describe("redemption codes", () => {
  it("credits a promotional grant once, as its own ledger kind; a second redemption by the same account credits nothing", async () => {
    const user = await signedInUser("0");
    const { code } = await createCode({ code: newCode().toLowerCase(), amount_usd: "2.50", max_uses: 10 });
    const first = await redeem(user, code.toLowerCase());
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ code, amount_usd: "2.50", balance_usd: "2.50", replayed: false });
    const again = await redeem(user, code);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ balance_usd: "2.50", replayed: true });
    expect((await account(user.userId).summary()).balanceNano).toBe(2_500_000_000);
    expect(await promoRows(user.userId)).toEqual([{ kind: "promo", amount_nano: 2_500_000_000, ref: `promo:${code}` }]);
  });

  it("20 accounts racing for a 5-use code: exactly 5 are credited, and the code counts 5 uses", async () => {
    const { code } = await createCode({ code: newCode(), amount_usd: "1.00", max_uses: 5 });
    const users = await Promise.all(Array.from({ length: 20 }, () => signedInUser("0")));
    const statuses = await Promise.all(users.map(async (u) => (await redeem(u, code)).status));
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    const balances = await Promise.all(users.map(async (u) => (await account(u.userId).summary()).balanceNano));
    expect(balances.reduce((a, b) => a + b, 0)).toBe(5 * 1_000_000_000);
    const row = await env.DB.prepare("SELECT uses, (SELECT count(*) FROM promo_redemptions WHERE code = ?) AS n FROM promo_codes WHERE code = ?").bind(code, code).first<{ uses: number; n: number }>();
    expect(row).toEqual({ uses: 5, n: 5 });
  });

  it("one account redeeming 20 times at once is credited once", async () => {
    const user = await signedInUser("0");
    const { code } = await createCode({ code: newCode(), amount_usd: "3.00", max_uses: 100 });
    const statuses = await Promise.all(Array.from({ length: 20 }, async () => (await redeem(user, code)).status));
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
    expect((await account(user.userId).summary()).balanceNano).toBe(3_000_000_000);
    expect(await promoRows(user.userId)).toHaveLength(1);
  });

  it("refuses unknown, expired and malformed codes without crediting", async () => {
    const user = await signedInUser("0");
    const { code } = await createCode({ code: newCode(), amount_usd: "1.00", max_uses: 5, expires_at: new Date(Date.now() - 1000).toISOString() });
    const expired = await redeem(user, code);
    expect(expired.status).toBe(410);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe("code_expired");
    expect((await redeem(user, "NO-SUCH-CODE-1")).status).toBe(404);
    expect((await redeem(user, "x")).status).toBe(400);
    expect((await admin("/promo-codes", { method: "POST", json: { code, amount_usd: "1.00", max_uses: 1 } })).status).toBe(409);
    expect((await account(user.userId).summary()).balanceNano).toBe(0);
  });
});
