import { Hono } from "hono";
import { z } from "zod";
import { MAX_BALANCE_NANO } from "../../account/ledger";
import { CODE_PATTERN, normalizeCode } from "../../billing/promo";
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

type CodeRow = { code: string; amount_nano: number; max_uses: number; uses: number; expires_at: number | null; note: string | null; created_at: number };
const toJson = (r: CodeRow) => ({
  code: r.code, amount_usd: formatUsd(r.amount_nano), max_uses: r.max_uses, uses: r.uses,
  expires_at: r.expires_at === null ? null : new Date(r.expires_at).toISOString(), note: r.note, created_at: new Date(r.created_at).toISOString(),
});

/** Operator API: POST /promo-codes creates a redemption code (409 if it exists), GET /promo-codes lists them with their uses. */
export const adminPromoCodes = new Hono<AdminEnv>()
  .post("/promo-codes", validate("json", body), async (c) => {
    const b = c.req.valid("json");
    const amount = parseUsd(b.amount_usd);
    if (amount === null || amount <= 0 || amount > MAX_BALANCE_NANO) throw new ApiError(400, "invalid_amount", "amount_usd must be a positive USD amount.", { param: "amount_usd" });
    const row: CodeRow = {
      code: normalizeCode(b.code), amount_nano: amount, max_uses: b.max_uses, uses: 0,
      expires_at: b.expires_at ? Date.parse(b.expires_at) : null, note: b.note ?? null, created_at: Date.now(),
    };
    const res = await c.env.DB.prepare("INSERT OR IGNORE INTO promo_codes (code, amount_nano, max_uses, uses, expires_at, note, created_at) VALUES (?, ?, ?, 0, ?, ?, ?)")
      .bind(row.code, row.amount_nano, row.max_uses, row.expires_at, row.note, row.created_at).run();
    if (res.meta.changes === 0) throw new ApiError(409, "code_exists", "A redemption code with this name exists.", { param: "code" });
    return c.json(toJson(row), 201);
  })
  .get("/promo-codes", async (c) => {
    const { results } = await c.env.DB.prepare("SELECT * FROM promo_codes ORDER BY created_at DESC LIMIT 200").all<CodeRow>();
    return c.json({ data: results.map(toJson) });
  });
