import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { runRetention } from "../../src/retention/jobs";
import { runScheduled } from "../../src/scheduled";
import { account } from "../helpers/gateway";
import {
  DAY, present, seedAudit, seedEmail, seedSecurityEvent, seedTransaction, seedUsage, seedUser, usageKey, userRow,
} from "./retention-seed";

// P19 with a controllable clock: rows are placed just outside (older than the period: removed or
// anonymized) and exactly at the boundary (kept) of each period, then the job runs with `now`.

const NOW = Date.now();
const anonymized = { key_id: "anonymized", route_reason: null };
const intact = { key_id: "key_seeded", route_reason: "auto: cheapest" };

describe("retention with the default periods", () => {
  it("usage logs: anonymized after 365 days (key id and routing note), row and cost kept", async () => {
    const u = await seedUser({ createdAt: NOW - 800 * DAY });
    const outside = await seedUsage(u, NOW - 365 * DAY - 1);
    const boundary = await seedUsage(u, NOW - 365 * DAY);
    const recent = await seedUsage(u, NOW - DAY);
    await runRetention(env, NOW);
    expect(await usageKey(outside)).toEqual({ ...anonymized, user_id: u, cost_nano: 20000 });
    expect(await usageKey(boundary)).toMatchObject(intact);
    expect(await usageKey(recent)).toMatchObject(intact);
    // One day later the boundary row is past the period too.
    await runRetention(env, NOW + DAY);
    expect(await usageKey(boundary)).toMatchObject(anonymized);
    expect(await usageKey(recent)).toMatchObject(intact);
  });

  it("security logs: deleted after 180 days; transactions: deleted after 1825 days", async () => {
    const u = await seedUser({ createdAt: NOW - 2000 * DAY });
    const secOld = await seedSecurityEvent(u, NOW - 180 * DAY - 1);
    const secAnon = await seedSecurityEvent(null, NOW - 180 * DAY - 1);
    const secBoundary = await seedSecurityEvent(u, NOW - 180 * DAY);
    const txOld = await seedTransaction(u, NOW - 1825 * DAY - 1);
    const txBoundary = await seedTransaction(u, NOW - 1825 * DAY);
    const txYoung = await seedTransaction(u, NOW - 400 * DAY);
    await runRetention(env, NOW);
    expect([await present.security(secOld), await present.security(secAnon), await present.security(secBoundary)]).toEqual([false, false, true]);
    expect([await present.transaction(txOld), await present.transaction(txBoundary), await present.transaction(txYoung)]).toEqual([false, true, true]);
  });

  it("unverified accounts: purged after 30 days (profile erased, Durable Object closed); verified and younger ones kept", async () => {
    const old = await seedUser({ createdAt: NOW - 30 * DAY - 1, verified: false });
    const boundary = await seedUser({ createdAt: NOW - 30 * DAY, verified: false });
    const verified = await seedUser({ createdAt: NOW - 90 * DAY });
    await account(old).init(old, NOW - 31 * DAY, "unverified");
    await runRetention(env, NOW);
    expect(await userRow(old)).toEqual({ email: `deleted-${old}@invalid`, name: null, status: "deleted", deleted_at: NOW });
    expect((await account(old).summary()).status).toBe("deleted");
    expect(await userRow(boundary)).toMatchObject({ status: "active", name: "Seeded Person", deleted_at: null });
    expect(await userRow(verified)).toMatchObject({ status: "active", name: "Seeded Person" });
    // No confirmation email to a never-confirmed address; the purge is in the security log.
    expect(await env.DB.prepare("SELECT count(*) AS n FROM email_outbox WHERE user_id = ?").bind(old).first("n")).toBe(0);
    expect(await env.DB.prepare("SELECT detail FROM security_events WHERE user_id = ? AND kind = 'account_deleted'").bind(old).first("detail")).toBe("unverified_purge");
  });

  it("deleted accounts: security log and emails erased 30 days after deletion; audit rows kept", async () => {
    const gone = await seedUser({ createdAt: NOW - 400 * DAY, deletedAt: NOW - 30 * DAY - 1 });
    const justGone = await seedUser({ createdAt: NOW - 400 * DAY, deletedAt: NOW - 30 * DAY });
    const rows = {
      goneSec: await seedSecurityEvent(gone, NOW - 31 * DAY), goneMail: await seedEmail(gone, NOW - 31 * DAY), goneAudit: await seedAudit(gone, NOW - 31 * DAY),
      justSec: await seedSecurityEvent(justGone, NOW - 31 * DAY), justMail: await seedEmail(justGone, NOW - 31 * DAY),
    };
    await runRetention(env, NOW);
    expect(await present.security(rows.goneSec)).toBe(false);
    expect(await present.email(rows.goneMail)).toBe(false);
    expect(await present.audit(rows.goneAudit)).toBe(true);
    expect(await present.security(rows.justSec)).toBe(true);
    expect(await present.email(rows.justMail)).toBe(true);
  });

  it("usage settled after an account was deleted (a request still in flight) is anonymized on the next run", async () => {
    const gone = await seedUser({ createdAt: NOW - 10 * DAY, deletedAt: NOW - DAY });
    const late = await seedUsage(gone, NOW - 1000, "key_late");
    await runRetention(env, NOW);
    expect(await usageKey(late)).toMatchObject({ key_id: "deleted", route_reason: null });
  });
});

