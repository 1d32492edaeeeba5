import { SELF, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { authConfig } from "../../src/auth/config";
import { topupConfig } from "../../src/billing/topup-config";
import { formatUsd } from "../../src/lib/money";
import { config } from "../../src/config";
import type { Env } from "../../src/env";
import { PLAYGROUND_KEY_NAME } from "../../src/routes/me/playground";
import { BASE, account, drained, usageRows } from "../helpers/gateway";
import { TEST_PRICE } from "../helpers/catalog";
import { signedInUser } from "../helpers/session";

// The dashboard's own server routes: the policy figures and the session-authorized playground.

const DAY_MS = 86_400_000;
const e = env as unknown as Env;

describe("GET /api/public/policy", () => {
  it("publishes the running configuration's retention, refund window, overdraft bound and terms version, without a session", async () => {
    const res = await SELF.fetch(`${BASE}/api/public/policy`);
    expect(res.status).toBe(200);
    const auth = authConfig(e);
    expect(await res.json()).toEqual({
      terms_version: auth.termsVersion,
      retention_days: {
        usage: auth.retention.usageMs / DAY_MS, security: auth.retention.securityMs / DAY_MS, transactions: auth.retention.transactionsMs / DAY_MS,
        unverified: auth.retention.unverifiedMs / DAY_MS, deleted: auth.retention.deletedMs / DAY_MS,
      },
      refund_window_days: topupConfig(e).refundWindowDays,
      overdraft_usd: formatUsd(config(e).overdraftNano),
      session_ttl_hours: auth.sessionTtlSeconds / 3600,
    });
  });
});

const chatBody = { model: "test-echo", messages: [{ role: "user", content: "Hi" }] };

describe("POST /api/me/playground/chat/completions", () => {
  it("answers through the metered chat path and bills the user's own playground key, created once, hash only", async () => {
    const u = await signedInUser("1.00");
    const res = await u.fetch("/api/me/playground/chat/completions", { method: "POST", json: chatBody });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; usage: { prompt_tokens: number; completion_tokens: number; cost: number } };
    const again = await u.fetch("/api/me/playground/chat/completions", { method: "POST", json: chatBody });
    expect(again.status).toBe(200);
    await again.json();
    const summary = await drained(u.userId);

    const keys = (await account(u.userId).listKeys()).filter((k) => k.name === PLAYGROUND_KEY_NAME);
    expect(keys).toHaveLength(1);
    const rows = await usageRows(u.userId);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.key_id))).toEqual(new Set([keys[0]!.id]));
    // cost = prompt × 1000 nUSD + completion × 2000 nUSD (test catalog prices)
    const costNano = body.usage.prompt_tokens * (TEST_PRICE.input / 1000) + body.usage.completion_tokens * (TEST_PRICE.output / 1000);
    expect(rows.find((r) => r.request_id === body.id)!.cost_nano).toBe(costNano);
    expect(summary.usageNano).toBe(rows.reduce((n, r) => n + Number(r.cost_nano), 0));
    // Only the hash is kept: the D1 row has no column that could hold the plaintext key.
    const stored = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(keys[0]!.id).first<Record<string, unknown>>();
    expect(Object.values(stored!).some((v) => typeof v === "string" && v.startsWith("sk-gw-") && v.length > 40)).toBe(false);
  });

  it("streams with usage in the final chunk when asked", async () => {
    const u = await signedInUser("1.00");
    const res = await u.fetch("/api/me/playground/chat/completions", { method: "POST", json: { ...chatBody, stream: true, stream_options: { include_usage: true } } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const text = await res.text();
    expect(text).toMatch(/"usage":\{[^}]*"prompt_tokens":\d+/);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    await drained(u.userId);
  });

  it("refuses without CSRF, without a session, and for an unverified email; an empty balance is 402", async () => {
    const u = await signedInUser("1.00");
    const noCsrf = await u.fetch("/api/me/playground/chat/completions", { method: "POST", json: chatBody, headers: { "x-csrf-token": "wrong-token-wrong-token-0000" } });
    expect(noCsrf.status).toBe(403);
    const anon = await SELF.fetch(`${BASE}/api/me/playground/chat/completions`, {
      method: "POST", headers: { "content-type": "application/json", origin: BASE }, body: JSON.stringify(chatBody),
    });
    expect(anon.status).toBe(403); // the CSRF check runs first and there is no cookie at all
    await env.DB.prepare("UPDATE users SET email_verified_at = NULL WHERE id = ?").bind(u.userId).run();
    const unverified = await u.fetch("/api/me/playground/chat/completions", { method: "POST", json: chatBody });
    expect(unverified.status).toBe(403);
    expect(((await unverified.json()) as { error: { code: string } }).error.code).toBe("email_not_verified");

    const broke = await signedInUser("0");
    const poor = await broke.fetch("/api/me/playground/chat/completions", { method: "POST", json: chatBody });
    expect(poor.status).toBe(402);
    expect((await usageRows(broke.userId)).length).toBe(0);
  });
});
