import { randomToken } from "../../lib/ids";
import { ADD_SUMS, ROLLUP_SUMS } from "./rollup";

/**
 * Archived usage rows never name a user or a key: they carry the user's pseudonym and
 * key_ref = sha256(salt:key id), both random per user and kept only in D1's usage_pseudonyms.
 * Deleting an account deletes that row (src/retention/account-deletion.ts), so every archived row
 * of the account becomes anonymous without being rewritten (P27). A deleted account's late
 * records are archived as "deleted" and get no new mapping.
 */
export interface Pseudonym { pseudonym: string; salt: string; deleted: boolean }

export const DELETED: Pseudonym = { pseudonym: "deleted", salt: "", deleted: true };

interface MappingRow { user_id: string; pseudonym: string | null; salt: string | null; deleted: number }

// A user id with no users row (e.g. a wallet created by an operator script) is not deleted.
const LOOKUP = `SELECT ids.value AS user_id, p.pseudonym, p.salt,
  EXISTS (SELECT 1 FROM users u WHERE u.id = ids.value AND (u.status = 'deleted' OR u.deleted_at IS NOT NULL)) AS deleted
  FROM json_each(?) ids LEFT JOIN usage_pseudonyms p ON p.user_id = ids.value`;

async function lookup(db: D1Database, userIds: string[]): Promise<MappingRow[]> {
  const { results } = await db.prepare(LOOKUP).bind(JSON.stringify(userIds)).all<MappingRow>();
  return results;
}

/** The pseudonym of each user, created on first use (one D1 row per user, ever). */
export async function pseudonymsFor(db: D1Database, userIds: string[], now: number): Promise<Map<string, Pseudonym>> {
  let rows = await lookup(db, userIds);
  const missing = rows.filter((r) => !r.pseudonym && !r.deleted);
  if (missing.length > 0) {
    await db.batch(missing.map((r) => db.prepare(
      `INSERT OR IGNORE INTO usage_pseudonyms (user_id, pseudonym, salt, created_at) SELECT ?1, ?2, ?3, ?4
       WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = ?1 AND (status = 'deleted' OR deleted_at IS NOT NULL))`,
    ).bind(r.user_id, `p${randomToken(24)}`, randomToken(32), now)));
    rows = await lookup(db, userIds);
  }
  return new Map(rows.map((r) => [r.user_id, r.deleted || !r.pseudonym || !r.salt ? DELETED : { pseudonym: r.pseudonym, salt: r.salt, deleted: false }]));
}

export async function keyRef(p: Pseudonym, keyId: string): Promise<string> {
  if (p.deleted) return "deleted";
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${p.salt}:${keyId}`));
  return [...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
}


/**
 * Account deletion's part in the usage plane (P27): the pseudonym mapping is deleted, so the
 * archive's rows of this account can no longer be tied to it (the archive is not rewritten), and
 * its rollups are merged under key "deleted" as its usage logs are. Statements (financial
 * records) stay. Idempotent; late records of the account are archived as "deleted".
 */
export async function forgetUser(db: D1Database, userId: string): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM usage_pseudonyms WHERE user_id = ?").bind(userId),
    db.prepare(`INSERT INTO usage_rollups (user_id, hour, key_id, model, ${ROLLUP_SUMS.join(", ")})
      SELECT user_id, hour, 'deleted', model, ${ROLLUP_SUMS.map((c) => `sum(${c})`).join(", ")}
      FROM usage_rollups WHERE user_id = ? AND key_id <> 'deleted' GROUP BY user_id, hour, model
      ON CONFLICT (user_id, hour, key_id, model) DO UPDATE SET ${ADD_SUMS}`).bind(userId),
    db.prepare("DELETE FROM usage_rollups WHERE user_id = ? AND key_id <> 'deleted'").bind(userId),
  ]);
}

/** A user's pseudonym if they have one, without making one (readers of the archive). */
export async function pseudonymOf(db: D1Database, userId: string): Promise<Pseudonym | null> {
  const row = await db.prepare("SELECT pseudonym, salt FROM usage_pseudonyms WHERE user_id = ?").bind(userId).first<{ pseudonym: string; salt: string }>();
  return row ? { pseudonym: row.pseudonym, salt: row.salt, deleted: false } : null;
}
