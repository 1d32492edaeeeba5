import { Hono } from "hono";
import { z } from "zod";
import { noticeRecipients } from "../../auth/users";
import { queueEmailBatch } from "../../email/outbox";
import { validate } from "../../middleware/validate";
import type { AdminEnv } from "../../middleware/admin-auth";

/** Users read per page and outbox rows written per D1 batch: bounded, whatever the user count. */
const PAGE = 200;

const policyChange = z.strictObject({
  // Part of the outbox id, so limited to characters that keep ids readable and unambiguous.
  version: z.string().regex(/^[0-9A-Za-z.-]{1,32}$/, "letters, digits, '.' and '-' only (at most 32)"),
  effective_date: z.iso.date(),
  summary: z.string().trim().min(1).max(2000),
});

/** One outbox id per (version, user): a retried or repeated call inserts nothing twice. */
export const policyNoticeId = (version: string, userId: string) => `eml_pol_${version}_${userId}`;

/**
 * Operator API: notices of changes (P25). Queues one policy_change email to every active user with
 * a verified address, page by page; `queued` counts only rows that were new, so a retry answers 0.
 */
export const adminNotices = new Hono<AdminEnv>()
  .post("/notices/policy-change", validate("json", policyChange), async (c) => {
    const { version, effective_date, summary } = c.req.valid("json");
    const now = Date.now();
    const data = { terms_version: version, effective_date, summary };
    let queued = 0;
    let recipients = 0;
    for (let after = ""; ;) {
      const results = await noticeRecipients(c.env, after, PAGE);
      if (results.length === 0) break;
      const mails = results.map((u) => ({ id: policyNoticeId(version, u.id), mail: { userId: u.id, to: u.email, template: "policy_change" as const, data } }));
      queued += await queueEmailBatch(c.env, mails, now);
      recipients += results.length;
      after = results.at(-1)!.id;
    }
    return c.json({ version, effective_date, recipients, queued }, 202);
  });
