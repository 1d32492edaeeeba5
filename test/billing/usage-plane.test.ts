import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { checkUser } from "../../src/billing/reconcile";
import { account, createUser } from "../helpers/gateway";
import { archiveLines, deliver, planeDelivered, planeFigures, record } from "../helpers/usage-plane";
import { ECHO_COST, echo } from "./ledger-helpers";

const wallet = () => `u_plane_${Math.random().toString(36).slice(2)}`;

describe("usage data plane: Durable Object → queue → R2 archive, D1 rollups and statements", () => {
  it("every settled request reaches the archive, the hourly rollups and the daily statements, equal to the ledger", async () => {
    const u = await createUser("1.00");
    const ids = [await echo(u.userId, u.key), await echo(u.userId, u.key), await echo(u.userId, u.key)];
    const f = await planeDelivered(u.userId);
    const ledger = await account(u.userId).ledger(100);
    const debits = -ledger.filter((e) => e.kind === "usage").reduce((s, e) => s + e.amountNano, 0);
    expect(debits).toBe(3 * ECHO_COST);
    expect(f.rollups).toEqual({ requests: 3, prompt: 33, completion: 21, cost: debits });
    expect(f.statements).toEqual({ charges: 3, charged: debits });
    expect(f.cursor).toMatchObject({ records: 3, charged_nano: debits });

    const p = await env.DB.prepare("SELECT pseudonym FROM usage_pseudonyms WHERE user_id = ?").bind(u.userId).first<{ pseudonym: string }>();
    const mine = (await archiveLines()).flatMap((o) => o.lines).filter((l) => l.pseudonym === p!.pseudonym);
    expect(mine.map((l) => l.request_id).sort()).toEqual([...ids].sort());
    expect(mine.reduce((s, l) => s + l.cost_nano, 0)).toBe(debits);
    // The raw record stays in the wallet's Durable Object for the recent window (/generation reads it).
    expect(await account(u.userId).pendingUsage(ids[0]!)).toMatchObject({ requestId: ids[0], userId: u.userId, costNano: ECHO_COST });
    const objects = await archiveLines();
    // Day first (the lifecycle deletes the oldest prefix), then the user's pseudonym (their export lists only their own objects).
    expect(objects.every((o) => /^usage\/dt=\d{4}-\d{2}-\d{2}\/p=(p[\w-]+|deleted)\/[0-9a-f]{32}\.ndjson$/.test(o.key))).toBe(true);
    expect(objects.every((o) => o.lines.every((l) => o.key.includes(`/p=${l.pseudonym}/`)))).toBe(true);
  });

  it("a redelivered batch is acknowledged and counted once; so is a batch delivered twice in one run", async () => {
    const userId = wallet();
    const b1 = { v: 1 as const, userId, batch: 1, records: [record(), record()] };
    const b2 = { v: 1 as const, userId, batch: 2, records: [record({ costNano: 1000 })] };
    expect((await deliver([b1, b2])).stats).toMatchObject({ applied: 2, records: 3 });
    expect((await planeFigures(userId)).rollups).toEqual({ requests: 3, prompt: 33, completion: 21, cost: 51_000 });
    const b3 = { v: 1 as const, userId, batch: 3, records: [record({ costNano: 4000 })] };
    expect((await deliver([b3])).stats).toMatchObject({ applied: 1, records: 1 });
    const once = await planeFigures(userId);
    expect(once.rollups).toEqual({ requests: 4, prompt: 44, completion: 28, cost: 55_000 });

    const again = await deliver([b2, b1, b3, b1]);
    expect(again).toMatchObject({ acked: 4, retried: 0, stats: { applied: 0, duplicates: 4 } });
    expect(await planeFigures(userId)).toEqual(once);
    expect(once.statements).toEqual({ charges: 4, charged: 55_000 });
    expect(once.cursor).toEqual({ last_batch: 3, records: 4, charged_nano: 55_000 });
  });

  it("a batch that arrives before its predecessor waits for a retry, then applies in order", async () => {
    const userId = wallet();
    const b1 = { v: 1 as const, userId, batch: 1, records: [record()] };
    const b2 = { v: 1 as const, userId, batch: 2, records: [record()] };
    expect(await deliver([b2])).toMatchObject({ acked: 0, retried: 1, stats: { later: 1, applied: 0 } });
    expect((await planeFigures(userId)).rollups.requests).toBe(0);
    expect(await deliver([b2, b1])).toMatchObject({ acked: 2, retried: 0 });
    expect((await planeFigures(userId)).cursor).toEqual({ last_batch: 2, records: 2, charged_nano: 50_000 });
  });

  it("two consumers racing on the same batch apply it once (the cursor guard aborts the loser's transaction)", async () => {
    const userId = wallet();
    const b1 = { v: 1 as const, userId, batch: 1, records: [record(), record(), record()] };
    const runs = await Promise.all([deliver([b1]), deliver([b1]), deliver([b1])]);
    expect(runs.reduce((s, r) => s + r.stats.applied, 0)).toBe(1);
    expect((await planeFigures(userId)).rollups).toEqual({ requests: 3, prompt: 33, completion: 21, cost: 75_000 });
    // The losers retry; on redelivery they see the cursor and acknowledge.
    expect(await deliver([b1])).toMatchObject({ acked: 1, stats: { duplicates: 1 } });
  });

  it("an expired request settled late counts as one request, with its tokens and cost", async () => {
    const userId = wallet();
    const expired = record({ costNano: 0, promptTokens: 0, completionTokens: 0, status: "expired" });
    const late = { ...record(), requestId: expired.requestId, replacesExpired: true };
    await deliver([{ v: 1, userId, batch: 1, records: [expired, late] }]);
    expect((await planeFigures(userId)).rollups).toEqual({ requests: 1, prompt: 11, completion: 7, cost: 25_000 });
  });

  it("reconciliation compares the Durable Object's running totals with D1's cursor and statements and reports a lost or doubled charge", async () => {
    const u = await createUser("1.00");
    await echo(u.userId, u.key);
    await echo(u.userId, u.key);
    await planeDelivered(u.userId);
    expect(await checkUser(env, u.userId, 0)).toBeNull();
    // A doubled or altered statement and a record counted twice.
    await env.DB.prepare("UPDATE usage_statements SET charged_nano = charged_nano + 7 WHERE user_id = ?").bind(u.userId).run();
    await env.DB.prepare("UPDATE usage_cursors SET records = records + 1 WHERE user_id = ?").bind(u.userId).run();
    expect(await checkUser(env, u.userId, 0)).toMatchObject({ user_id: u.userId, plane_drift_nano: -7, plane_record_drift: -1, drift_nano: 0 });
  });

  it("without the D1 mirror, reconciliation checks the other ledger entries row by row and usage through the plane", async () => {
    const off = { ...env, USAGE_D1_MIRROR: "off" };
    const u = await createUser("1.00");
    await echo(u.userId, u.key);
    await planeDelivered(u.userId);
    // Usage rows are not expected in D1 without the mirror: removing them is no drift.
    await env.DB.prepare("DELETE FROM transactions WHERE user_id = ? AND kind = 'usage'").bind(u.userId).run();
    expect(await checkUser(off, u.userId, 0)).toBeNull();
    await env.DB.prepare("UPDATE transactions SET amount_nano = amount_nano + 5 WHERE user_id = ? AND kind = 'grant'").bind(u.userId).run();
    expect(await checkUser(off, u.userId, 0)).toMatchObject({ drift_nano: -5, plane_drift_nano: 0 });
  });
});
