import { describe, expect, it } from "vitest";
import { byokFee } from "../../src/gateway/byok";
import { account, chat, settled } from "../helpers/gateway";
import { signedInUser, type SessionUser } from "../helpers/session";
import { scanD1, scanDO } from "../privacy/scan";
import { sessionKey } from "../me/support";
import { upstreamRequests } from "../helpers/mirror";
import { createOrg, fundOrg, joinOrg, orgKey } from "../helpers/orgs";
import { nano } from "../../src/lib/money";

const PLATFORM_KEY = "sk-upstream-openai-SECRET-0123456789abcdef";
// test-echo: 11 prompt tokens × 1000 nUSD + 7 output × 2000 nUSD = 25,000 nUSD at the catalog price.
const ECHO_PRICE = nano(25_000);
const FEE_BPS = 500;

async function withOwnKey(u: SessionUser, key: string, allowFallback = false) {
  const res = await u.fetch("/api/me/provider-keys/openai", { method: "PUT", json: { key, allow_fallback: allowFallback } });
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).not.toContain(key);
}

/** What the stand-in received as the provider key on the last echo request. */
async function lastAuthorization(): Promise<string | undefined> {
  return (await upstreamRequests("echo")).at(-1)?.headers.authorization;
}

async function ledgerUsage(userId: string): Promise<number> {
  const s = await settled(userId);
  return s.usageNano;
}

describe("your own provider key (BYOK)", () => {
  it("requests reach the provider with the customer's key, and the charge is the BYOK fee", async () => {
    const u = await signedInUser("1.00");
    const { key } = await sessionKey(u);
    const own = `sk-customer-own-${crypto.randomUUID()}`;
    await withOwnKey(u, own);
    const res = await chat(key, { model: "test-echo", max_tokens: 7 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage: { cost: number } };
    expect(await lastAuthorization()).toBe(`Bearer ${own}`);
    const fee = byokFee(ECHO_PRICE, FEE_BPS);
    expect(fee).toBe(1_250);
    expect(await ledgerUsage(u.userId)).toBe(fee);
    expect(body.usage.cost).toBe(fee / 1e9);
    // Without an own key the same request is charged the catalog price with the gateway's key.
    await u.fetch("/api/me/provider-keys/openai", { method: "DELETE" });
    await (await chat(key, { model: "test-echo", max_tokens: 7 })).text();
    expect(await lastAuthorization()).toBe(`Bearer ${PLATFORM_KEY}`);
    expect(await ledgerUsage(u.userId)).toBe(fee + ECHO_PRICE);
  });

  it("the stored key is unreadable in D1 and in the wallet's Durable Object storage, and never listed", async () => {
    const u = await signedInUser("1.00");
    const own = `sk-customer-marker-${crypto.randomUUID()}`;
    await withOwnKey(u, own);
    const listed = await (await u.fetch("/api/me/provider-keys")).text();
    expect(listed).not.toContain(own);
    expect(JSON.parse(listed)).toMatchObject({ data: [{ provider: "openai", allow_fallback: false }] });
    // Its distinctive part too (the random suffix), not just the whole string.
    for (const marker of [own, own.slice(-36)]) {
      expect((await scanD1(marker)).hits).toEqual([]);
      const scan = await scanDO(u.userId, marker);
      expect(scan.tables).toContain("byok_keys");
      expect(scan.hits).toEqual([]);
    }
    const sealed = await account(u.userId).listProviderKeys();
    expect(sealed).toHaveLength(1);
  });

  it("a revoked own key fails clearly, naming the provider and not the key, and is not charged (fail closed)", async () => {
    const u = await signedInUser("1.00");
    const { key } = await sessionKey(u);
    const own = `sk-revoked-customer-${crypto.randomUUID()}`;
    await withOwnKey(u, own, false);
    const res = await chat(key, { model: "test-echo", max_tokens: 7 });
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(text).not.toContain(own);
    expect(JSON.parse(text).error).toMatchObject({ code: "byok_key_rejected", message: expect.stringContaining("'openai'") });
    expect(await ledgerUsage(u.userId)).toBe(0);
  });

  it("a revoked own key falls back to the gateway's key, at the catalog price, only when the customer allowed it", async () => {
    const u = await signedInUser("1.00");
    const { key } = await sessionKey(u);
    await withOwnKey(u, `sk-revoked-customer-${crypto.randomUUID()}`, true);
    const res = await chat(key, { model: "test-echo", max_tokens: 7 });
    expect(res.status).toBe(200);
    await res.text();
    expect(await lastAuthorization()).toBe(`Bearer ${PLATFORM_KEY}`);
    expect(res.headers.get("x-gateway-attempts")).toBe("2");
    expect(await ledgerUsage(u.userId)).toBe(ECHO_PRICE);
  });

  it("a sealed key copied to another wallet does not open there", async () => {
    const { openProviderKey, sealProviderKey } = await import("../../src/byok/seal");
    const secret = "test-byok-secret-0123456789abcdef-0123456789";
    const sealed = await sealProviderKey(secret, "uaaaaaaaaaaaaaaaaaaaa", "openai", "sk-x-0123456789");
    expect(await openProviderKey(secret, "uaaaaaaaaaaaaaaaaaaaa", "openai", sealed)).toBe("sk-x-0123456789");
    expect(await openProviderKey(secret, "ubbbbbbbbbbbbbbbbbbbb", "openai", sealed)).toBeNull();
    expect(await openProviderKey(secret, "uaaaaaaaaaaaaaaaaaaaa", "groq", sealed)).toBeNull();
    expect(await openProviderKey(`${secret}x`, "uaaaaaaaaaaaaaaaaaaaa", "openai", sealed)).toBeNull();
  });

  it("an organization's own key serves its members' keys, set by an admin and refused to a plain member", async () => {
    const owner = await signedInUser("0");
    const orgId = await createOrg(owner);
    await fundOrg(orgId, 1_000_000);
    const member = await joinOrg(owner, orgId);
    const { key } = await orgKey(member, orgId);
    const own = `sk-org-own-${crypto.randomUUID()}`;
    expect((await member.fetch(`/api/orgs/${orgId}/provider-keys/openai`, { method: "PUT", json: { key: own } })).status).toBe(403);
    expect((await owner.fetch(`/api/orgs/${orgId}/provider-keys/openai`, { method: "PUT", json: { key: own } })).status).toBe(200);
    const res = await chat(key, { model: "test-echo", max_tokens: 7 });
    expect(res.status).toBe(200);
    await res.text();
    expect(await lastAuthorization()).toBe(`Bearer ${own}`);
    expect(await ledgerUsage(orgId)).toBe(byokFee(ECHO_PRICE, FEE_BPS));
    expect((await scanDO(orgId, own)).hits).toEqual([]);
    expect((await scanD1(own)).hits).toEqual([]);
  });
});
