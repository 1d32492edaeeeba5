import { createExecutionContext, createMessageBatch, env, getQueueResult, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { flushAll } from "../../src/account/usage-plane";
import type { ArchiveLine } from "../../src/usage/plane/archive";
import { consumeUsage } from "../../src/usage/plane/consumer";
import type { PlaneRecord, UsageBatchMessage } from "../../src/db/usage-batch";
import type { Env } from "../../src/env";
import { account, drained, settled } from "./gateway";

/** D1's side of one wallet in the usage plane: rollup and statement sums and the cursor. */
export async function planeFigures(userId: string) {
  const r = await env.DB.prepare(`SELECT coalesce(sum(requests), 0) AS requests, coalesce(sum(prompt_tokens), 0) AS prompt,
    coalesce(sum(completion_tokens), 0) AS completion, coalesce(sum(cost_nano), 0) AS cost FROM usage_rollups WHERE user_id = ?`).bind(userId)
    .first<{ requests: number; prompt: number; completion: number; cost: number }>();
  const s = await env.DB.prepare("SELECT coalesce(sum(charges), 0) AS charges, coalesce(sum(charged_nano), 0) AS charged FROM usage_statements WHERE user_id = ?")
    .bind(userId).first<{ charges: number; charged: number }>();
  const c = await env.DB.prepare("SELECT last_batch, records, charged_nano FROM usage_cursors WHERE user_id = ?").bind(userId)
    .first<{ last_batch: number; records: number; charged_nano: number }>();
  return { rollups: r!, statements: s!, cursor: c ?? { last_batch: 0, records: 0, charged_nano: 0 } };
}

/** Drains the wallet and waits until the queue consumer applied every batch it sent. */
export async function planeDelivered(userId: string, timeoutMs = 10_000) {
  await drained(userId);
  return planeApplied(userId, timeoutMs);
}

/** A stand-in for the usage queue that keeps what is sent, for `planeDrained` to hand to the consumer. */
export function directQueue(into: UsageBatchMessage[]): Queue<UsageBatchMessage> {
  return { send: async (m: UsageBatchMessage) => void into.push(m) } as unknown as Queue<UsageBatchMessage>;
}

/**
 * Points one wallet's Durable Object instance (its own env, not the runtime's) at a direct queue
 * collecting into `into`: its alarm's flushes (a second after each ledger step, or run by a test)
 * then reach D1 through `planeDrained(userId, into)` without waiting for the real queue. Call it
 * inside runInDurableObject. A restarted instance uses the real queue again.
 */
export function sendUsageTo(wallet: object, into: UsageBatchMessage[]): void {
  const w = wallet as { env: Env };
  w.env = { ...w.env, USAGE_QUEUE: directQueue(into) };
}

/**
 * Drains the wallet the way its alarm does (outbox into D1, usage batches claimed and marked sent:
 * flushAll, src/account/usage-plane.ts) but hands the batches straight to the queue consumer instead
 * of the queue, so a test does not wait for the queue's batch timeout (max_batch_timeout, 2 s).
 * `sent`: where the wallet's direct queue collects (sendUsageTo); batches it holds, and any it gets
 * meanwhile, are handed over too. A batch the wallet gave the real queue (an alarm) is applied by the
 * queue; the batches after it, which the consumer puts off until then (it applies batch n only after
 * n − 1), are handed over again. Ends when D1 agrees with the wallet (planeApplied).
 * `planeDelivered` goes through the real queue.
 */
export async function planeDrained(userId: string, sent: UsageBatchMessage[] = [], timeoutMs = 10_000) {
  await runInDurableObject(account(userId), (_o, state) => flushAll(state.storage, { ...env, USAGE_QUEUE: directQueue(sent) } as Env, userId));
  let waiting = sent.splice(0);
  const start = Date.now();
  while (waiting.length > 0) {
    const batch = createMessageBatch<UsageBatchMessage>("gateway-usage", waiting.map((body) => ({ id: `d${seq++}-${body.batch}`, timestamp: new Date(), attempts: 1, body })));
    await consumeUsage(batch as MessageBatch<unknown>, env);
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.outcome).toBe("ok");
    const later = new Set(result.retryMessages.map((m) => m.msgId));
    waiting = [...batch.messages.filter((m) => later.has(m.id)).map((m) => m.body), ...sent.splice(0)];
    if (waiting.length === 0) break;
    if (Date.now() - start > timeoutMs) throw new Error(`usage batches ${waiting.map((b) => b.batch)} never applied: an earlier batch is missing`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return planeApplied(userId, timeoutMs);
}

/**
 * What `drained` does (settled, then the outbox and the usage batches flushed) with the batches
 * handed straight to the consumer (planeDrained): the account summary and D1's plane figures.
 */
export async function drainedToD1(userId: string) {
  await settled(userId);
  const plane = await planeDrained(userId);
  return { summary: await account(userId).summary(), plane };
}

/**
 * D1's books of a wallet (after a flush and the consumer's delivery, reservations may still be
 * open): `n` rows and `total` of the transactions other than usage charges plus the usage charges
 * as daily statements (what D1's transactions held with the mirror), and the rollups' usage cost.
 * Drained as planeDrained does; `sent` as there.
 */
export async function d1Books(userId: string, sent: UsageBatchMessage[] = []) {
  const f = await planeDrained(userId, sent);
  const t = await env.DB.prepare("SELECT count(*) AS n, coalesce(sum(amount_nano), 0) AS s FROM transactions WHERE user_id = ? AND kind <> 'usage'")
    .bind(userId).first<{ n: number; s: number }>();
  return { n: t!.n + f.statements.charges, total: t!.s - f.statements.charged, usageCostNano: f.rollups.cost, requests: f.rollups.requests };
}

/** Waits until the queue consumer applied every batch the wallet sent. */
export async function planeApplied(userId: string, timeoutMs = 10_000) {
  const start = Date.now();
  for (;;) {
    const f = await planeFigures(userId);
    const s = await account(userId).usagePlaneSnapshot(f.cursor.last_batch);
    if (s.pendingRecords === 0 && s.atBatch?.chargedNano === f.cursor.charged_nano && s.claimedChargedNano === f.cursor.charged_nano) return f;
    if (Date.now() - start > timeoutMs) throw new Error(`usage plane not delivered: ${JSON.stringify({ f, s })}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every archived line (all days, all wallets), as stored. */
export async function archiveLines(): Promise<{ key: string; text: string; lines: ArchiveLine[] }[]> {
  const out = [];
  const list = await env.USAGE_ARCHIVE.list({ prefix: "usage/" });
  for (const o of list.objects) {
    const text = (await (await env.USAGE_ARCHIVE.get(o.key))!.text());
    out.push({ key: o.key, text, lines: text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as ArchiveLine) });
  }
  return out;
}

let seq = 0;

/** A usage record as a wallet would send it (cost in nUSD, created now). */
export function record(over: Partial<PlaneRecord> = {}): PlaneRecord {
  const now = Date.now();
  return {
    requestId: `req_plane_${seq++}_${Math.random().toString(36).slice(2)}`, keyId: "key_plane", model: "test-echo", provider: "openai",
    endpoint: "chat", stream: false, promptTokens: 11, completionTokens: 7, cachedTokens: 0, reasoningTokens: 0, costNano: 25_000,
    latencyMs: 5, status: "success", httpStatus: 200, usageSource: "upstream", errorCode: null, attempts: 1, routeReason: null,
    createdAt: now, chargedAt: now, ...over,
  };
}

/** Runs the consumer on a hand-made delivery of these messages; returns its acks and retries. */
export async function deliver(messages: UsageBatchMessage[]) {
  const batch = createMessageBatch<UsageBatchMessage>("gateway-usage", messages.map((body, i) => ({ id: `m${seq++}-${i}`, timestamp: new Date(), attempts: 1, body })));
  const ctx = createExecutionContext();
  const stats = await consumeUsage(batch as MessageBatch<unknown>, env);
  const result = await getQueueResult(batch, ctx);
  expect(result.outcome).toBe("ok");
  return { stats, acked: result.explicitAcks.length, retried: result.retryMessages.length };
}