describe("configured periods (RETENTION_*_DAYS) and bounded batches", () => {
  const custom = { ...env, RETENTION_USAGE_POLICY: "90-days", RETENTION_USAGE_DAYS: "90", RETENTION_SECURITY_DAYS: "200", RETENTION_TRANSACTIONS_DAYS: "2555", RETENTION_UNVERIFIED_DAYS: "7", RETENTION_DELETED_DAYS: "14" } as Env;

  it("each rule uses its configured period instead of the default", async () => {
    const u = await seedUser({ createdAt: NOW - 3000 * DAY });
    const usageOut = await seedUsage(u, NOW - 90 * DAY - 1);
    const usageAt = await seedUsage(u, NOW - 90 * DAY);
    const secKept = await seedSecurityEvent(u, NOW - 190 * DAY); // past the default 180, inside 200
    const secOut = await seedSecurityEvent(u, NOW - 200 * DAY - 1);
    const txKept = await seedTransaction(u, NOW - 1900 * DAY); // past the default 1825, inside 2555
    const txOut = await seedTransaction(u, NOW - 2555 * DAY - 1);
    const unverifiedOut = await seedUser({ createdAt: NOW - 7 * DAY - 1, verified: false });
    const unverifiedAt = await seedUser({ createdAt: NOW - 7 * DAY, verified: false });
    const gone = await seedUser({ createdAt: NOW - 100 * DAY, deletedAt: NOW - 14 * DAY - 1 });
    const goneSec = await seedSecurityEvent(gone, NOW - 20 * DAY);
    await runRetention(custom, NOW);
    expect(await usageKey(usageOut)).toMatchObject(anonymized);
    expect(await usageKey(usageAt)).toMatchObject(intact);
    expect([await present.security(secKept), await present.security(secOut), await present.security(goneSec)]).toEqual([true, false, false]);
    expect([await present.transaction(txKept), await present.transaction(txOut)]).toEqual([true, false]);
    expect((await userRow(unverifiedOut)).status).toBe("deleted");
    expect((await userRow(unverifiedAt)).status).toBe("active");
  });

  it("works in bounded batches: a run touches at most limit × rounds rows, the next run continues", async () => {
    const u = await seedUser({ createdAt: NOW - 900 * DAY });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await seedUsage(u, NOW - 500 * DAY - i));
    const remaining = async () => (await Promise.all(ids.map(usageKey))).filter((r) => r.key_id === "key_seeded").length;
    const first = await runRetention(env, NOW, { limit: 2, rounds: 1 });
    expect(first.usageAnonymized).toBe(2);
    expect(await remaining()).toBe(3);
    await runRetention(env, NOW, { limit: 2, rounds: 1 });
    expect(await remaining()).toBe(1);
    await runRetention(env, NOW, { limit: 2, rounds: 1 });
    expect(await remaining()).toBe(0);
  });

  it("runs from the cron entry point as the \"retention\" job", async () => {
    const u = await seedUser({ createdAt: NOW - 900 * DAY });
    const old = await seedUsage(u, NOW - 366 * DAY);
    const outcome = await runScheduled(env, NOW);
    expect(outcome.retention).toBe("ok");
    expect(await usageKey(old)).toMatchObject(anonymized);
  });
});
