import { Hono } from "hono";
import { z } from "zod";
import { MAX_BALANCE_NANO } from "../../account/ledger";
import { CODE_PATTERN, insertPromoCode, listPromoCodes, normalizeCode, type PromoCodeRow } from "../../billing/promo";
import { ApiError } from "../../errors";
import { formatUsd, parseUsd } from "../../lib/money";
import { validate } from "../../middleware/validate";
import type { AdminEnv } from "../../middleware/admin-auth";

const body = z.strictObject({
  code: z.string().regex(CODE_PATTERN, "4-32 letters, digits or dashes"),
  amount_usd: z.string().regex(/^\d{1,7}(\.\d{1,9})?$/, "a positive USD decimal string such as \"5.00\""),
  max_uses: z.number().int().min(1).max(1_000_000),
  expires_at: z.iso.datetime().nullable().optional(),
  note: z.string().max(500).optional(),
});

const toJson = (r: PromoCodeRow) => ({
  code: r.code, amount_usd: formatUsd(r.amount_nano), max_uses: r.max_uses, uses: r.uses,
  expires_at: r.expires_at === null ? null : new Date(r.expires_at).toISOString(), note: r.note, created_at: new Date(r.created_at).toISOString(),
});

/** Operator API: POST /promo-codes creates a redemption code (409 if it exists), GET /promo-codes lists them with their uses. */
export const adminPromoCodes = new Hono<AdminEnv>()
  .post("/promo-codes", validate("json", body), async (c) => {
    const b = c.req.valid("json");
    const amount = parseUsd(b.amount_usd);
    if (amount === null || amount <= 0 || amount > MAX_BALANCE_NANO) throw new ApiError(400, "invalid_amount", "amount_usd must be a positive USD amount.", { param: "amount_usd" });
    const row: PromoCodeRow = {
      code: normalizeCode(b.code), amount_nano: amount, max_uses: b.max_uses, uses: 0,
      expires_at: b.expires_at ? Date.parse(b.expires_at) : null, note: b.note ?? null, created_at: Date.now(),
    };
    if (!(await insertPromoCode(c.env, row))) throw new ApiError(409, "code_exists", "A redemption code with this name exists.", { param: "code" });
    return c.json(toJson(row), 201);
  })
  .get("/promo-codes", async (c) => {
    return c.json({ data: (await listPromoCodes(c.env)).map(toJson) });
  });
