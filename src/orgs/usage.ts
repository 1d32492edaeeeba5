import type { Env } from "../env";
import { formatUsd } from "../lib/money";
import { readWallet } from "../account/client";
import { contribution } from "../usage/plane/rollup";

export type OrgUsageGroup = "member" | "key" | "model";

const COLUMN: Record<OrgUsageGroup, string> = { member: "k.user_id", key: "u.key_id", model: "u.model" };

interface Sums { grp: string | null; requests: number; cost_nano: number; prompt_tokens: number; completion_tokens: number }

/**
 * An organization's usage grouped by member (who created the key), key or model: D1's hourly
 * rollups of the org's wallet, plus the wallet's records the usage consumer has not applied yet
 * (read after one consistent D1 read of the rollups and the cursor, so each record counts once).
 * The key's row names its member. `member` restricts it to one member's keys (what a plain member may see).
 */
export async function orgUsage(env: Env, orgId: string, groupBy: OrgUsageGroup, member: string | null) {
  const [cursor, rolled] = await env.DB.batch<Record<string, unknown>>([
    env.DB.prepare("SELECT last_batch AS b FROM usage_cursors WHERE user_id = ?").bind(orgId),
    env.DB.prepare(
      `SELECT ${COLUMN[groupBy]} AS grp, coalesce(sum(u.requests), 0) AS requests, coalesce(sum(u.cost_nano), 0) AS cost_nano, coalesce(sum(u.prompt_tokens), 0) AS prompt_tokens, coalesce(sum(u.completion_tokens), 0) AS completion_tokens
       FROM usage_rollups u LEFT JOIN api_keys k ON k.id = u.key_id
       WHERE u.user_id = ?1 AND (?2 IS NULL OR k.user_id = ?2) GROUP BY grp`,
    ).bind(orgId, member),
  ]);
  const sums = new Map<string | null, Sums>((rolled!.results as unknown as Sums[]).map((r) => [r.grp, { ...r }]));
  const tail = (await readWallet(env, orgId, { kind: "unapplied", afterBatch: Number(cursor!.results[0]?.b ?? 0) })).rows;
  const members = await keyMembers(env, [...new Set(tail.map((r) => r.keyId))]);
  for (const r of tail) {
    const who = members.get(r.keyId) ?? null;
    if (member !== null && who !== member) continue;
    const grp = groupBy === "member" ? who : groupBy === "key" ? r.keyId : r.model;
    const s = sums.get(grp) ?? { grp, requests: 0, cost_nano: 0, prompt_tokens: 0, completion_tokens: 0 };
    const [requests, prompt, completion, , , cost] = contribution(r);
    s.requests += requests!; s.prompt_tokens += prompt!; s.completion_tokens += completion!; s.cost_nano += cost!;
    sums.set(grp, s);
  }
  return [...sums.values()].sort((a, b) => b.cost_nano - a.cost_nano).map((r) => ({
    [groupBy]: r.grp, requests: r.requests, cost_usd: formatUsd(r.cost_nano), cost_nano: r.cost_nano, prompt_tokens: r.prompt_tokens, completion_tokens: r.completion_tokens,
  }));
}

/** Key id → the member who created it, for these keys (D1 binds at most 100 values a statement). */
async function keyMembers(env: Env, keyIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < keyIds.length; i += 100) {
    const chunk = keyIds.slice(i, i + 100);
    const { results } = await env.DB.prepare(`SELECT id, user_id FROM api_keys WHERE id IN (${chunk.map(() => "?").join(", ")})`).bind(...chunk).all<{ id: string; user_id: string }>();
    for (const r of results) out.set(r.id, r.user_id);
  }
  return out;
}

const csvField = (v: unknown) => {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** The same figures as CSV (RFC 4180), for the admin's export. */
export function usageCsv(rows: Record<string, unknown>[], groupBy: OrgUsageGroup): string {
  const cols = [groupBy, "requests", "cost_usd", "prompt_tokens", "completion_tokens"];
  return [cols.join(","), ...rows.map((r) => cols.map((c) => csvField(r[c])).join(","))].join("\r\n") + "\r\n";
}
