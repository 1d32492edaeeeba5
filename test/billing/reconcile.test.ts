import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AccountDO } from "../../src/account/account-do";
import { formatUsd } from "../../src/lib/money";
import { RECONCILE_INTERVAL_MS, reconcileAll, reconcileIfDue } from "../../src/billing/reconcile";
import type { Env } from "../../src/env";
import { JOBS } from "../../src/scheduled";
import { account, admin, createUser, drained } from "../helpers/gateway";
import { planeDelivered } from "../helpers/usage-plane";
import { ECHO_COST, USD, echo } from "./ledger-helpers";

interface RunView {
  id: string; users_checked: number; drifted_users: number; total_drift_usd: string;
  details: { user_id: string; drift_usd: string; balance_drift_usd: string; ledger_drift_usd: string; do_ledger_count: number; d1_count: number; plane_drift_usd: string }[];
}

async function runNow(): Promise<RunView> {
  const res = await admin("/reconciliation/run", { method: "POST", json: {} });
  expect(res.status).toBe(201);
  return (await res.json()) as RunView;
}

/** A user with a grant and one metered request, everything delivered to D1. */
async function activeUser(credits = "10.00") {
  const u = await createUser(credits);
  await echo(u.userId, u.key);
  await drained(u.userId);
  return u;
}

/** Queues every ledger entry of the user for delivery again (the outbox's inserts are idempotent). */
async function redeliver(userId: string) {
  await runInDurableObject(account(userId), (_: AccountDO, state) => {
    state.storage.sql.exec("INSERT INTO outbox (kind, ref, payload, created_at) SELECT 'txn', id, json_object('id', id, 'userId', ?, 'kind', kind, 'amountNano', amount_nano, 'balanceAfterNano', balance_after_nano, 'ref', ref, 'note', note, 'createdAt', created_at), 0 FROM ledger", userId);
  });
}

afterEach(() => vi.restoreAllMocks());

