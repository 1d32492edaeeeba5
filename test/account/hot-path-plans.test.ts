import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { AccountDO } from "../../src/account/account-do";
import { addTestModels } from "../helpers/catalog";
import { account, api, chat, createUser } from "../helpers/gateway";

// "Per-request work on the hot path costs the same whatever the traffic" (issue 14). A wallet's
// tables that grow with its traffic (the recent window's ledger, request rows, usage records and
// stored responses) must never be read by a scan on the path a request takes: admission,
// settlement, and the alarm that expires, prunes, folds and flushes. Every statement the wallet
// runs there is recorded and its query plan asked of the wallet's own SQLite.
beforeAll(() => addTestModels(env, [["hp-conv", "openai", "conversation:hot-path"]]));

const GROWING = ["ledger", "requests", "usage_pending", "responses"];

/**
 * A plan step that reads a growing table whole: a SCAN, a SEARCH with no index (how SQLite shows
 * max() without one), or a seek on the ledger's kind alone (kind = 'usage' is every charge).
 */
const reads = (detail: string) =>
  !IN_FLIGHT.test(detail) &&
  (GROWING.some((t) => new RegExp(`^SCAN ${t}\\b|^SEARCH ${t}$`).test(detail)) || /^SEARCH ledger USING (COVERING )?INDEX \S+ \(kind=\?\)$/.test(detail));
/** requests_open holds only the requests in flight (a partial index): reading it whole is bounded by concurrency, not traffic. */
const IN_FLIGHT = /^SCAN requests USING (COVERING )?INDEX requests_open\b/;

/** Waits for the wallet's open reservations to settle with a read of its own (the summary would be recorded too). */
async function settledQuietly(userId: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const open = await runInDurableObject(account(userId), (_: AccountDO, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM requests WHERE state = 'reserved'").one().n);
    if (open === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("reservations still open");
}

type Recorded = { query: string; args: SqlStorageValue[] };

/** Records every statement run on this SqlStorage's class while `fn` runs. */
async function recording(sample: SqlStorage, fn: () => Promise<void>): Promise<Recorded[]> {
  const proto = Object.getPrototypeOf(sample) as { exec: SqlStorage["exec"] };
  const exec = proto.exec;
  const seen: Recorded[] = [];
  proto.exec = function (this: SqlStorage, query: string, ...args: SqlStorageValue[]) {
    seen.push({ query, args });
    return exec.call(this, query, ...args);
  } as SqlStorage["exec"];
  try {
    await fn();
  } finally {
    proto.exec = exec;
  }
  return seen;
}

const isStatement = (q: string) => /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(q);

describe("no statement on a request's path scans a table that grows with traffic", () => {
  it("admission, settlement (streamed and not, /responses chained), the alarm and the flush: every plan seeks", async () => {
    const u = await createUser("10.00");
    const sample = await runInDurableObject(account(u.userId), (_: AccountDO, state) => state.storage.sql);
    const seen = await recording(sample, async () => {
      for (let i = 0; i < 3; i++) {
        const res = await chat(u.key, { model: "test-echo", stream: i === 1 });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      // The Responses API with a stored conversation: admission reads it, settlement stores the answer.
      const respond = (body: Record<string, unknown>) => api("/responses", u.key, { method: "POST", json: { model: "hp-conv", max_output_tokens: 20, ...body } });
      const first = await respond({ input: "weather?", store: true });
      expect(first.status).toBe(200);
      const { id } = (await first.json()) as { id: string };
      await settledQuietly(u.userId); // the answer is stored by its settlement
      const chained = await respond({ input: "and tomorrow?", previous_response_id: id });
      expect(chained.status).toBe(200);
      await chained.arrayBuffer();
      await settledQuietly(u.userId);
      await runDurableObjectAlarm(account(u.userId));
      await account(u.userId).flushOutbox();
    });
    const distinct = [...new Map(seen.filter((s) => isStatement(s.query)).map((s) => [s.query, s])).values()];
    // The path really was recorded: the usage record's insert and the ledger's post are among them.
    expect(distinct.some((s) => /INSERT INTO usage_pending/.test(s.query))).toBe(true);
    expect(distinct.some((s) => /INSERT INTO ledger/.test(s.query))).toBe(true);
    const scans = await runInDurableObject(account(u.userId), (_: AccountDO, state) =>
      distinct.flatMap(({ query, args }) => {
        const plan = state.storage.sql.exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...args).toArray();
        return plan.filter((p) => reads(p.detail)).map((p) => `${p.detail}: ${query.replace(/\s+/g, " ")}`);
      }));
    expect(scans).toEqual([]);
  });

  it("the check finds a planted scan", async () => {
    const u = await createUser("1.00");
    const found = await runInDurableObject(account(u.userId), (_: AccountDO, state) =>
      state.storage.sql.exec<{ detail: string }>("EXPLAIN QUERY PLAN SELECT sum(amount_nano) FROM ledger WHERE note = ?", "x").toArray());
    expect(found.some((p) => reads(p.detail))).toBe(true);
  });
});
