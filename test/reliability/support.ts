import { env, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import type { AccountDO } from "../../src/account/account-do";
import { TEST_PRICE } from "../helpers/catalog";
import { account, drained, usageRows } from "../helpers/gateway";
import { planeApplied, planeFigures } from "../helpers/usage-plane";

// Shared by the fault-injection tests in test/reliability: SSE reading, the books check
// (ledger == balances) and the figures each test reports for docs/reliability.md.

/** nUSD per token at the test prices: input 1000, output 2000. */
export const IN = TEST_PRICE.input / 1000;
export const OUT = TEST_PRICE.output / 1000;
export const USD = 1_000_000_000;

/** Parses the `data:` payloads of complete SSE events in `text`; returns them and the unparsed rest. */
export function sseData(text: string): { events: string[]; rest: string } {
  const parts = text.replace(/\r\n/g, "\n").split("\n\n");
  const rest = parts.pop()!;
  const events = parts.flatMap((p) => p.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()));
  return { events, rest };
}

/** Non-empty content deltas in OpenAI chunks (each paced chunk is "tok ", 4 characters). */
export function contentChunks(events: string[]): { chars: number; chunks: number } {
  let chars = 0;
  let chunks = 0;
  for (const e of events) {
    if (e === "[DONE]") continue;
    const j = JSON.parse(e) as { choices?: Array<{ delta?: { content?: unknown } }> };
    const n = (j.choices ?? []).reduce((a, c) => a + (typeof c.delta?.content === "string" ? c.delta.content.length : 0), 0);
    if (n > 0) { chars += n; chunks++; }
  }
  return { chars, chunks };
}

/** Reads a stream until `k` content chunks arrived, then disconnects. Returns what the client saw. */
export async function readThenDisconnect(res: Response, k: number): Promise<{ chunks: number; chars: number; sawDone: boolean }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const seen: string[] = [];
  while (contentChunks(seen).chunks < k) {
    const r = await reader.read();
    if (r.done) break;
    const { events, rest } = sseData(buffer + decoder.decode(r.value, { stream: true }));
    buffer = rest;
    seen.push(...events);
  }
  await reader.cancel();
  return { ...contentChunks(seen), sawDone: seen.includes("[DONE]") };
}

/**
 * D1's copy of the user's ledger, as D1 holds it now: the entries other than usage charges row by
 * row (transactions), the usage charges as daily statements (the usage plane). Σ amount and count.
 */
export async function d1Ledger(userId: string): Promise<{ n: number; sum: number }> {
  const t = await env.DB.prepare("SELECT count(*) AS n, coalesce(sum(amount_nano), 0) AS sum FROM transactions WHERE user_id = ? AND kind <> 'usage'").bind(userId).first<{ n: number; sum: number }>();
  const { statements } = await planeFigures(userId);
  return { n: t!.n + statements.charges, sum: t!.sum - statements.charged };
}

/**
 * The books after a fault: nothing in flight or held, the outbox empty, the DO ledger and the D1
 * copy identical (same rows, same sum = balance), one usage row per request id and no duplicate.
 */
export async function expectBooksBalance(userId: string) {
  const s = await drained(userId);
  expect(s).toMatchObject({ inFlight: 0, holdsNano: 0, pendingOutbox: 0 });
  await planeApplied(userId);
  const ledger = await account(userId).ledger(1000);
  const d1 = await d1Ledger(userId);
  expect(d1).toEqual({ n: ledger.length, sum: s.balanceNano });
  expect(s.creditsNano - s.usageNano).toBe(s.balanceNano);
  const rows = await usageRows(userId);
  expect(new Set(rows.map((r) => r.request_id)).size).toBe(rows.length);
  return { summary: s, ledger, rows, d1 };
}

type DbHolder = { env: { DB: D1Database } & Record<string, unknown> };

/** A D1 that fails every batch while `down`, and after a recovery may commit a batch but lose the reply. */
export class FlakyD1 {
  down = true;
  failedBatches = 0;
  /** Batches to commit in real D1 and then report as failed (the reply is lost). */
  loseReplies = 0;
  constructor(private readonly real: D1Database) {}
  get db(): D1Database {
    return {
      prepare: (q: string) => this.real.prepare(q),
      batch: async (stmts: D1PreparedStatement[]) => {
        if (this.down) { this.failedBatches++; throw new Error("D1_ERROR: simulated outage (network connection lost)"); }
        const out = await this.real.batch(stmts);
        if (this.loseReplies > 0) { this.loseReplies--; this.failedBatches++; throw new Error("D1_ERROR: reply lost after commit"); }
        return out;
      },
    } as unknown as D1Database;
  }
}

/** Points the user's Durable Object at `db` (its env.DB) until restore() is called. */
export async function swapDoD1(userId: string, db: D1Database, vars: Record<string, string> = {}): Promise<{ restore: () => Promise<void> }> {
  const stub = account(userId) as DurableObjectStub<AccountDO>;
  const original = await runInDurableObject(stub, (instance: AccountDO) => {
    const holder = instance as unknown as DbHolder;
    const before = holder.env;
    holder.env = { ...before, ...vars, DB: db };
    return before;
  });
  return {
    restore: () => runInDurableObject(stub, (instance: AccountDO) => { (instance as unknown as DbHolder).env = original; }),
  };
}

/** The time the user's Durable Object's alarm is set for (null if none). */
export function alarmAt(userId: string): Promise<number | null> {
  return runInDurableObject(account(userId) as DurableObjectStub<AccountDO>, (_i: AccountDO, state) => state.storage.getAlarm());
}

/**
 * Sends the figures a test measured to the stand-in, which writes them to
 * node_modules/.cache/reliability/<name>.json (tests run in workerd and have no host disk).
 * Never fails the test.
 */
export async function writeFigures(name: string, figures: Record<string, unknown>): Promise<void> {
  try {
    const origin = new URL(env.OPENAI_BASE_URL!).origin;
    const res = await fetch(`${origin}/__figures/${name}`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ test: name, date: new Date().toISOString(), ...figures }, null, 2),
    });
    await res.arrayBuffer();
  } catch {
    // figures are for the docs only
  }
}
