import { Hono } from "hono";
import { z } from "zod";
import { MAX_BALANCE_NANO } from "../../account/ledger";
import { formatUsd, parseUsd } from "../../lib/money";
import { ApiError } from "../../errors";
import { accountStub } from "../../account/client";
import { newId } from "../../lib/ids";
import { validate } from "../../middleware/validate";
import { requireUser, userIdParam } from "./users";
import type { AdminEnv } from "../../middleware/admin-auth";

const body = z.strictObject({
  amount_usd: z.string().regex(/^-?\d{1,7}(\.\d{1,9})?$/, "a USD decimal string such as \"10.00\""),
  note: z.string().max(500).optional(),
  idempotency_key: z.string().min(1).max(128).optional(),
});

/**
 * Operator API: POST /users/:id/credits adds credit (kind "grant") or, with a negative amount,
 * removes it (kind "adjustment"). With an Idempotency-Key header (or idempotency_key) a retry
 * returns the first result instead of crediting twice.
 */
export const adminCredits = new Hono<AdminEnv>().post("/users/:id/credits", validate("param", userIdParam), validate("json", body), async (c) => {
  const { id } = c.req.valid("param");
  const { amount_usd, note, idempotency_key } = c.req.valid("json");
  const amount = parseUsd(amount_usd);
  if (amount === null || amount === 0 || Math.abs(amount) > MAX_BALANCE_NANO) throw new ApiError(400, "invalid_amount", `amount_usd must be a non-zero USD decimal string of at most ${formatUsd(MAX_BALANCE_NANO)}.`, { param: "amount_usd" });
  await requireUser(c.env, id);
  const idem = c.req.header("idempotency-key") ?? idempotency_key;
  if (idem !== undefined && !/^[\w.:-]{1,128}$/.test(idem)) throw new ApiError(400, "invalid_idempotency_key", "Idempotency keys are 1-128 characters of [A-Za-z0-9_.:-].");
  const ref = idem ? `operator:${idem}` : newId("op_");
  const result = await accountStub(c.env, id).credit(id, {
    kind: amount > 0 ? "grant" : "adjustment", amountNano: amount, ref, note: note ?? null,
  });
  if (!result.ok) {
    throw new ApiError(400, result.code, `A balance may not exceed ${formatUsd(MAX_BALANCE_NANO)} USD.`, { param: "amount_usd" });
  }
  const { entry, duplicate } = result;
  return c.json({
    balance_usd: formatUsd(entry.balanceAfterNano), transaction_id: entry.id, amount_usd: formatUsd(entry.amountNano), replayed: duplicate,
  }, duplicate ? 200 : 201);
});
