import { z } from "zod";
import { MAX_BALANCE_NANO } from "../account/ledger";
import type { KeyInfo, KeyPatch } from "../account/types";
import { ApiError } from "../errors";
import { formatUsd, parseUsd } from "../lib/money";

/**
 * The provisioning API's key shape, after OpenRouter's (`/api/v1/keys`): `limit` in USD (a number
 * or a decimal string; null = none), `limit_reset` daily | weekly | monthly | null (= lifetime),
 * `disabled`, `expires_at`; plus this gateway's `models`, `rpm` and `tpm`. A key is named by its
 * id where OpenRouter uses `hash`.
 */
const usd = z.union([z.number().finite().min(0), z.string().regex(/^\d{1,7}(\.\d{1,9})?$/)])
  .transform((v) => parseUsd(typeof v === "number" ? v.toFixed(9) : v))
  .refine((n) => n !== null && n <= MAX_BALANCE_NANO, "a USD amount of at most 1000000");

const fields = {
  limit: usd.nullable().optional(),
  limit_reset: z.enum(["daily", "weekly", "monthly"]).nullable().optional(),
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
  models: z.array(z.string().min(1).max(256)).min(1).max(500).nullable().optional(),
  rpm: z.number().int().min(1).max(1_000_000).nullable().optional(),
  tpm: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
  // OpenRouter fields accepted and ignored: BYOK usage is billed as the BYOK fee and always counts.
  include_byok_in_limit: z.boolean().optional(),
};
const name = z.string().trim().min(1).max(100);

export const provisionCreateSchema = z.looseObject({ name, ...fields });
export const provisionPatchSchema = z.looseObject({ name: name.optional(), disabled: z.boolean().optional(), ...fields });
export type ProvisionPatch = z.infer<typeof provisionPatchSchema>;

export function toProvisionPatch(b: ProvisionPatch, now: number): KeyPatch {
  const expiresAt = b.expires_at === undefined ? undefined : b.expires_at === null ? null : Date.parse(b.expires_at);
  if (typeof expiresAt === "number" && expiresAt <= now) throw new ApiError(400, "invalid_request", "expires_at must be in the future.", { param: "expires_at" });
  const patch: KeyPatch = {
    name: b.name, disabled: b.disabled, spendLimitNano: b.limit, rpm: b.rpm, tpm: b.tpm, models: b.models, expiresAt,
    spendLimitPeriod: b.limit_reset === undefined ? undefined : b.limit_reset ?? "total",
  };
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as KeyPatch;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
/** USD as a JSON number written from the integer (never through float arithmetic on money). */
const usdNumber = (nano: number) => Number(formatUsd(nano));

export function provisionView(k: KeyInfo) {
  const limit = k.spendLimitNano;
  return {
    id: k.id, hash: k.id, name: k.name, label: `${k.prefix}…${k.last4}`, disabled: k.disabled || k.revokedAt !== null,
    limit: limit === null ? null : usdNumber(limit),
    limit_remaining: limit === null ? null : usdNumber(Math.max(0, limit - k.periodSpentNano)),
    limit_reset: k.spendLimitPeriod === "total" ? null : k.spendLimitPeriod,
    usage: usdNumber(k.spentNano), created_at: iso(k.createdAt), expires_at: iso(k.expiresAt), revoked_at: iso(k.revokedAt),
    models: k.models, rpm: k.rpm, tpm: k.tpm,
  };
}
