import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Promotional credit, plans and auto top-up (docs/billing.md). Money in integer nUSD.
 * Re-exported by ./schema.ts, so drizzle-kit and every import of the schema see these tables.
 */

/** Operator-issued redemption codes: an amount, a cap on total uses and an optional expiry. */
export const promoCodes = sqliteTable("promo_codes", {
  /** Upper case, as typed by the operator (redemption is case-insensitive). */
  code: text("code").primaryKey(),
  amountNano: integer("amount_nano").notNull(),
  maxUses: integer("max_uses").notNull(),
  /** Redemptions so far; kept equal to count(promo_redemptions) by the redeeming batch. */
  uses: integer("uses").notNull().default(0),
  expiresAt: integer("expires_at"),
  note: text("note"),
  createdAt: integer("created_at").notNull(),
});

/**
 * One row per (code, account): the primary key is the "one use per account" rule, and the
 * conditional insert that writes it is the single authority for the total-uses cap.
 */
export const promoRedemptions = sqliteTable("promo_redemptions", {
  code: text("code").notNull(),
  userId: text("user_id").notNull(),
  amountNano: integer("amount_nano").notNull(),
  redeemedAt: integer("redeemed_at").notNull(),
}, (t) => [primaryKey({ columns: [t.code, t.userId] }), index("promo_redemptions_user").on(t.userId, t.redeemedAt)]);

/**
 * The card a user saved for off-session charges (auto top-up, plan renewals), as Stripe reports it
 * in `payment_method.attached`: ids, brand and last 4 digits, never the card number (P8, P10).
 */
export const paymentMethods = sqliteTable("payment_methods", {
  userId: text("user_id").primaryKey(),
  customerId: text("customer_id").notNull(),
  paymentMethodId: text("payment_method_id").notNull(),
  brand: text("brand"),
  last4: text("last4"),
  updatedAt: integer("updated_at").notNull(),
});

/** Operator-defined plans: a monthly Stripe price, the credit each paid invoice includes, and limits. */
export const plans = sqliteTable("plans", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** The Stripe Price (recurring, monthly) invoices name; how an invoice is matched to its plan. */
  stripePriceId: text("stripe_price_id").notNull().unique(),
  priceCents: integer("price_cents").notNull(),
  /** Plan credit per paid period, in nUSD; expires at the period's end. */
  creditNano: integer("credit_nano").notNull(),
  rpm: integer("rpm"),
  tpm: integer("tpm"),
  /** JSON array of model ids the plan may use; null = every model. */
  models: text("models"),
  active: integer("active").notNull().default(1),
  createdAt: integer("created_at").notNull(),
});

/**
 * A user's Stripe subscription as the webhooks report it. `event_at` (the newest event's time)
 * orders updates; `canceled` is final, so a late update never revives a deleted subscription.
 */
export const subscriptions = sqliteTable("subscriptions", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  planId: text("plan_id"),
  /** Stripe's status: active | past_due | unpaid | canceled | incomplete | trialing … */
  status: text("status").notNull(),
  cancelAtPeriodEnd: integer("cancel_at_period_end").notNull().default(0),
  currentPeriodEnd: integer("current_period_end"),
  /** The last payment failure Stripe reported (invoice id), cleared by a paid invoice. */
  lastPaymentError: text("last_payment_error"),
  eventAt: integer("event_at").notNull(),
}, (t) => [index("subscriptions_user").on(t.userId)]);

/**
 * Every price a model has been billed at: id `<model id>@<models.price_updated_at>`, which
 * usage_logs.price_version names. `source` traces each number to where it was read (e.g. the
 * dataset package, version, provider and model) and `read_at` when; `markup_bp` is the operator's margin.
 */
export const priceVersions = sqliteTable("price_versions", {
  id: text("id").primaryKey(),
  modelId: text("model_id").notNull(),
  inputPrice: integer("input_price").notNull(),
  outputPrice: integer("output_price").notNull(),
  cachedInputPrice: integer("cached_input_price"),
  cacheWritePrice: integer("cache_write_price"),
  source: text("source").notNull(),
  readAt: text("read_at").notNull(),
  markupBp: integer("markup_bp").notNull().default(0),
  createdAt: integer("created_at").notNull(),
}, (t) => [index("price_versions_model").on(t.modelId, t.createdAt)]);

/**
 * What a receipt shows besides the amount (P8): the buyer's billing details as Stripe collected them
 * (checkout.session.completed `customer_details`) and the card as Stripe reports it
 * (charge.succeeded: brand and last 4, never the number). Keyed by the checkout session id or the
 * payment intent id, whichever event named it; a receipt reads both.
 */
export const paymentDetails = sqliteTable("payment_details", {
  ref: text("ref").primaryKey(),
  companyName: text("company_name"),
  address: text("address"),
  taxId: text("tax_id"),
  cardBrand: text("card_brand"),
  cardLast4: text("card_last4"),
  updatedAt: integer("updated_at").notNull(),
});
