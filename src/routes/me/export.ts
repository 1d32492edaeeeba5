import { Hono } from "hono";
import { z } from "zod";
import { database, type Db } from "../../db/client";
import { accountStub } from "../../account/client";
import { validate } from "../../middleware/validate";
import { exportResponse, type ExportFormat } from "../../usage/export";
import { isoTime } from "../../usage/keyset";
import { transactionsSource, usageSource } from "../../usage/sources";
import type { SessionEnv } from "../../middleware/session";

const exportQuery = z.object({ format: z.enum(["csv", "json"]).default("csv"), from: isoTime.optional(), to: isoTime.optional() });

type Range = { from?: number; to?: number };
const EXPORTS: Record<string, (db: Db, userId: string, range: Range, format: ExportFormat) => Response> = {
  usage: (db, userId, range, format) => exportResponse(usageSource(db, { userId, ...range }), format),
  transactions: (db, userId, range, format) => exportResponse(transactionsSource(db, userId, range), format),
};

/** Streamed downloads of the signed-in user's own usage records and ledger: GET /export/usage, /export/transactions. */
export const meExport = new Hono<SessionEnv>();
for (const [name, download] of Object.entries(EXPORTS)) {
  meExport.get(`/export/${name}`, validate("query", exportQuery), async (c) => {
    const { format, from, to } = c.req.valid("query");
    const userId = c.get("user").id;
    // Records still in the Durable Object's outbox belong in the file too.
    await accountStub(c.env, userId).flushOutbox().catch(() => 0);
    return download(database(c.env.DB), userId, { from, to }, format);
  });
}
