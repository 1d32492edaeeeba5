import { runInDurableObject } from "cloudflare:test";
import type { AccountDO } from "../../src/account/account-do";
import { describe, expect, it } from "vitest";
import { formatUsd } from "../../src/lib/money";
import { account, chat, drained, usageRows } from "../helpers/gateway";
import { signedInUser, type SessionUser } from "../helpers/session";
import { fakeKeyId, insertUsage, parseCsv, sessionKey } from "./support";

/** Every usage field (P15), in file order; the key appears by id only. */
const USAGE_COLUMNS = [
  "request_id", "created_at", "model", "provider", "endpoint", "key_id", "stream", "prompt_tokens", "completion_tokens", "cached_tokens",
  "reasoning_tokens", "cost_usd", "cost_nano", "latency_ms", "status", "http_status", "error_code", "usage_source", "attempts", "route_reason",
];
const TXN_COLUMNS = ["id", "created_at", "kind", "amount_usd", "amount_nano", "balance_after_usd", "balance_after_nano", "ref", "note"];

type D1Row = Record<string, string | number | null>;

/** The user's usage records or ledger entries as D1 rows, oldest first, read where they live: the wallet's Durable Object. */
async function d1Rows(table: "usage_logs" | "transactions", userId: string, _order: string): Promise<D1Row[]> {
  if (table === "usage_logs") return usageRows(userId);
  const read = await account(userId).read({ kind: "ledger", query: { limit: 10_000, order: "asc" } });
  return (read.kind === "ledger" ? read.rows : []).map((e) => ({
    id: e.id, user_id: userId, kind: e.kind, amount_nano: e.amountNano, balance_after_nano: e.balanceAfterNano, ref: e.ref, note: e.note,
    created_at: e.createdAt, waived_nano: e.waivedNano ?? 0,
  }));
}

/** What the export must say for a usage row: D1's values, typed as in JSON. */
function expectedUsage(r: D1Row) {
  return {
    request_id: r.request_id, created_at: new Date(r.created_at as number).toISOString(), model: r.model, provider: r.provider, endpoint: r.endpoint,
    key_id: r.key_id, stream: r.stream === 1, prompt_tokens: r.prompt_tokens, completion_tokens: r.completion_tokens, cached_tokens: r.cached_tokens,
    reasoning_tokens: r.reasoning_tokens, cost_usd: formatUsd(r.cost_nano as number), cost_nano: r.cost_nano, latency_ms: r.latency_ms,
    status: r.status, http_status: r.http_status, error_code: r.error_code, usage_source: r.usage_source, attempts: r.attempts, route_reason: r.route_reason,
  };
}

/** The same row as CSV text: numbers and booleans as text, null as "", a leading "=" defused with "'". */
function asCsv(o: Record<string, unknown>): string[] {
  return Object.values(o).map((v) => (v === null ? "" : typeof v === "string" && /^[=+\-@]/.test(v) && !/^-?\d/.test(v) ? `'${v}` : String(v)));
}

