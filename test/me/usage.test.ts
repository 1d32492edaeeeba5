import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { periodStart } from "../../src/account/periods";
import { costNano, formatUsd } from "../../src/lib/money";
import { TEST_PRICE } from "../helpers/catalog";
import { chat, settled } from "../helpers/gateway";
import { signedInUser, type SessionUser } from "../helpers/session";
import { fakeKeyId, insertUsage, sessionKey, type UsageFixture } from "./support";

const ECHO_COST = costNano([[11, TEST_PRICE.input], [7, TEST_PRICE.output]]);
// Ten days back, at midnight UTC: inside the wallet's recent window (records created before it leave the wallet once sent).
const BASE = Math.floor(Date.now() / 86_400_000 - 10) * 86_400_000;
const dayAfterBase = new Date(BASE + 86_400_000).toISOString().slice(0, 10);
const HOUR = 3_600_000;
const USAGE_FIELDS = [
  "id", "created_at", "model", "provider", "endpoint", "key_id", "stream", "prompt_tokens", "completion_tokens", "cached_tokens",
  "reasoning_tokens", "cost_usd", "latency_ms", "status", "http_status", "error_code", "usage_source", "route_reason",
].sort();

interface UsageJson { id: string; created_at: string; model: string; key_id: string; status: string; cost_usd: string; prompt_tokens: number; completion_tokens: number }
interface Page { data: UsageJson[]; next_cursor: string | null }

/** 30 rows over three days, two models, two keys; every third pair shares a timestamp (ties broken by id). */
function fixtures(userId: string, tag: string): UsageFixture[] {
  return Array.from({ length: 30 }, (_, i) => ({
    request_id: `req_${tag}_${String(i).padStart(3, "0")}`, user_id: userId, key_id: fakeKeyId(`${tag}${i % 2}`),
    model: i % 3 === 0 ? "m-alpha" : "m-beta", provider: "openai", endpoint: "/v1/chat/completions", stream: i % 2,
    prompt_tokens: i, completion_tokens: 2 * i, cached_tokens: 0, reasoning_tokens: 0, cost_nano: (i + 1) * 1000,
    latency_ms: 10 + i, status: i % 5 === 0 ? "upstream_error" : "success", http_status: i % 5 === 0 ? 500 : 200,
    usage_source: "upstream", error_code: null, attempts: 1, created_at: BASE + Math.floor(i / 2) * 5 * HOUR, route_reason: null,
  }));
}

async function walk(u: SessionUser, query: string, limit: number, start: string | null = null): Promise<UsageJson[]> {
  const seen: UsageJson[] = [];
  let cursor: string | null = start;
  do {
    const res = await u.fetch(`/api/me/usage?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page;
    expect(page.data.length).toBeLessThanOrEqual(limit);
    seen.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return seen;
}

/** Newest first, ties by request id descending: the list's documented order. */
const byNewest = (a: UsageFixture, b: UsageFixture) => b.created_at - a.created_at || (a.request_id < b.request_id ? 1 : -1);

async function userWithRows(tag: string) {
  const u = await signedInUser("10.00");
  const rows = fixtures(u.userId, tag);
  await insertUsage(rows);
  return { u, rows };
}

describe("GET /api/me/usage", () => {
  it("pages through every record once, newest first, without duplicates or gaps, also when records arrive between pages", async () => {
    const { u, rows } = await userWithRows(`p${Date.now()}`);
    const all = await walk(u, "", 7);
    expect(all.map((r) => r.id)).toEqual([...rows].sort(byNewest).map((r) => r.request_id));

    const first = (await (await u.fetch("/api/me/usage?limit=10")).json()) as Page;
    // A newer record arrives after page 1 was read: later pages neither repeat a row nor skip one.
    await insertUsage([{ ...rows[0]!, request_id: "req_zz_new", created_at: BASE + 100 * HOUR }]);
    const rest = await walk(u, "", 10, first.next_cursor);
    const ids = [...first.data, ...rest].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...rows].sort(byNewest).map((r) => r.request_id));
  });

  it("filters by time range, model, key and status, each combined with pagination", async () => {
    const { u, rows } = await userWithRows(`f${Date.now()}`);
    const from = BASE + 20 * HOUR;
    const to = BASE + 50 * HOUR;
    const cases: [string, (r: UsageFixture) => boolean][] = [
      [`&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`, (r) => r.created_at >= from && r.created_at < to],
      ["&model=m-alpha", (r) => r.model === "m-alpha"],
      [`&key_id=${rows[1]!.key_id}`, (r) => r.key_id === rows[1]!.key_id],
      ["&status=upstream_error", (r) => r.status === "upstream_error"],
      [`&model=m-beta&status=success&key_id=${rows[0]!.key_id}`, (r) => r.model === "m-beta" && r.status === "success" && r.key_id === rows[0]!.key_id],
      [`&from=${dayAfterBase}`, (r) => r.created_at >= Date.parse(`${dayAfterBase}T00:00:00Z`)],
    ];
    for (const [query, keep] of cases) {
      const expected = rows.filter(keep).sort(byNewest).map((r) => r.request_id);
      expect(expected.length).toBeGreaterThan(0);
      expect((await walk(u, query, 4)).map((r) => r.id), query).toEqual(expected);
    }
  });

  it("bad queries are 400 naming the parameter: limit over 500, a forged cursor, an unknown status", async () => {
    const u = await signedInUser("1.00");
    for (const [query, param] of [["limit=501", "limit"], ["cursor=not-a-cursor", "cursor"], [`cursor=${btoa('["x",1]')}`, "cursor"], ["status=won", "status"], ["from=yesterday", "from"]]) {
      const res = await u.fetch(`/api/me/usage?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { param: string } }).error.param).toBe(param);
    }
  });

  it("a real request's record has exactly the documented fields and its exact cost", async () => {
    const u = await signedInUser("1.00");
    const k = await sessionKey(u);
    const res = await chat(k.key, { model: "test-echo", max_tokens: 7 });
    const requestId = res.headers.get("x-request-id")!;
    await settled(u.userId); // not flushed: the route flushes the Durable Object's outbox itself
    const page = (await (await u.fetch("/api/me/usage")).json()) as { data: Record<string, unknown>[] };
    expect(page.data).toHaveLength(1);
    expect(Object.keys(page.data[0]!).sort()).toEqual(USAGE_FIELDS);
    expect(page.data[0]).toMatchObject({ id: requestId, key_id: k.id, model: "test-echo", prompt_tokens: 11, completion_tokens: 7, cost_usd: formatUsd(ECHO_COST), status: "success", stream: false });
  });
});

