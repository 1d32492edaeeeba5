import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { periodEnd, periodStart } from "../../src/account/periods";
import { migrateAccountSchema } from "../../src/account/storage";
import { costNano, formatUsd } from "../../src/lib/money";
import { estimateChatPromptTokens } from "../../src/billing/estimate";
import { config } from "../../src/config";
import { sha256Hex } from "../../src/lib/api-key";
import { TEST_PRICE } from "../helpers/catalog";
import { account, api, chat, drained, settled } from "../helpers/gateway";
import { signedInUser } from "../helpers/session";
import { planeDelivered } from "../helpers/usage-plane";
import { listKeys, sessionKey } from "./support";

// Echo: 11 prompt / 7 completion tokens → 11 × 1000 + 7 × 2000 = 25,000 nUSD charged per request.
const ECHO_COST = costNano([[11, TEST_PRICE.input], [7, TEST_PRICE.output]]);
const MAX_TOKENS = 7;
// Reserved per request: prompt estimate (15 tokens for "Hi") × 1000 + max_tokens 7 × 2000 = 29,000 nUSD.
const RESERVATION = costNano([[estimateChatPromptTokens({ messages: [{ role: "user", content: "Hi" }] }), TEST_PRICE.input], [MAX_TOKENS, TEST_PRICE.output]]);
const DAY = 86_400_000;
const t = (iso: string) => Date.parse(iso);

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe("spend-limit periods", () => {
  it("period boundaries are UTC midnight, ISO week (Monday) and the 1st of the month", () => {
    const sunday = t("2026-11-22T15:30:00Z");
    expect(periodStart("daily", sunday)).toBe(t("2026-11-22T00:00:00Z"));
    expect(periodEnd("daily", sunday)).toBe(t("2026-11-23T00:00:00Z"));
    expect(periodStart("weekly", sunday)).toBe(t("2026-11-16T00:00:00Z")); // the Monday before
    expect(periodEnd("weekly", sunday)).toBe(t("2026-11-23T00:00:00Z"));
    expect(periodStart("weekly", t("2026-11-23T00:00:00Z"))).toBe(t("2026-11-23T00:00:00Z")); // a Monday starts its own week
    expect(periodStart("monthly", sunday)).toBe(t("2026-11-01T00:00:00Z"));
    expect(periodEnd("monthly", t("2026-12-31T23:59:59.999Z"))).toBe(t("2027-01-01T00:00:00Z"));
    expect(periodStart("total", sunday)).toBe(0);
    expect(periodEnd("total", sunday)).toBeNull();
  });

  it("a daily limit is used up today and available again on the next UTC day; a total limit is not", async () => {
    // Limit 40,000 nUSD: one request (reserve 29,000, charged 25,000) fits; a second needs 29,000 > 15,000 left.
    const u = await signedInUser("10.00");
    const daily = await sessionKey(u, { spend_limit_usd: "0.00004", spend_limit_period: "daily" });
    const total = await sessionKey(u, { spend_limit_usd: "0.00004", spend_limit_period: "total" });
    for (const k of [daily, total]) {
      expect((await chat(k.key, { model: "test-echo", max_tokens: MAX_TOKENS })).status).toBe(200);
      await settled(u.userId);
      const refused = await chat(k.key, { model: "test-echo", max_tokens: MAX_TOKENS });
      expect(refused.status).toBe(403);
      expect(await code(refused)).toBe("key_spend_limit_exceeded");
    }
    // Yesterday's counter: move every period counter of the user's keys back one day.
    await runInDurableObject(account(u.userId), (_, state) => {
      state.storage.sql.exec("UPDATE key_period_spend SET period_start = period_start - ?", DAY);
    });
    expect((await chat(daily.key, { model: "test-echo", max_tokens: MAX_TOKENS })).status).toBe(200);
    expect(await code(await chat(total.key, { model: "test-echo", max_tokens: MAX_TOKENS }))).toBe("key_spend_limit_exceeded");
    await settled(u.userId);
    const keys = Object.fromEntries((await listKeys(u)).map((k) => [k.id, k]));
    expect(keys[daily.id]).toMatchObject({ spent_usd: formatUsd(2 * ECHO_COST), period_spent_usd: formatUsd(ECHO_COST) });
    expect(keys[total.id]).toMatchObject({ spent_usd: formatUsd(ECHO_COST), period_spent_usd: formatUsd(ECHO_COST) });
  });

  it("GET /api/v1/key reports what is left of the current period's limit, not of the lifetime spend", async () => {
    const u = await signedInUser("10.00");
    const daily = await sessionKey(u, { spend_limit_usd: "0.00004", spend_limit_period: "daily" });
    expect((await chat(daily.key, { model: "test-echo", max_tokens: MAX_TOKENS })).status).toBe(200);
    await settled(u.userId);
    await runInDurableObject(account(u.userId), (_, state) => {
      state.storage.sql.exec("UPDATE key_period_spend SET period_start = period_start - ?", DAY);
    });
    expect((await chat(daily.key, { model: "test-echo", max_tokens: MAX_TOKENS })).status).toBe(200);
    await settled(u.userId);
    // Lifetime 2 × 25,000 = 50,000 nUSD; today 25,000 of the 40,000 limit → 15,000 left.
    const res = await api("/key", daily.key);
    const { data } = (await res.json()) as { data: { usage: number; limit: number; limit_remaining: number } };
    expect(data).toMatchObject({ usage: 0.00005, limit: 0.00004, limit_remaining: 0.000015 });
  });

  it("admission at the next period's first millisecond sees an empty period (weekly and monthly), one millisecond earlier it does not", async () => {
    for (const period of ["weekly", "monthly"] as const) {
      const u = await signedInUser("10.00");
      const stub = account(u.userId);
      const k = await sessionKey(u, { spend_limit_usd: "0.00004", spend_limit_period: period });
      expect((await chat(k.key, { model: "test-echo", max_tokens: MAX_TOKENS })).status).toBe(200);
      await settled(u.userId);
      const next = periodEnd(period, Date.now())!;
      const hash = await sha256Hex(k.key);
      expect(await stub.admit(admitInput(hash, period, next - 1))).toMatchObject({ ok: false, code: "key_spend_limit_exceeded" });
      expect(await stub.admit(admitInput(hash, period, next))).toMatchObject({ ok: true, reservedNano: RESERVATION });
    }
  });
});

