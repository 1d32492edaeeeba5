import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import type { Env } from "../../src/env";
import { ApiError } from "../../src/errors";
import { DAY_MS, retentionPeriods } from "../../src/lib/retention-floors";
import { runScheduled } from "../../src/scheduled";
import { seedUsage, seedUser, usageKey } from "./retention-seed";

// P19: each retention setting refuses a value below the floor its promise sets, naming the promise;
// the deployment then serves nothing and the cron deletes nothing until the operator fixes it.

const withVars = (vars: Record<string, string>) => ({ ...env, ...vars }) as Env;

function refusal(vars: Record<string, string>): ApiError {
  try {
    retentionPeriods(withVars(vars));
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(vars)}`);
}

describe("retention floors (P19): a setting below its promise is refused, naming it", () => {
  it("RETENTION_USAGE_DAYS: below 365 refused under the 12-month policy (the default); 365 accepted", () => {
    const err = refusal({ RETENTION_USAGE_DAYS: "364" });
    expect(err.status).toBe(503);
    expect(err.code).toBe("retention_misconfigured");
    expect(err.message).toContain("RETENTION_USAGE_DAYS=364 is below the floor of 365 days set by P19: usage logs are kept at least 365 days (RETENTION_USAGE_POLICY=12-months)");
    expect(retentionPeriods(withVars({ RETENTION_USAGE_DAYS: "365" })).usageMs).toBe(365 * DAY_MS);
  });

  it("RETENTION_USAGE_DAYS: under RETENTION_USAGE_POLICY=90-days the floor is 90; 89 refused, 90 accepted and the default becomes 90", () => {
    expect(refusal({ RETENTION_USAGE_POLICY: "90-days", RETENTION_USAGE_DAYS: "89" }).message).toContain(
      "RETENTION_USAGE_DAYS=89 is below the floor of 90 days set by P19: usage logs are kept at least 90 days (RETENTION_USAGE_POLICY=90-days)",
    );
    expect(retentionPeriods(withVars({ RETENTION_USAGE_POLICY: "90-days", RETENTION_USAGE_DAYS: "90" })).usageMs).toBe(90 * DAY_MS);
    expect(retentionPeriods(withVars({ RETENTION_USAGE_POLICY: "90-days" })).usageMs).toBe(90 * DAY_MS);
    expect(refusal({ RETENTION_USAGE_POLICY: "1-week" }).message).toContain("RETENTION_USAGE_POLICY=1-week is not one of 12-months, 90-days");
  });

  it("RETENTION_SECURITY_DAYS: below 180 refused (security logs at least 6 months); 180 accepted", () => {
    expect(refusal({ RETENTION_SECURITY_DAYS: "179" }).message).toContain(
      "RETENTION_SECURITY_DAYS=179 is below the floor of 180 days set by P19: security logs are kept at least 6 months (180 days)",
    );
    expect(retentionPeriods(withVars({ RETENTION_SECURITY_DAYS: "180" })).securityMs).toBe(180 * DAY_MS);
  });

  it("RETENTION_TRANSACTIONS_DAYS: below 1825 refused (transactions at least 5 years); 1825 accepted", () => {
    expect(refusal({ RETENTION_TRANSACTIONS_DAYS: "1824" }).message).toContain(
      "RETENTION_TRANSACTIONS_DAYS=1824 is below the floor of 1825 days set by P19: transaction records are kept at least 5 years (1825 days)",
    );
    expect(retentionPeriods(withVars({ RETENTION_TRANSACTIONS_DAYS: "1825" })).transactionsMs).toBe(1825 * DAY_MS);
  });

  it("RETENTION_DELETED_DAYS: above 30 refused (erased within 30 days of deletion); 30 accepted", () => {
    expect(refusal({ RETENTION_DELETED_DAYS: "31" }).message).toContain(
      "RETENTION_DELETED_DAYS=31 is above the limit of 30 days set by P19: a deleted account's data is erased within 30 days of deletion",
    );
    expect(retentionPeriods(withVars({ RETENTION_DELETED_DAYS: "30" })).deletedMs).toBe(30 * DAY_MS);
  });

  it("RETENTION_UNVERIFIED_DAYS has no promise: any whole number of days is accepted; a malformed value of any setting is refused, not defaulted", () => {
    expect(retentionPeriods(withVars({ RETENTION_UNVERIFIED_DAYS: "3" })).unverifiedMs).toBe(3 * DAY_MS);
    expect(refusal({ RETENTION_UNVERIFIED_DAYS: "0" }).message).toContain("RETENTION_UNVERIFIED_DAYS=0 is not a whole number of days");
    expect(refusal({ RETENTION_TRANSACTIONS_DAYS: "5y" }).message).toContain("RETENTION_TRANSACTIONS_DAYS=5y is not a whole number of days");
  });

  it("at start-up: with a setting below its floor every request is refused with 503 naming the promise, and the cron deletes nothing", async () => {
    const broken = withVars({ RETENTION_TRANSACTIONS_DAYS: "30", RETENTION_USAGE_DAYS: "30" });
    const res = await createApp().request("https://gw.test/healthz", {}, broken);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("retention_misconfigured");
    expect(body.error.message).toContain("P19");

    const u = await seedUser({ createdAt: Date.now() - 900 * 86_400_000 });
    const old = await seedUsage(u, Date.now() - 400 * 86_400_000);
    const outcome = await runScheduled(broken);
    expect(Object.values(outcome).every((o) => o === "failed")).toBe(true);
    expect(await usageKey(old)).toMatchObject({ key_id: "key_seeded" });
    expect((await createApp().request("https://gw.test/healthz", {}, env as Env)).status).toBe(200);
  });
});
