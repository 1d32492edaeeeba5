import { periodSpent, recordKeySpend } from "./keys";
import { num, one, type Row } from "./storage";
import type { Refusal, SpendPeriod } from "./types";

/**
 * An organization wallet's members, next to its keys: each member's spend limit is checked in the
 * same admission step as the key's limit and the shared balance, so no interleaving of requests
 * from many members can pass any of the three. Period counters share key_period_spend under the
 * id `member:<userId>` (src/account/keys.ts).
 */
export interface MemberInfo {
  userId: string;
  spendLimitNano: number | null;
  spendLimitPeriod: SpendPeriod;
  spentNano: number;
  periodSpentNano: number;
  removedAt: number | null;
}

interface MemberRow extends Row { user_id: string; spend_limit_nano: number | null; spend_limit_period: string; spent_nano: number; removed_at: number | null }

const counterId = (userId: string) => `member:${userId}`;

function toInfo(sql: SqlStorage, r: MemberRow, now: number): MemberInfo {
  const period = r.spend_limit_period as SpendPeriod;
  return {
    userId: r.user_id, spendLimitNano: r.spend_limit_nano, spendLimitPeriod: period, spentNano: r.spent_nano, removedAt: r.removed_at,
    periodSpentNano: period === "total" ? r.spent_nano : periodSpent(sql, counterId(r.user_id), period, now),
  };
}

/** Adds a member (again) or changes their spend limit; undefined fields stay as they are. */
export function setMember(sql: SqlStorage, userId: string, limit: { spendLimitNano?: number | null; spendLimitPeriod?: SpendPeriod }, now: number): MemberInfo {
  sql.exec("INSERT INTO members (user_id) VALUES (?) ON CONFLICT (user_id) DO UPDATE SET removed_at = NULL", userId);
  if (limit.spendLimitNano !== undefined) sql.exec("UPDATE members SET spend_limit_nano = ? WHERE user_id = ?", limit.spendLimitNano, userId);
  if (limit.spendLimitPeriod !== undefined) sql.exec("UPDATE members SET spend_limit_period = ? WHERE user_id = ?", limit.spendLimitPeriod, userId);
  return toInfo(sql, one<MemberRow>(sql, "SELECT * FROM members WHERE user_id = ?", userId)!, now);
}

/** Removal or departure: the member's keys are revoked in the same step, so they stop on the very next request. Returns the keys revoked. */
export function removeMember(sql: SqlStorage, userId: string, now: number): string[] {
  sql.exec("UPDATE members SET removed_at = coalesce(removed_at, ?) WHERE user_id = ?", now, userId);
  const keys = sql.exec<{ id: string }>("SELECT id FROM api_keys WHERE member_id = ? AND revoked_at IS NULL", userId).toArray().map((r) => r.id);
  sql.exec("UPDATE api_keys SET revoked_at = ? WHERE member_id = ? AND revoked_at IS NULL", now, userId);
  return keys;
}

export function listMembers(sql: SqlStorage, now: number): MemberInfo[] {
  return sql.exec<MemberRow>("SELECT * FROM members ORDER BY user_id").toArray().map((r) => toInfo(sql, r, now));
}

/**
 * What the member may still reserve: limit − charged this period − the open reservations of all
 * their keys. null = no member limit. A refusal when the member is not (or no longer) a member.
 */
export function memberRoom(sql: SqlStorage, memberId: string, now: number): { room: number | null; member: MemberInfo } | Refusal {
  const row = one<MemberRow>(sql, "SELECT * FROM members WHERE user_id = ?", memberId);
  if (!row || row.removed_at !== null) return { ok: false, status: 401, code: "member_removed", message: "The member who created this key is no longer in the organization." };
  const member = toInfo(sql, row, now);
  if (member.spendLimitNano === null) return { room: null, member };
  const held = num(sql, "SELECT coalesce(sum(r.reserved_nano), 0) FROM requests r JOIN api_keys k ON k.id = r.key_id WHERE k.member_id = ? AND r.state = 'reserved'", memberId);
  return { room: member.spendLimitNano - member.periodSpentNano - held, member };
}

/** A settled charge of a member's key (`memberId`, as recordKeySpend returns it): the member's lifetime total and period counters. */
export function recordMemberSpend(sql: SqlStorage, memberId: string | null, chargeNano: number, now: number): void {
  if (!memberId) return;
  sql.exec("UPDATE members SET spent_nano = spent_nano + ? WHERE user_id = ?", chargeNano, memberId);
  recordKeySpend(sql, counterId(memberId), chargeNano, now);
}