/** What the gateway sends to admit a test-echo chat with max_tokens 7 (prompt estimate 15), at time `now`. */
function admitInput(keyHash: string, tag: string, now: number) {
  return {
    keyHash, requestId: `req_${tag}_${now}`, model: "test-echo", now, inputPrice: TEST_PRICE.input, outputPrice: TEST_PRICE.output,
    promptTokensEstimate: 15, requestedMaxOutput: MAX_TOKENS, modelMaxOutput: 1000, settings: config(env),
  };
}

describe("existing Durable Objects get the new column", () => {
  it("migrateAccountSchema adds spend_limit_period once (old keys read as 'total') and is a no-op afterwards", async () => {
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(`u${"m".repeat(20)}`));
    await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql;
      // The table as the first release created it.
      sql.exec("ALTER TABLE api_keys DROP COLUMN spend_limit_period");
      sql.exec("INSERT INTO api_keys (id, key_hash, name, prefix, last4, created_at) VALUES ('key_old', 'h', 'old', 'sk-gw-u', 'abcd', 1)");
      migrateAccountSchema(sql);
      migrateAccountSchema(sql);
      const columns = sql.exec<{ name: string }>("PRAGMA table_info(api_keys)").toArray().filter((c) => c.name === "spend_limit_period");
      expect(columns).toHaveLength(1);
      expect(sql.exec("SELECT spend_limit_period FROM api_keys WHERE id = 'key_old'").one()).toEqual({ spend_limit_period: "total" });
    });
  });
});

