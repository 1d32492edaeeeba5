import type { SpendPeriod } from "./types";

const DAY_MS = 86_400_000;

/** The periods counted for every key, so switching a key's period later starts from exact figures. */
export const TRACKED_PERIODS = ["daily", "weekly", "monthly"] as const;
export type TrackedPeriod = (typeof TRACKED_PERIODS)[number];

/**
 * Start (Unix ms) of the period that contains `now`, in UTC: midnight for "daily", Monday
 * midnight for "weekly" (ISO weeks), the 1st of the month for "monthly"; 0 for "total".
 */
export function periodStart(period: SpendPeriod, now: number): number {
  if (period === "total") return 0;
  const day = Math.floor(now / DAY_MS) * DAY_MS;
  if (period === "daily") return day;
  if (period === "weekly") {
    // getUTCDay: Sunday 0 … Saturday 6; ISO weeks start on Monday.
    const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
    return day - sinceMonday * DAY_MS;
  }
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** When the period containing `now` ends (the next one starts); null for "total". */
export function periodEnd(period: SpendPeriod, now: number): number | null {
  if (period === "total") return null;
  if (period === "daily") return periodStart("daily", now) + DAY_MS;
  if (period === "weekly") return periodStart("weekly", now) + 7 * DAY_MS;
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}