function expectDownload(res: Response, name: string, format: "csv" | "json") {
  expect(res.status).toBe(200);
  expect(res.body).toBeInstanceOf(ReadableStream);
  expect(res.headers.get("content-length")).toBeNull();
  expect(res.headers.get("content-type")).toContain(format === "csv" ? "text/csv" : "application/json");
  expect(res.headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename="${name}-\\d{4}-\\d{2}-\\d{2}\\.${format}"$`));
}

/** A CSV download whose header is `columns` and whose records are exactly `rows`; returns its text. */
async function expectCsv(res: Response, name: string, columns: string[], rows: Record<string, unknown>[]): Promise<string> {
  expectDownload(res, name, "csv");
  const text = await res.text();
  const [header, ...records] = parseCsv(text);
  expect(header).toEqual(columns);
  expect(records).toEqual(rows.map(asCsv));
  return text;
}

/** A user with real requests (success and upstream error) and records whose text needs CSV quoting. */
async function userWithUsage(): Promise<{ u: SessionUser; key: string }> {
  const u = await signedInUser("1.00");
  const k = await sessionKey(u);
  for (const [body, status] of [[{ max_tokens: 7 }, 200], [{ stream: true, max_tokens: 7 }, 200], [{ model: "test-error-400" }, 400]] as const) {
    const res = await chat(k.key, { model: "test-echo", ...body });
    expect(res.status).toBe(status);
    await res.text(); // a stream settles once it has been read to the end
  }
  await drained(u.userId);
  await insertUsage([{
    request_id: `req_q${Date.now()}`, user_id: u.userId, key_id: k.id, model: "test-echo", provider: "openai", endpoint: "/v1/chat/completions",
    stream: 0, prompt_tokens: 3, completion_tokens: 4, cached_tokens: 1, reasoning_tokens: 2, cost_nano: 123_456_789, latency_ms: 9,
    status: "stream_error", http_status: 200, usage_source: "estimated", error_code: "=HYPERLINK(\"x\")", attempts: 2,
    created_at: Date.now(), route_reason: 'cheapest, "fast"\r\nsecond line',
  }]);
  return { u, key: k.key };
}

describe("GET /api/me/export/usage and /export/transactions", () => {
  it("CSV and JSON hold exactly the user's records, every field, and none of another user's", async () => {
    const a = await userWithUsage();
    const b = await userWithUsage();
    const mine = (await d1Rows("usage_logs", a.u.userId, "request_id")).map(expectedUsage);
    const theirs = await d1Rows("usage_logs", b.u.userId, "request_id");
    expect(mine).toHaveLength(4);

    const text = await expectCsv(await a.u.fetch("/api/me/export/usage?format=csv"), "usage", USAGE_COLUMNS, mine);
    expect(mine.map((r) => Object.keys(r))).toEqual(mine.map(() => USAGE_COLUMNS));

    const jsonRes = await a.u.fetch("/api/me/export/usage?format=json");
    expectDownload(jsonRes, "usage", "json");
    const jsonText = await jsonRes.text();
    expect(JSON.parse(jsonText)).toEqual(mine);

    for (const body of [text, jsonText]) {
      for (const r of theirs) expect(body).not.toContain(r.request_id as string);
      expect(body).not.toContain(b.u.userId);
      expect(body).not.toContain(a.key.slice(-43));
    }
  });

  it("transactions: the user's ledger (credit and usage charges) in both formats, summing to the balance", async () => {
    const a = await userWithUsage();
    const b = await userWithUsage();
    const rows = await d1Rows("transactions", a.u.userId, "id");
    const expected = rows.map((r) => ({
      id: r.id, created_at: new Date(r.created_at as number).toISOString(), kind: r.kind, amount_usd: formatUsd(r.amount_nano as number), amount_nano: r.amount_nano,
      balance_after_usd: formatUsd(r.balance_after_nano as number), balance_after_nano: r.balance_after_nano, ref: r.ref, note: r.note,
    }));
    expect(rows.map((r) => r.kind)).toEqual(["grant", "usage", "usage"]);

    const json = await a.u.fetch("/api/me/export/transactions?format=json");
    expectDownload(json, "transactions", "json");
    const data = (await json.json()) as typeof expected;
    expect(data).toEqual(expected);
    const balance = (await (await a.u.fetch("/api/me/overview")).json()) as { balance_usd: string };
    expect(formatUsd(data.reduce((s, r) => s + (r.amount_nano as number), 0))).toBe(balance.balance_usd);

    const text = await expectCsv(await a.u.fetch("/api/me/export/transactions"), "transactions", TXN_COLUMNS, expected);
    for (const r of await d1Rows("transactions", b.u.userId, "id")) expect(text).not.toContain(r.id as string);
  });

  it("from/to narrow the file; a bad format is 400", async () => {
    const a = await userWithUsage();
    const rows = await d1Rows("usage_logs", a.u.userId, "request_id");
    const last = rows.at(-1)!;
    const from = new Date(last.created_at as number).toISOString();
    const res = await a.u.fetch(`/api/me/export/usage?format=json&from=${from}`);
    expect(((await res.json()) as { request_id: string }[]).map((r) => r.request_id)).toEqual(
      rows.filter((r) => (r.created_at as number) >= (last.created_at as number)).map((r) => r.request_id),
    );
    const none = await a.u.fetch(`/api/me/export/usage?format=json&to=2000-01-01`);
    expect(await none.json()).toEqual([]);
    expect((await a.u.fetch("/api/me/export/usage?format=xml")).status).toBe(400);
  });
});

const BIG = 100_000;

/** Plants `count` records in the user's Durable Object (recent records, already sent), 10,000 per statement generated by SQLite; three share each timestamp. */
async function insertMany(userId: string, count: number, base: number): Promise<void> {
  const per = 10_000;
  await runInDurableObject(account(userId), (_instance: AccountDO, state) => {
    for (let i = 0; i < count / per; i++) {
      state.storage.sql.exec(
        `WITH RECURSIVE seq(n) AS (SELECT ?1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?2)
         INSERT INTO usage_pending (request_id, batch, sent_at, charged_nano, payload)
         SELECT printf('req_big_%06d', n), 0, ?5, 25000, json_object('requestId', printf('req_big_%06d', n), 'keyId', ?3, 'model', 'test-echo',
           'provider', 'openai', 'endpoint', '/v1/chat/completions', 'stream', json('false'), 'promptTokens', 11, 'completionTokens', 7,
           'cachedTokens', 0, 'reasoningTokens', 0, 'costNano', 25000, 'latencyMs', 5, 'status', 'success', 'httpStatus', 200,
           'usageSource', 'upstream', 'errorCode', NULL, 'attempts', 1, 'routeReason', NULL, 'createdAt', ?4 + n / 3, 'chargedAt', ?4 + n / 3) FROM seq`,
        i * per, (i + 1) * per - 1, fakeKeyId("big"), base, Date.now(),
      );
    }
  });
}

/** Reads a body chunk by chunk, counting `marker` byte pairs; keeps only the first and last bytes. */
async function scan(body: ReadableStream<Uint8Array>, marker: [number, number]): Promise<{ count: number; head: string; tail: string }> {
  const reader = body.getReader();
  let count = 0;
  let prev = -1;
  let head = "";
  let tail = new Uint8Array(0);
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const byte of value) {
      if (prev === marker[0] && byte === marker[1]) count++;
      prev = byte;
    }
    if (head.length < 300) head += decoder.decode(value.slice(0, 300));
    tail = value.length >= 200 ? value.slice(-200) : new Uint8Array([...tail, ...value]).slice(-200);
  }
  return { count, head, tail: new TextDecoder().decode(tail) };
}

describe("a 100,000-record export", () => {
  it("streams every record in CSV and in JSON (no Content-Length: the body is produced page by page)", { timeout: 180_000 }, async () => {
    const u = await signedInUser("0");
    await insertMany(u.userId, BIG, Date.now() - 20 * 86_400_000); // inside the wallet's recent window
    const n = await account(u.userId).read({ kind: "counts" });
    expect(n.kind === "counts" ? n.records : 0).toBe(BIG);

    const csv = await u.fetch("/api/me/export/usage?format=csv");
    expectDownload(csv, "usage", "csv");
    const c = await scan(csv.body!, [13, 10]); // one CRLF per record, plus the header
    expect(c.count).toBe(BIG + 1);
    expect(c.head.split("\r\n")[1]).toMatch(/^req_big_000000,/);
    expect(c.tail.trimEnd().split("\r\n").at(-1)).toMatch(/^req_big_099999,/);

    const json = await u.fetch("/api/me/export/usage?format=json");
    expectDownload(json, "usage", "json");
    const j = await scan(json.body!, [10, 123]); // "\n{" starts each record
    expect(j.count).toBe(BIG);
    expect(j.head.startsWith('[\n{"request_id":"req_big_000000"')).toBe(true);
    expect(j.tail.endsWith("}\n]\n")).toBe(true);
  });
});
