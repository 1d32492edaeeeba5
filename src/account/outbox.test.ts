import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { flushBatch, OUTBOX_BATCH, pendingOutbox } from "./outbox";
import type { AccountDO } from "./account-do";

const userId = () => `u${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;

/** A D1 stand-in that fails every batch, like an outage. */
const brokenD1 = { prepare: env.DB.prepare.bind(env.DB), batch: async () => { throw new Error("D1 unavailable"); } } as unknown as D1Database;

async function d1Sum(id: string) {
  const t = await env.DB.prepare("SELECT count(*) AS n, coalesce(sum(amount_nano), 0) AS s FROM transactions WHERE user_id = ?").bind(id).first<{ n: number; s: number }>();
  return t!;
}

describe("outbox → D1", () => {
  it("loses nothing during a D1 outage and duplicates nothing on retry", async () => {
    const id = userId();
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(id)) as DurableObjectStub<AccountDO>;
    for (let i = 0; i < 3; i++) await stub.credit(id, { kind: "grant", amountNano: 1_000 + i, ref: `g${i}` });

    await runInDurableObject(stub, async (_: AccountDO, state) => {
      const sql = state.storage.sql;
      await expect(flushBatch(sql, brokenD1)).rejects.toThrow("D1 unavailable");
      expect(pendingOutbox(sql)).toEqual({ count: 3, maxAttempts: 1 });
      expect(await flushBatch(sql, env.DB)).toBe(3);
      expect(pendingOutbox(sql).count).toBe(0);
      // A retry of an already delivered batch (e.g. D1 committed but the reply was lost) is harmless.
      sql.exec("INSERT INTO outbox (kind, ref, payload, created_at) SELECT 'txn', id, json_object('id', id, 'userId', ?, 'kind', kind, 'amountNano', amount_nano, 'balanceAfterNano', balance_after_nano, 'ref', ref, 'note', note, 'createdAt', created_at), 0 FROM ledger", id);
      expect(await flushBatch(sql, env.DB)).toBe(3);
    });
    expect(await d1Sum(id)).toEqual({ n: 3, s: 3_003 });
    expect((await stub.summary()).balanceNano).toBe(3_003);
  });

  it("the alarm drains the outbox in batches", async () => {
    const id = userId();
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(id)) as DurableObjectStub<AccountDO>;
    const n = OUTBOX_BATCH * 2 + 7;
    // All credits in one go inside the object, so none can be flushed before we count them.
    await runInDurableObject(stub, (instance: AccountDO) => {
      for (let i = 0; i < n; i++) instance.credit(id, { kind: "grant", amountNano: 1, ref: `r${i}` });
      expect(instance.summary().pendingOutbox).toBe(n);
    });
    // The alarm is due in a second; on a loaded machine it may already have run. Either way it drains all batches.
    await runDurableObjectAlarm(stub);
    expect((await stub.summary()).pendingOutbox).toBe(0);
    expect(await d1Sum(id)).toEqual({ n, s: n });
  });

  it("refuses a credit that would take the balance past the maximum, without a ledger row", async () => {
    const id = userId();
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(id)) as DurableObjectStub<AccountDO>;
    expect(await stub.credit(id, { kind: "grant", amountNano: 900_000 * 1e9, ref: "a" })).toMatchObject({ ok: true });
    expect(await stub.credit(id, { kind: "grant", amountNano: 200_000 * 1e9, ref: "b" })).toEqual({ ok: false, code: "balance_limit_exceeded" });
    expect((await stub.summary()).balanceNano).toBe(900_000 * 1e9);
    expect(await stub.ledger()).toHaveLength(1);
  });

  it("a repeated operator credit with the same ref changes the balance once", async () => {
    const id = userId();
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(id)) as DurableObjectStub<AccountDO>;
    const first = await stub.credit(id, { kind: "grant", amountNano: 500, ref: "same" });
    const again = await stub.credit(id, { kind: "grant", amountNano: 500, ref: "same" });
    expect(first).toMatchObject({ ok: true, duplicate: false });
    expect(first.ok && again.ok && again.entry).toEqual(first.ok && first.entry);
    expect(again).toMatchObject({ ok: true, duplicate: true });
    expect((await stub.summary()).balanceNano).toBe(500);
    expect(await stub.ledger()).toHaveLength(1);
  });
});