describe("GET /api/me/usage/aggregate", () => {
  it("sums per day, model and key equal the sums of the rows (exact integers, USD strings)", async () => {
    const { u, rows } = await userWithRows(`a${Date.now()}`);
    const bucketOf = {
      day: (r: UsageFixture) => new Date(r.created_at).toISOString().slice(0, 10),
      model: (r: UsageFixture) => r.model,
      key: (r: UsageFixture) => r.key_id,
    };
    for (const [groupBy, bucket] of Object.entries(bucketOf)) {
      const expected = new Map<string, { bucket: string; requests: number; prompt_tokens: number; completion_tokens: number; cost: number }>();
      for (const r of rows) {
        const b = expected.get(bucket(r)) ?? { bucket: bucket(r), requests: 0, prompt_tokens: 0, completion_tokens: 0, cost: 0 };
        b.requests++; b.prompt_tokens += r.prompt_tokens; b.completion_tokens += r.completion_tokens; b.cost += r.cost_nano;
        expected.set(b.bucket, b);
      }
      const res = await u.fetch(`/api/me/usage/aggregate?group_by=${groupBy}`);
      expect(res.status).toBe(200);
      const { data } = (await res.json()) as { data: unknown[] };
      const want = [...expected.values()].sort((a, b) => (a.bucket < b.bucket ? -1 : 1))
        .map(({ cost, ...b }) => ({ ...b, cost_usd: formatUsd(cost) }));
      expect(data, groupBy).toEqual(want);
    }
    expect(new Set(rows.map(bucketOf.day)).size).toBe(3);

    const from = BASE + 24 * HOUR;
    const ranged = (await (await u.fetch(`/api/me/usage/aggregate?group_by=model&from=${new Date(from).toISOString()}`)).json()) as { data: { requests: number }[] };
    expect(ranged.data.reduce((a, b) => a + b.requests, 0)).toBe(rows.filter((r) => r.created_at >= from).length);
    expect((await u.fetch("/api/me/usage/aggregate?group_by=hour")).status).toBe(400);
  });
});

describe("GET /api/me/overview", () => {
  it("balance and reserved from the account, spend today and this month from the records, the low-balance flag", async () => {
    const u = await signedInUser("1.00");
    const k = await sessionKey(u);
    for (let i = 0; i < 2; i++) expect((await chat(k.key, { model: "test-echo", max_tokens: 7 })).status).toBe(200);
    await settled(u.userId);
    // Older records: one earlier this month (or last month on the 1st) and one in the previous month.
    const now = Date.now();
    const day = periodStart("daily", now);
    const month = periodStart("monthly", now);
    const older = fixtures(u.userId, `o${now}`).slice(1, 3);
    older[0]!.created_at = day - 1;
    older[1]!.created_at = month - 1;
    await insertUsage(older);
    const monthExtra = older[0]!.created_at >= month ? older[0]!.cost_nano : 0;

    const res = await u.fetch("/api/me/overview");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      balance_usd: formatUsd(1_000_000_000 - 2 * ECHO_COST), reserved_usd: "0.00",
      spend_today_usd: formatUsd(2 * ECHO_COST), spend_month_usd: formatUsd(2 * ECHO_COST + monthExtra), requests_today: 2,
      low_balance_threshold_usd: null, low_balance: false, email_verified: true,
    });

    await env.DB.prepare("UPDATE users SET low_balance_threshold_nano = ? WHERE id = ?").bind(2_000_000_000, u.userId).run();
    expect(await (await u.fetch("/api/me/overview")).json()).toMatchObject({ low_balance_threshold_usd: "2.00", low_balance: true });
  });
});
