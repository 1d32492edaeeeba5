import { one, type Row } from "./storage";
import type { Refusal } from "./types";

/**
 * The limits of the user's plan (table plan_limits, ./storage.ts), as the subscription webhook pushes them (src/billing/plan-limits.ts):
 * one row, replaced only by a push with the same or a newer event time, so a late webhook never
 * brings old limits back. `plan_id` null = no live subscription (the row keeps its event time).
 * Admission reads it without touching D1: a key's own rpm/tpm win, then the plan's, then the defaults.
 */

export interface PlanLimits { planId: string | null; rpm: number | null; tpm: number | null; models: string[] | null }
export interface PlanLimitsPush extends PlanLimits { eventAt: number }

interface LimitsRow extends Row { plan_id: string | null; rpm: number | null; tpm: number | null; models: string | null; event_at: number }

/** What admission last read, per Durable Object; dropped on every write (a rolled-back write only costs a re-read). */
const cache = new WeakMap<SqlStorage, PlanLimits | null>();

/** Stores the push unless a newer one is already stored; returns whether it was applied. Repeating a push changes nothing. */
export function setPlanLimits(sql: SqlStorage, p: PlanLimitsPush): boolean {
  cache.delete(sql);
  return sql.exec(
    `INSERT INTO plan_limits (id, plan_id, rpm, tpm, models, event_at) VALUES (1, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET plan_id = excluded.plan_id, rpm = excluded.rpm, tpm = excluded.tpm, models = excluded.models, event_at = excluded.event_at
     WHERE excluded.event_at >= plan_limits.event_at`,
    p.planId, p.planId ? p.rpm : null, p.planId ? p.tpm : null, p.planId && p.models ? JSON.stringify(p.models) : null, p.eventAt,
  ).rowsWritten > 0;
}

/** The live plan's limits, or null when the user has none. */
export function planLimits(sql: SqlStorage): PlanLimits | null {
  const hit = cache.get(sql);
  if (hit !== undefined) return hit;
  const row = one<LimitsRow>(sql, "SELECT plan_id, rpm, tpm, models, event_at FROM plan_limits WHERE id = 1 AND plan_id IS NOT NULL");
  const limits = row ? { planId: row.plan_id, rpm: row.rpm, tpm: row.tpm, models: row.models ? (JSON.parse(row.models) as string[]) : null } : null;
  cache.set(sql, limits);
  return limits;
}

/** Admission's plan step: a model outside the live plan's list is refused (403 model_not_in_plan); null = allowed. */
export function planModelRefusal(sql: SqlStorage, models: readonly string[]): Refusal | null {
  const allowed = planLimits(sql)?.models;
  const denied = allowed && models.find((id) => !allowed.includes(id));
  if (!denied) return null;
  return { ok: false, status: 403, code: "model_not_in_plan", message: `Your plan does not include the model '${denied}'. Change your plan to use it.` };
}
