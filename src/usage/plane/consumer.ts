import { z } from "zod";
import type { Env } from "../../env";
import { archiveLine, writeArchive } from "./archive";
import type { UsageBatchMessage } from "../../db/usage-batch";
import { pseudonymsFor } from "./pseudonyms";
import { planeStatements, summarize, type CursorMove } from "./rollup";

const message = z.object({
  v: z.literal(1),
  userId: z.string().min(1),
  batch: z.number().int().positive(),
  records: z.array(z.object({ requestId: z.string(), keyId: z.string(), model: z.string(), costNano: z.number().int(), createdAt: z.number().int(), chargedAt: z.number().int() }).passthrough()),
});

/** What one consumer run did (logged as one line; the load script reads it). */
export interface ConsumeStats { applied: number; duplicates: number; later: number; records: number; messageBytes: number; d1Statements: number; d1RowsWritten: number; archiveBytes: number }

interface Planned { apply: Message<unknown>[]; skip: Message<unknown>[]; later: Message<unknown>[]; moves: CursorMove[] }

/**
 * Decides per wallet, from D1's cursors: batch n applies only right after n − 1 (the Durable
 * Object sends in order but the queue may not deliver in order: a gap waits for a retry), and a
 * batch at or below the cursor is a redelivery, acknowledged without being applied again.
 */
async function plan(db: D1Database, msgs: Message<unknown>[]): Promise<Planned> {
  const bodies = new Map(msgs.map((m) => [m, m.body as UsageBatchMessage]));
  const users = [...new Set([...bodies.values()].map((b) => b.userId))];
  const { results } = await db.prepare("SELECT ids.value AS user_id, coalesce(c.last_batch, 0) AS last FROM json_each(?) ids LEFT JOIN usage_cursors c ON c.user_id = ids.value")
    .bind(JSON.stringify(users)).all<{ user_id: string; last: number }>();
  const last = new Map(results.map((r) => [r.user_id, r.last]));
  const out: Planned = { apply: [], skip: [], later: [], moves: [] };
  const sorted = [...msgs].sort((a, b) => bodies.get(a)!.batch - bodies.get(b)!.batch);
  const moving = new Map<string, CursorMove>();
  for (const m of sorted) {
    const b = bodies.get(m)!;
    const at = moving.get(b.userId)?.to ?? last.get(b.userId) ?? 0;
    if (b.batch <= at) { out.skip.push(m); continue; }
    if (b.batch > at + 1) { out.later.push(m); continue; }
    const move = moving.get(b.userId) ?? { userId: b.userId, from: at, to: at, records: 0, charged: 0 };
    move.to = b.batch;
    move.records += b.records.length;
    move.charged += b.records.reduce((s, r) => s + r.costNano, 0);
    moving.set(b.userId, move);
    out.apply.push(m);
  }
  out.moves = [...moving.values()];
  return out;
}

/**
 * The queue consumer: archives the applied batches to R2 first (idempotent by content), then
 * moves the cursors and adds to the rollups and statements in one D1 transaction. If anything
 * fails, the applied messages are retried; the cursor makes the retry exact.
 */
export async function consumeUsage(batch: MessageBatch<unknown>, env: Env, now = Date.now()): Promise<ConsumeStats> {
  const valid = batch.messages.filter((m) => {
    if (message.safeParse(m.body).success) return true;
    console.error(`usage plane: malformed message ${m.id} dropped`);
    m.ack();
    return false;
  });
  const stats: ConsumeStats = { applied: 0, duplicates: 0, later: 0, records: 0, messageBytes: 0, d1Statements: 0, d1RowsWritten: 0, archiveBytes: 0 };
  if (valid.length === 0) return stats;
  const p = await plan(env.DB, valid);
  for (const m of p.skip) m.ack();
  for (const m of p.later) m.retry({ delaySeconds: 1 });
  stats.duplicates = p.skip.length;
  stats.later = p.later.length;
  if (p.apply.length === 0) return stats;
  const bodies = p.apply.map((m) => m.body as UsageBatchMessage);
  try {
    const names = await pseudonymsFor(env.DB, [...new Set(bodies.map((b) => b.userId))], now);
    const lines = await Promise.all(bodies.flatMap((b) => b.records.map((r) => archiveLine(r, names.get(b.userId)!))));
    stats.archiveBytes = await writeArchive(env.USAGE_ARCHIVE, bodies.map((b) => `${b.userId}:${b.batch}`), lines);
    const statements = planeStatements(env.DB, p.moves, summarize(bodies, (u) => names.get(u)!.deleted), now);
    const results = await env.DB.batch(statements);
    stats.d1Statements = statements.length;
    stats.d1RowsWritten = results.reduce((s, r) => s + (r.meta.rows_written ?? 0), 0);
  } catch (err) {
    console.error(`usage plane: ${p.apply.length} batches retried: ${err instanceof Error ? err.message : String(err)}`);
    for (const m of p.apply) m.retry({ delaySeconds: 2 });
    return stats;
  }
  for (const m of p.apply) m.ack();
  stats.applied = p.apply.length;
  stats.records = bodies.reduce((s, b) => s + b.records.length, 0);
  stats.messageBytes = bodies.reduce((s, b) => s + JSON.stringify(b).length, 0);
  console.log(`usage plane: ${JSON.stringify(stats)}`);
  return stats;
}
