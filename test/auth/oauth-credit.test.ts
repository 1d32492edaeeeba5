import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseUsd } from "../../src/lib/money";
import { account } from "../helpers/gateway";
import { anon, PASSWORD } from "./helpers";
import { expectSignedIn, fresh, signIn, TERMS } from "./oauth-flow";

/** SIGNUP_CREDIT_USD is read per request from the env the worker shares with the tests. */
const e = env as { SIGNUP_CREDIT_USD?: string };
const CREDIT_USD = "0.50";
// 0.50 USD = 500,000,000 nUSD
const CREDIT_NANO = parseUsd(CREDIT_USD)!;
let previous: string | undefined;

beforeEach(() => {
  previous = e.SIGNUP_CREDIT_USD;
  e.SIGNUP_CREDIT_USD = CREDIT_USD;
});
afterEach(() => {
  e.SIGNUP_CREDIT_USD = previous;
});

async function grants(userId: string): Promise<[number, string | null][]> {
  return (await account(userId).ledger()).filter((l) => l.kind === "grant").map((g) => [g.amountNano, g.ref]);
}

describe("sign-up credit for OAuth accounts (SIGNUP_CREDIT_USD)", () => {
  it("a new account created by Google sign-in gets the credit once, also across later sign-ins", async () => {
    expect(CREDIT_NANO).toBe(500_000_000);
    const who = fresh("credit-new");
    const first = await expectSignedIn(await signIn("google", { ...who, email_verified: true }, TERMS));
    expect(await grants(first.userId)).toEqual([[CREDIT_NANO, `signup:${first.userId}`]]);
    await expectSignedIn(await signIn("google", { ...who, email_verified: true }), first.userId);
    expect(await grants(first.userId)).toEqual([[CREDIT_NANO, `signup:${first.userId}`]]);
    expect(await account(first.userId).summary()).toMatchObject({ status: "active", balanceNano: CREDIT_NANO });
  });

  it("an unverified self sign-up linked by GitHub sign-in is activated and gets the credit once", async () => {
    const who = fresh("credit-link");
    const reg = await anon("/api/auth/register", { method: "POST", json: { email: who.email, password: PASSWORD, name: "Ada", accept_terms: true, confirm_age_18: true } });
    expect(reg.status).toBe(202);
    const userId = (await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(who.email).first<string>("id"))!;
    expect(await account(userId).summary()).toMatchObject({ status: "unverified", balanceNano: 0 });

    await expectSignedIn(await signIn("github", who), userId);
    expect(await grants(userId)).toEqual([[CREDIT_NANO, `signup:${userId}`]]);
    await expectSignedIn(await signIn("github", who), userId);
    expect(await account(userId).summary()).toMatchObject({ status: "active", balanceNano: CREDIT_NANO });
  });
});
