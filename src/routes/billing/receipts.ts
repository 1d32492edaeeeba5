import { Hono } from "hono";
import { z } from "zod";
import { appOrigin } from "../../auth/config";
import { findReceipt, listReceipts, receiptHeaders, receiptJson, renderReceipt } from "../../billing/receipts";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { validate } from "../../middleware/validate";
import type { SessionEnv } from "../../middleware/session";

/** GET /receipts (the user's paid top-ups) and GET /receipts/:id (a downloadable HTML receipt naming billing details, tax ID and card). */
export const billingReceipts = new Hono<SessionEnv>()
  .get("/receipts", async (c) => c.json({ data: (await listReceipts(c.env, c.get("user").id)).map(receiptJson) }))
  .get("/receipts/:id", validate("param", z.object({ id: z.string().regex(/^top_\w{1,100}$/, "a receipt id") })), async (c) => {
    const user = c.get("user");
    const receipt = await findReceipt(c.env, user.id, c.req.valid("param").id);
    if (!receipt) throw new ApiError(404, "receipt_not_found", "No such receipt for this account.", { param: "id" });
    const html = renderReceipt(receipt, new URL(appOrigin(c.env, c.req.url)).host, user.email);
    return c.body(html, 200, receiptHeaders(receipt));
  });
