import { z } from "zod";
import { MAX_BALANCE_NANO } from "../account/ledger";
import type { KeyPatch } from "../account/types";
import { parseUsd } from "../lib/money";
import { ApiError } from "../errors";

/** Input of key creation and change, shared by the operator API and the dashboard. */
const limits = {
  rpm: z.number().int().min(1).max(1_000_000).nullable().optional(),
  tpm: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
  max_concurrency: z.number().int().min(1).max(10_000).nullable().optional(),
  spend_limit_usd: z.string().regex(/^\d{1,7}(\.\d{1,9})?$/, "a USD decimal string such as \"5.00\"")
    .refine((v) => (parseUsd(v) ?? Infinity) <= MAX_BALANCE_NANO, "at most 1000000.00").nullable().optional(),
  /** null = "total" (the key's lifetime). */
  spend_limit_period: z.enum(["daily", "weekly", "monthly", "total"]).nullable().optional(),
  models: z.array(z.string().min(1).max(256)).min(1).max(500).nullable().optional(),
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
};

const name = z.string().trim().min(1).max(100);

export const createKeySchema = z.strictObject({ name, ...limits });
export const patchKeySchema = z.strictObject({ name: name.optional(), ...limits });
export const keyIdParam = z.object({ id: z.string().regex(/^key_[0-9a-z]{22}$/, "not a key id") });

export type CreateKeyBody = z.infer<typeof createKeySchema>;
export type PatchKeyBody = z.infer<typeof patchKeySchema>;

/** null stays null (clear), undefined stays undefined (unchanged), a value is mapped. */
function mapped<T, U>(v: T | null | undefined, f: (v: T) => U): U | null | undefined {
  return v === undefined ? undefined : v === null ? null : f(v);
}

/** Request fields → the Durable Object's key patch. expires_at must lie in the future. */
export function toKeyPatch(b: PatchKeyBody, now: number): KeyPatch {
  const expiresAt = mapped(b.expires_at, Date.parse);
  if (typeof expiresAt === "number" && expiresAt <= now) {
    throw new ApiError(400, "invalid_request", "expires_at must be in the future.", { param: "expires_at" });
  }
  const patch: KeyPatch = {
    name: b.name, rpm: b.rpm, tpm: b.tpm, maxConcurrency: b.max_concurrency,
    spendLimitNano: mapped(b.spend_limit_usd, (v) => parseUsd(v)!),
    spendLimitPeriod: b.spend_limit_period === null ? "total" : b.spend_limit_period,
    models: b.models, expiresAt,
  };
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as KeyPatch;
}