// Tests in this file share D1: the clean run comes first, drift is injected afterwards.
describe("ledger reconciliation", () => {
  it("a clean run reports zero drift and is listed by GET /reconciliation", async () => {
    const users = await Promise.all([activeUser(), activeUser("3.00"), activeUser("0.50")]);
    // One more with an entry still in the outbox: the run flushes it before comparing.
    await account(users[0]!.userId).credit(users[0]!.userId, { kind: "purchase", amountNano: USD, ref: "pi_clean" });
    const run = await runNow();
    expect(run).toMatchObject({ drifted_users: 0, total_drift_usd: "0.00", details: [] });
    expect(run.users_checked).toBeGreaterThanOrEqual(3);
    const list = await admin("/reconciliation");
    expect(list.status).toBe(200);
    const { data } = (await list.json()) as { data: RunView[] };
    expect(data[0]).toEqual(run);
  });

  it("detects drift injected on purpose, with the right user and amount", async () => {
    const clean = await activeUser();
    // A: D1's record of a usage charge is deleted (its daily statement: usage charges reach D1 only as statements).
    const a = await activeUser();
    await planeDelivered(a.userId);
    const statements = (await env.DB.prepare("SELECT * FROM usage_statements WHERE user_id = ?").bind(a.userId).all()).results;
    await env.DB.prepare("DELETE FROM usage_statements WHERE user_id = ?").bind(a.userId).run();
    // B: a D1 row's amount is altered (+1.00 USD on the 5.00 grant).
    const b = await createUser("5.00");
    await drained(b.userId);
    await env.DB.prepare("UPDATE transactions SET amount_nano = amount_nano + ? WHERE user_id = ? AND kind = 'grant'").bind(USD, b.userId).run();
    // C: the Durable Object posts an entry whose delivery is lost (outbox item dropped): D1 is stale.
    const c = await createUser("2.00");
    await drained(c.userId);
    const stub = account(c.userId);
    await stub.credit(c.userId, { kind: "purchase", amountNano: 700_000_000, ref: "pi_lost" });
    await runInDurableObject(stub, (_: AccountDO, state) => { state.storage.sql.exec("DELETE FROM outbox WHERE kind = 'txn'"); });

    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const run = await runNow();
    const byUser = new Map(run.details.map((d) => [d.user_id, d]));
    expect([...byUser.keys()].sort()).toEqual([a.userId, b.userId, c.userId].sort());
    expect(byUser.has(clean.userId)).toBe(false);
    // A: D1 lacks the 25,000 nUSD usage charge: the Durable Object's charges at D1's cursor exceed D1's statements by it.
    expect(byUser.get(a.userId)).toMatchObject({ plane_drift_usd: formatUsd(ECHO_COST), drift_usd: "0.00", balance_drift_usd: "0.00", ledger_drift_usd: "0.00", do_ledger_count: 1, d1_count: 1 });
    // B: D1's rows add up to 6.00 while the balance (and balance_after) is 5.00.
    expect(byUser.get(b.userId)).toMatchObject({ drift_usd: "-1.00", balance_drift_usd: "0.00", do_ledger_count: 1, d1_count: 1 });
    // C: D1 misses the 0.70 purchase.
    expect(byUser.get(c.userId)).toMatchObject({ drift_usd: "0.70", balance_drift_usd: "0.70", do_ledger_count: 2, d1_count: 1 });
    expect(run.drifted_users).toBe(3);
    expect(run.total_drift_usd).toBe(formatUsd(ECHO_COST + USD + 700_000_000));

    // Operators get one console report with ids and figures only.
    const report = errors.mock.calls.map((args) => args.join(" ")).find((line) => line.includes(run.id));
    expect(report).toContain(`3 of ${run.users_checked} users drifted, total ${ECHO_COST + USD + 700_000_000} nUSD`);
    for (const id of [a.userId, b.userId, c.userId]) expect(report).toContain(id);
    expect(report).not.toMatch(/@example\.test/);

    // The stored run is what GET returns.
    const { data } = (await (await admin("/reconciliation?limit=1")).json()) as { data: RunView[] };
    expect(data).toEqual([run]);

    // Repairing the drift makes the next run clean again.
    await env.DB.prepare("UPDATE transactions SET amount_nano = amount_nano - ? WHERE user_id = ? AND kind = 'grant'").bind(USD, b.userId).run();
    for (const r of statements) {
      await env.DB.prepare("INSERT INTO usage_statements (user_id, day, key_id, model, charges, charged_nano) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(r.user_id, r.day, r.key_id, r.model, r.charges, r.charged_nano).run();
    }
    await redeliver(c.userId);
    expect(await runNow()).toMatchObject({ drifted_users: 0, total_drift_usd: "0.00" });
  });

  it("rows pruned by transaction retention are not drift; a broken Durable Object ledger is", async () => {
    const u = await createUser("4.00");
    await echo(u.userId, u.key);
    await drained(u.userId);
    const stub = account(u.userId);
    // Make the grant older than the retention window in both places, then prune it from D1 as the retention job does.
    const old = Date.now() - 6 * 365 * 86_400_000;
    await runInDurableObject(stub, (_: AccountDO, state) => { state.storage.sql.exec("UPDATE ledger SET created_at = ? WHERE kind = 'grant'", old); });
    await env.DB.prepare("DELETE FROM transactions WHERE user_id = ? AND kind = 'grant'").bind(u.userId).run();
    let run = await reconcileAll(env as unknown as Env);
    expect(run.details.find((d) => d.user_id === u.userId)).toBeUndefined();

    // The balance no longer matches the Durable Object's own ledger: reported as ledger drift.
    await runInDurableObject(stub, (_: AccountDO, state) => { state.storage.sql.exec("UPDATE account SET balance_nano = balance_nano + 5"); });
    vi.spyOn(console, "error").mockImplementation(() => {});
    run = await reconcileAll(env as unknown as Env);
    expect(run.details.find((d) => d.user_id === u.userId)).toMatchObject({ ledger_drift_nano: 5, drift_nano: 0, balance_drift_nano: 0 });
  });

  it("entries still in the outbox are left out of the comparison (a D1 outage is not drift)", async () => {
    const u = await createUser("1.00");
    await drained(u.userId);
    const stub = account(u.userId);
    await stub.credit(u.userId, { kind: "purchase", amountNano: 300_000_000, ref: "pi_pending" });
    const s = await stub.ledgerSnapshot(0);
    // The snapshot stops before the undelivered purchase: it matches what D1 holds.
    expect(s).toMatchObject({ balanceNano: 1_300_000_000, ledgerSumNano: 1_300_000_000, balanceAtCutNano: USD, openingNano: 0, count: 1, pendingTxns: 1 });
    const d1 = await env.DB.prepare("SELECT count(*) AS n, sum(amount_nano) AS s FROM transactions WHERE user_id = ? AND created_at <= ?").bind(u.userId, s.cutAt).first<{ n: number; s: number }>();
    expect(d1).toEqual({ n: 1, s: USD });
  });

  it("the cron runs it at most every RECONCILE_INTERVAL_MS", async () => {
    expect(JOBS.map((j) => j.name)).toContain("ledger-reconciliation");
    const e = env as unknown as Env;
    const { t } = (await env.DB.prepare("SELECT max(started_at) AS t FROM reconciliation_runs").first<{ t: number }>())!;
    expect(await reconcileIfDue(e, t + RECONCILE_INTERVAL_MS - 1)).toBeNull();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const due = await reconcileIfDue(e, t + RECONCILE_INTERVAL_MS);
    expect(due?.startedAt).toBe(t + RECONCILE_INTERVAL_MS);
    const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM reconciliation_runs WHERE id = ?").bind(due!.id).first<{ n: number }>())!;
    expect(n).toBe(1);
  });
});
