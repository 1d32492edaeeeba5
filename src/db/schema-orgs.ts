import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Organizations: one shared balance in the organization's own wallet Durable Object (addressed by its id). */
export const organizations = sqliteTable("organizations", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdBy: text("created_by").notNull(),
  createdAt: integer("created_at").notNull(),
  deletedAt: integer("deleted_at"),
});

/** Membership: owner | admin | member | billing. A removed or departed member keeps the row (removed_at) for the audit trail. */
export const orgMembers = sqliteTable("org_members", {
  orgId: text("org_id").notNull(),
  userId: text("user_id").notNull(),
  role: text("role", { enum: ["owner", "admin", "member", "billing"] }).notNull(),
  joinedAt: integer("joined_at").notNull(),
  removedAt: integer("removed_at"),
}, (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index("org_members_user").on(t.userId)]);

/** Invitations by email: the link carries a signed token; only its SHA-256 is kept. */
export const orgInvitations = sqliteTable("org_invitations", {
  id: text("id").primaryKey(),
  orgId: text("org_id").notNull(),
  email: text("email").notNull(),
  role: text("role", { enum: ["admin", "member", "billing"] }).notNull(),
  tokenHash: text("token_hash").notNull(),
  invitedBy: text("invited_by").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  acceptedAt: integer("accepted_at"),
  acceptedBy: text("accepted_by"),
}, (t) => [uniqueIndex("org_invitations_token").on(t.tokenHash), index("org_invitations_org").on(t.orgId, t.createdAt)]);