describe("existing Durable Objects: the lifetime total moves to key_period_spend once", () => {
  it("a rowid key_period_spend is rebuilt WITHOUT ROWID with its rows; api_keys.spent_nano becomes the 'total' row, counted once however often the migration runs", async () => {
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(`u${"k".repeat(20)}`));
    await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql;
      // The tables as wallets created before this change have them.
      sql.exec("DROP TABLE key_period_spend");
      sql.exec("CREATE TABLE key_period_spend (key_id TEXT NOT NULL, period TEXT NOT NULL, period_start INTEGER NOT NULL, spent_nano INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (key_id, period))");
      sql.exec("INSERT INTO api_keys (id, key_hash, name, prefix, last4, created_at, spent_nano) VALUES ('key_a', 'ha', 'a', 'sk-gw-u', 'abcd', 1, 75000), ('key_b', 'hb', 'b', 'sk-gw-u', 'efgh', 1, 0)");
      sql.exec("INSERT INTO key_period_spend VALUES ('key_a', 'daily', 5, 25000), ('key_a', 'monthly', 3, 75000)");
      migrateAccountSchema(sql);
      migrateAccountSchema(sql);
      expect(sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'key_period_spend'").one().sql).toMatch(/WITHOUT ROWID/);
      expect(sql.exec("SELECT key_id, period, period_start, spent_nano FROM key_period_spend ORDER BY key_id, period").toArray()).toEqual([
        { key_id: "key_a", period: "daily", period_start: 5, spent_nano: 25000 },
        { key_id: "key_a", period: "monthly", period_start: 3, spent_nano: 75000 },
        { key_id: "key_a", period: "total", period_start: 0, spent_nano: 75000 },
      ]);
      expect(sql.exec("SELECT sum(spent_nano) AS s FROM api_keys").one()).toEqual({ s: 0 });
    });
    const keys = await stub.listKeys();
    expect(Object.fromEntries(keys.map((k) => [k.id, k.spentNano]))).toEqual({ key_a: 75000, key_b: 0 });
  });
});

describe("a key's spend limit holds under concurrency", () => {
  for (const period of ["daily", "total"] as const) {
    it(`30 concurrent requests on a key limited to 5 reservations (${period}): exactly 5 served, the key is charged exactly 5 × 25,000 nUSD`, async () => {
      // Limit = 5 × 29,000 = 145,000 nUSD. Admission counts period spend + the key's open holds + this
      // reservation, so at most 5 run at once, and after k settle 25,000·k + 29,000·(5 − k) + 29,000 > 145,000:
      // no sixth request is ever admitted. The balance (10 USD) is never the limit here.
      const limit = 5 * RESERVATION;
      expect(limit).toBe(145_000);
      const u = await signedInUser("10.00");
      const k = await sessionKey(u, { spend_limit_usd: formatUsd(limit), spend_limit_period: period });
      const responses = await Promise.all(Array.from({ length: 30 }, () => chat(k.key, { model: "test-echo", max_tokens: MAX_TOKENS })));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(5);
      expect(statuses.filter((s) => s === 403)).toHaveLength(25);
      for (const r of responses.filter((x) => x.status === 403)) expect(await code(r)).toBe("key_spend_limit_exceeded");
      await Promise.all(responses.filter((r) => r.status === 200).map((r) => r.text()));

      const s = await drained(u.userId);
      expect(s).toMatchObject({ inFlight: 0, holdsNano: 0, balanceNano: 10_000_000_000 - 5 * ECHO_COST });
      await planeDelivered(u.userId); // D1 keeps the key's usage as hourly rollups
      const d1 = await env.DB.prepare("SELECT sum(requests) AS n, sum(cost_nano) AS charged FROM usage_rollups WHERE key_id = ?").bind(k.id).first<{ n: number; charged: number }>();
      expect(d1).toEqual({ n: 5, charged: 5 * ECHO_COST });
      expect(d1!.charged).toBeLessThanOrEqual(limit);
      const [view] = await listKeys(u);
      expect(view).toMatchObject({ spent_usd: formatUsd(5 * ECHO_COST), period_spent_usd: formatUsd(5 * ECHO_COST) });
    });
  }
});
