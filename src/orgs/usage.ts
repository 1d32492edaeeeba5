import type { Env } from "../env";
import { formatUsd } from "../lib/money";

export type OrgUsageGroup = "member" | "key" | "model";

const COLUMN: Record<OrgUsageGroup, string> = { member: "k.user_id", key: "u.key_id", model: "u.model" };

/**
 * An organization's usage from D1, grouped by member (who created the key), key or model. Usage
 * rows carry the wallet (the org id) and the key; the key's row names its member. `member`
 * restricts it to one member's keys (what a plain member may see).
 */
export async function orgUsage(env: Env, orgId: string, groupBy: OrgUsageGroup, member: string | null) {
  const col = COLUMN[groupBy];
  const { results } = await env.DB.prepare(
    `SELECT ${col} AS grp, count(*) AS requests, coalesce(sum(u.cost_nano), 0) AS cost_nano, coalesce(sum(u.prompt_tokens), 0) AS prompt_tokens, coalesce(sum(u.completion_tokens), 0) AS completion_tokens
     FROM usage_logs u LEFT JOIN api_keys k ON k.id = u.key_id
     WHERE u.user_id = ?1 AND (?2 IS NULL OR k.user_id = ?2) GROUP BY grp ORDER BY cost_nano DESC`,
  ).bind(orgId, member).all<{ grp: string | null; requests: number; cost_nano: number; prompt_tokens: number; completion_tokens: number }>();
  return results.map((r) => ({
    [groupBy]: r.grp, requests: r.requests, cost_usd: formatUsd(r.cost_nano), cost_nano: r.cost_nano, prompt_tokens: r.prompt_tokens, completion_tokens: r.completion_tokens,
  }));
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
