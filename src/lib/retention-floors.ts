import type { Env } from "../env";
import { ApiError } from "../errors";
import { settings } from "./settings";

export const DAY_MS = 86_400_000;

/** The usage-log promise the operator's policy makes: 12 months (000 §6.2, the default) or 90 days (004 §4.2). */
export const USAGE_POLICIES = { "12-months": 365, "90-days": 90 } as const;
export type UsagePolicy = keyof typeof USAGE_POLICIES;

export interface RetentionPeriods {
  usageMs: number;
  securityMs: number;
  transactionsMs: number;
  unverifiedMs: number;
  deletedMs: number;
  usagePolicy: UsagePolicy;
}

/**
 * One retention setting and the promise that bounds it. `min`: the data must be kept at least that
 * long; `max`: it must be gone within that many days. A setting outside its bound is refused with
 * an error naming the promise (docs/privacy-operations.md, "Retention floors").
 */
interface Rule {
  variable: "RETENTION_USAGE_DAYS" | "RETENTION_SECURITY_DAYS" | "RETENTION_TRANSACTIONS_DAYS" | "RETENTION_UNVERIFIED_DAYS" | "RETENTION_DELETED_DAYS";
  /** The days when the var is unset, if src/lib/settings.ts gives it no default. */
  whenUnset?: string;
  min?: number;
  max?: number;
  promise?: string;
}

function rules(policy: UsagePolicy): Record<Exclude<keyof RetentionPeriods, "usagePolicy">, Rule> {
  const usageDays = USAGE_POLICIES[policy];
  return {
    usageMs: {
      variable: "RETENTION_USAGE_DAYS", whenUnset: String(usageDays), min: usageDays,
      promise: `P19: usage logs are kept at least ${usageDays} days (RETENTION_USAGE_POLICY=${policy})`,
    },
    securityMs: { variable: "RETENTION_SECURITY_DAYS", min: 180, promise: "P19: security logs are kept at least 6 months (180 days)" },
    transactionsMs: { variable: "RETENTION_TRANSACTIONS_DAYS", min: 1825, promise: "P19: transaction records are kept at least 5 years (1825 days)" },
    // Not a promise: how long a never-confirmed sign-up waits before it is purged.
    unverifiedMs: { variable: "RETENTION_UNVERIFIED_DAYS" },
    deletedMs: { variable: "RETENTION_DELETED_DAYS", max: 30, promise: "P19: a deleted account's data is erased within 30 days of deletion" },
  };
}

function refuse(message: string): never {
  console.error(`retention configuration refused: ${message}`);
  throw new ApiError(503, "retention_misconfigured", `This deployment's retention settings break a promise and it refuses to run until the operator fixes them: ${message}.`);
}

function days(env: Env, rule: Rule): number {
  const raw = settings(env)[rule.variable] ?? rule.whenUnset;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) refuse(`${rule.variable}=${raw} is not a whole number of days`);
  if (rule.min !== undefined && n < rule.min) refuse(`${rule.variable}=${n} is below the floor of ${rule.min} days set by ${rule.promise}`);
  if (rule.max !== undefined && n > rule.max) refuse(`${rule.variable}=${n} is above the limit of ${rule.max} days set by ${rule.promise}`);
  return n;
}

/**
 * The retention periods of the running configuration (RETENTION_*_DAYS, RETENTION_USAGE_POLICY),
 * checked against the promises (P19). Throws ApiError 503 `retention_misconfigured` naming the
 * promise when a setting is below its floor (or above its limit); the app checks this before
 * serving anything and the cron before running any job.
 */
export function retentionPeriods(env: Env): RetentionPeriods {
  const policyRaw = settings(env).RETENTION_USAGE_POLICY;
  if (!(policyRaw in USAGE_POLICIES)) refuse(`RETENTION_USAGE_POLICY=${policyRaw} is not one of ${Object.keys(USAGE_POLICIES).join(", ")}`);
  const usagePolicy = policyRaw as UsagePolicy;
  const r = rules(usagePolicy);
  return {
    usageMs: days(env, r.usageMs) * DAY_MS,
    securityMs: days(env, r.securityMs) * DAY_MS,
    transactionsMs: days(env, r.transactionsMs) * DAY_MS,
    unverifiedMs: days(env, r.unverifiedMs) * DAY_MS,
    deletedMs: days(env, r.deletedMs) * DAY_MS,
    usagePolicy,
  };
}
