import { audit } from "../admin/audit";
import { enqueueEmail } from "../email/outbox";
import type { Env } from "../env";
import { DESK_ACTOR, type RightsRow } from "./rights-desk";
import { REMINDERS, RIGHTS } from "./rights-kinds";
import { settings } from "../lib/settings";

export interface RightsDeskReport { reminded: number; escalated: number }

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Mail to the desk (RIGHTS_DESK_EMAIL); without one configured, the audit row is the only trace. */
async function tellDesk(env: Env, template: "rights_reminder" | "rights_overdue", data: Record<string, string | number>, now: number): Promise<void> {
  const to = settings(env).RIGHTS_DESK_EMAIL;
  if (to) await enqueueEmail(env, { userId: null, to, template, data }, now);
}

/**
 * The scheduled job of the rights desk: for every open request, a reminder to the operator 7 days
 * and 2 days before its due date (each once), and an escalation once it is overdue. Each step is
 * marked on the row before the mail is queued, so a repeated run sends nothing twice; each is
 * in the audit log.
 */
export async function runRightsDesk(env: Env, now: number): Promise<RightsDeskReport> {
  const report: RightsDeskReport = { reminded: 0, escalated: 0 };
  for (const r of REMINDERS) {
    const { results } = await env.DB.prepare(`SELECT * FROM rights_requests WHERE status = 'open' AND ${r.column} IS NULL AND due_at - ? <= ? AND due_at >= ? LIMIT 200`)
      .bind(r.beforeMs, now, now).all<RightsRow>();
    for (const row of results) {
      const marked = await env.DB.prepare(`UPDATE rights_requests SET ${r.column} = ? WHERE id = ? AND ${r.column} IS NULL`).bind(now, row.id).run();
      if (!marked.meta.changes) continue;
      const daysLeft = Math.ceil((row.due_at - now) / 86_400_000);
      await tellDesk(env, "rights_reminder", { request_id: row.id, kind: RIGHTS[row.kind].label, due_date: day(row.due_at), days_left: daysLeft }, now);
      await audit(env, { actor: DESK_ACTOR, action: `rights_request.reminder_${r.days}d`, targetUserId: row.user_id, detail: `${row.id} due ${day(row.due_at)}` }, now);
      report.reminded++;
    }
  }
  const { results: overdue } = await env.DB.prepare("SELECT * FROM rights_requests WHERE status = 'open' AND escalated_at IS NULL AND due_at < ? LIMIT 200").bind(now).all<RightsRow>();
  for (const row of overdue) {
    const marked = await env.DB.prepare("UPDATE rights_requests SET escalated_at = ? WHERE id = ? AND escalated_at IS NULL").bind(now, row.id).run();
    if (!marked.meta.changes) continue;
    await tellDesk(env, "rights_overdue", { request_id: row.id, kind: RIGHTS[row.kind].label, due_date: day(row.due_at) }, now);
    await audit(env, { actor: DESK_ACTOR, action: "rights_request.escalated", targetUserId: row.user_id, detail: `${row.id} overdue since ${day(row.due_at)}` }, now);
    report.escalated++;
  }
  return report;
}
