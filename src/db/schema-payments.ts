import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// Payments: Stripe top-ups, webhook events, refunds and ledger reconciliation runs (re-exported by ./schema.ts).

/** Stripe Checkout top-ups: one row per Checkout Session we created (docs/billing.md). Money in integer nUSD, amount_cents as charged. */
export const topups = sqliteTable("topups", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  checkoutSessionId: text("checkout_session_id"),
  /** Set when the session completes; refunds and disputes find the top-up by it. */
  paymentIntentId: text("payment_intent_id"),
  amountCents: integer("amount_cents").notNull(),
  amountCreditedNano: integer("amount_credited_nano").notNull().default(0),
  /** Refunded so far (operator refunds and refunds reported by Stripe), a running total. */
  amountRefundedNano: integer("amount_refunded_nano").notNull().default(0),
  /** Taken back by lost disputes. */
  amountDisputedNano: integer("amount_disputed_nano").notNull().default(0),
  /** pending | paid | failed | expired */
  status: text("status").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  paidAt: integer("paid_at"),
}, (t) => [
  uniqueIndex("topups_session").on(t.checkoutSessionId),
  index("topups_payment_intent").on(t.paymentIntentId),
  index("topups_user_paid").on(t.userId, t.status, t.paidAt),
  index("topups_paid").on(t.status, t.paidAt),
]);

/** Stripe events already handled (webhook replays answer 200 without doing anything). */
export const stripeEvents = sqliteTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  processedAt: integer("processed_at").notNull(),
});

/**
 * Refund and dispute facts for a payment we cannot match to a user yet (the event came before
 * checkout.session.completed). Applied when that payment is matched. Only ids and amounts, no payloads.
 */
export const stripeDeferred = sqliteTable("stripe_deferred", {
  eventId: text("event_id").primaryKey(),
  paymentIntentId: text("payment_intent_id").notNull(),
  /** JSON of the fact (src/billing/stripe/events/facts.ts). */
  fact: text("fact").notNull(),
  createdAt: integer("created_at").notNull(),
  appliedAt: integer("applied_at"),
}, (t) => [index("stripe_deferred_payment").on(t.paymentIntentId)]);

/** How an approved refund request is split over the user's payments; one Stripe refund per row. */
export const refundParts = sqliteTable("refund_parts", {
  requestId: text("request_id").notNull(),
  paymentIntentId: text("payment_intent_id").notNull(),
  amountCents: integer("amount_cents").notNull(),
  stripeRefundId: text("stripe_refund_id"),
}, (t) => [primaryKey({ columns: [t.requestId, t.paymentIntentId] })]);

/** One ledger reconciliation run (src/billing/reconcile.ts): D1's transactions against each user's Durable Object. */
export const reconciliationRuns = sqliteTable("reconciliation_runs", {
  id: text("id").primaryKey(),
  startedAt: integer("started_at").notNull(),
  finishedAt: integer("finished_at").notNull(),
  usersChecked: integer("users_checked").notNull(),
  driftedUsers: integer("drifted_users").notNull(),
  /** Σ over drifted users of |drift| in nUSD. */
  totalDriftNano: integer("total_drift_nano").notNull(),
  /** JSON array of the drifted users' ids and figures (nUSD); nothing else. */
  details: text("details").notNull(),
}, (t) => [index("reconciliation_runs_started").on(t.startedAt)]);
