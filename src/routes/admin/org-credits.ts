import { Hono } from "hono";
import { z } from "zod";
import { accountStub } from "../../account/client";
import { MAX_BALANCE_NANO } from "../../account/ledger";
import { ApiError } from "../../errors";
import { newId } from "../../lib/ids";
import { formatUsd, parseUsd } from "../../lib/money";
import { validate } from "../../middleware/validate";
import { organizationExists } from "../../orgs/organizations";
import type { AdminEnv } from "../../middleware/admin-auth";

const body = z.strictObject({ amount_usd: z.string().regex(/^\d{1,7}(\.\d{1,9})?$/, "a USD decimal string such as \"10.00\""), note: z.string().max(500).optional() });

/** Operator API: POST /orgs/:id/credits grants credit to an organization's shared wallet (one ledger row, audited like every operator call). */
export const adminOrgCredits = new Hono<AdminEnv>()
  .post("/orgs/:id/credits", validate("param", z.object({ id: z.string().regex(/^o[0-9a-z]{20}$/, "not an organization id") })), validate("json", body), async (c) => {
    const { id } = c.req.valid("param");
    const amount = parseUsd(c.req.valid("json").amount_usd);
    if (!amount || amount > MAX_BALANCE_NANO) throw new ApiError(400, "invalid_amount", "amount_usd must be a positive USD amount.", { param: "amount_usd" });
    if (!(await organizationExists(c.env, id))) throw new ApiError(404, "organization_not_found", `No organization '${id}'.`, { param: "id" });
    const result = await accountStub(c.env, id).credit(id, { kind: "grant", amountNano: amount, ref: newId("op_"), note: c.req.valid("json").note ?? null });
    if (!result.ok) throw new ApiError(400, result.code, `A balance may not exceed ${formatUsd(MAX_BALANCE_NANO)} USD.`, { param: "amount_usd" });
    return c.json({ balance_usd: formatUsd(result.entry.balanceAfterNano), transaction_id: result.entry.id }, 201);
  });
