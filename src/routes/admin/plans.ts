import { Hono } from "hono";
import { z } from "zod";
import { insertPlan, listPlans, planJson, type PlanRow } from "../../billing/plans";
import { ApiError } from "../../errors";
import { parseUsd } from "../../lib/money";
import { validate } from "../../middleware/validate";
import type { AdminEnv } from "../../middleware/admin-auth";

const usd = z.string().regex(/^\d{1,7}(\.\d{1,9})?$/, "a USD decimal string such as \"20.00\"");
const body = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{1,64}$/, "lower-case letters, digits and dashes"),
  name: z.string().min(1).max(100),
  stripe_price_id: z.string().regex(/^price_\w{1,200}$/, "a Stripe price id"),
  price_usd: usd,
  monthly_credit_usd: usd,
  rpm: z.number().int().positive().nullable().optional(),
  tpm: z.number().int().positive().nullable().optional(),
  models: z.array(z.string().min(1).max(200)).max(500).nullable().optional(),
});

/** Operator API: POST /plans defines a plan (its Stripe monthly price, included credit, limits); GET /plans lists every plan. */
export const adminPlans = new Hono<AdminEnv>()
  .post("/plans", validate("json", body), async (c) => {
    const b = c.req.valid("json");
    const price = parseUsd(b.price_usd)!;
    if (price % 10_000_000 !== 0) throw new ApiError(400, "invalid_amount", "price_usd must be whole cents.", { param: "price_usd" });
    const row: PlanRow = {
      id: b.id, name: b.name, stripe_price_id: b.stripe_price_id, price_cents: price / 10_000_000, credit_nano: parseUsd(b.monthly_credit_usd)!,
      rpm: b.rpm ?? null, tpm: b.tpm ?? null, models: b.models ? JSON.stringify(b.models) : null, active: 1, created_at: Date.now(),
    };
    if (!(await insertPlan(c.env, row))) throw new ApiError(409, "plan_exists", "A plan with this id or Stripe price exists.", { param: "id" });
    return c.json(planJson(row), 201);
  })
  .get("/plans", async (c) => {
    return c.json({ data: (await listPlans(c.env)).map(planJson) });
  });
