import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runRetention } from "../../src/retention/jobs";

const DAY = 24 * 3600_000;
const now = Date.UTC(2027, 5, 15, 12);
const day = (t: number) => new Date(t).toISOString().slice(0, 10);

// P19 for the usage plane: hourly rollups and archived records live as long as usage logs
// (365 days by default), daily charge statements as long as transactions (1825 days).
describe("usage plane retention", () => {
  it("deletes rollups and archive days after the usage period and statements after the transactions period, nothing newer", async () => {
    const rollup = (hour: number) => env.DB.prepare("INSERT INTO usage_rollups (user_id, hour, key_id, model, requests, cost_nano) VALUES ('u_ret', ?, 'key_r', 'm', 1, 10)").bind(hour);
    const statement = (d: string) => env.DB.prepare("INSERT INTO usage_statements (user_id, day, key_id, model, charges, charged_nano) VALUES ('u_ret', ?, 'key_r', 'm', 1, 10)").bind(d);
    await env.DB.batch([
      rollup(now - 366 * DAY), rollup(now - 364 * DAY),
      statement(day(now - 1827 * DAY)), statement(day(now - 1823 * DAY)), statement(day(now - 366 * DAY)),
    ]);
    const old = `usage/dt=${day(now - 367 * DAY)}/aaaa.ndjson`;
    const kept = `usage/dt=${day(now - 363 * DAY)}/bbbb.ndjson`;
    await env.USAGE_ARCHIVE.put(old, "{}\n");
    await env.USAGE_ARCHIVE.put(kept, "{}\n");

    const report = await runRetention(env, now);
    expect(report).toMatchObject({ rollupsDeleted: 1, statementsDeleted: 1, archiveObjectsDeleted: 1 });
    const { results: hours } = await env.DB.prepare("SELECT hour FROM usage_rollups WHERE user_id = 'u_ret'").all<{ hour: number }>();
    expect(hours.map((h) => h.hour)).toEqual([now - 364 * DAY]);
    const { results: days } = await env.DB.prepare("SELECT day FROM usage_statements WHERE user_id = 'u_ret' ORDER BY day").all<{ day: string }>();
    expect(days.map((d) => d.day)).toEqual([day(now - 1823 * DAY), day(now - 366 * DAY)]);
    expect(await env.USAGE_ARCHIVE.head(old)).toBeNull();
    expect(await env.USAGE_ARCHIVE.head(kept)).not.toBeNull();
  });
});
