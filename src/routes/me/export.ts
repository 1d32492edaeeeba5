import { Hono } from "hono";
import { z } from "zod";
import type { Env } from "../../env";
import { validate } from "../../middleware/validate";
import { exportResponse, type ExportFormat } from "../../usage/export";
import { isoTime } from "../../usage/keyset";
import { transactionsSource, usageSource } from "../../usage/sources";
import type { SessionEnv } from "../../middleware/session";

const exportQuery = z.object({ format: z.enum(["csv", "json"]).default("csv"), from: isoTime.optional(), to: isoTime.optional() });

type Range = { from?: number; to?: number };
const EXPORTS: Record<string, (env: Env, userId: string, range: Range, format: ExportFormat) => Response> = {
  usage: (env, userId, range, format) => exportResponse(usageSource(env, { userId, ...range }), format),
  transactions: (env, userId, range, format) => exportResponse(transactionsSource(env, userId, range), format),
};

/** Streamed downloads of the signed-in user's own recent usage records and ledger: GET /export/usage, /export/transactions. */
export const meExport = new Hono<SessionEnv>();
for (const [name, download] of Object.entries(EXPORTS)) {
  meExport.get(`/export/${name}`, validate("query", exportQuery), async (c) => {
    const { format, from, to } = c.req.valid("query");
    const userId = c.get("user").id;
    // Both read the wallet's Durable Object: records and charges of a moment ago are in the file.
    return download(c.env, userId, { from, to }, format);
  });
}
