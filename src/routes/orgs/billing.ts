import { Hono } from "hono";
import { z } from "zod";
import { appOrigin } from "../../auth/config";
import { findReceipt, listReceipts, receiptHeaders, receiptJson, renderReceipt } from "../../billing/receipts";
import { findWalletCheckout, startCheckout } from "../../billing/stripe/checkout";
import { requireStripe } from "../../billing/stripe/client";
import { checkedTopupAmount, checkoutBody, fromCents, topupConfig } from "../../billing/topup-config";
import { ApiError } from "../../errors";
import { formatUsd } from "../../lib/money";
import { requireVerifiedEmail, type SessionEnv } from "../../middleware/session";
import { validate } from "../../middleware/validate";
import { MONEY_ROLES, withRole } from "../../orgs/membership";
import { auditOrg } from "../../orgs/organizations";
import { orgParam } from "./params";

const checkoutParam = orgParam.extend({ checkoutId: z.string().regex(/^cs_\w{1,200}$/, "a checkout id") });
const receiptParam = orgParam.extend({ receiptId: z.string().regex(/^top_\w{1,100}$/, "a receipt id") });

/**
 * The organization's money for owners, admins and billing members: Stripe top-ups of the
 * organization's wallet (the same amount rules and webhook as a user's; the top-up row names the
 * organization's wallet, so the credit lands there and nowhere else) and its receipts.
 */
export const orgBillingRoutes = new Hono<SessionEnv>()
  .post("/:id/topups/checkout", requireVerifiedEmail(), validate("param", orgParam), validate("json", checkoutBody), async (c) => {
    const m = await withRole(c.env, c.req.valid("param").id, c.get("user").id, MONEY_ROLES);
    const stripe = requireStripe(c.env);
    const amount = checkedTopupAmount(topupConfig(c.env), c.req.valid("json").amount_usd);
    const forWallet = { walletId: m.orgId, returnPath: `/organizations?org=${m.orgId}` };
    const { checkoutId, url, topupId } = await startCheckout(c.env, stripe, c.get("user"), amount, appOrigin(c.env, c.req.url), Date.now(), forWallet);
    await auditOrg(c.env, m.userId, "topup_started", null, m.orgId, `${topupId} ${formatUsd(amount)} USD`);
    return c.json({ checkout_id: checkoutId, url });
  })
  .get("/:id/topups/checkout/:checkoutId", validate("param", checkoutParam), async (c) => {
    const { id, checkoutId } = c.req.valid("param");
    const m = await withRole(c.env, id, c.get("user").id, MONEY_ROLES);
    // Only our own record, written by the webhook: the page shows progress, it never fulfils.
    const row = await findWalletCheckout(c.env, checkoutId, m.orgId);
    if (!row) throw new ApiError(404, "checkout_not_found", "No such checkout for this organization.", { param: "checkoutId" });
    return c.json({ status: row.status, amount_usd: formatUsd(fromCents(row.amount_cents)) });
  })
  .get("/:id/receipts", validate("param", orgParam), async (c) => {
    const m = await withRole(c.env, c.req.valid("param").id, c.get("user").id, MONEY_ROLES);
    return c.json({ data: (await listReceipts(c.env, m.orgId)).map(receiptJson) });
  })
  .get("/:id/receipts/:receiptId", validate("param", receiptParam), async (c) => {
    const { id, receiptId } = c.req.valid("param");
    const m = await withRole(c.env, id, c.get("user").id, MONEY_ROLES);
    const receipt = await findReceipt(c.env, m.orgId, receiptId);
    if (!receipt) throw new ApiError(404, "receipt_not_found", "No such receipt for this organization.", { param: "receiptId" });
    return c.body(renderReceipt(receipt, new URL(appOrigin(c.env, c.req.url)).host, m.orgName), 200, receiptHeaders(receipt));
  });
