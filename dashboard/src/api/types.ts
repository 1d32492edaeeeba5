// Request and response types of the dashboard JSON API (docs/api.md). Money is a USD decimal string.

export type Usd = string;
export type Iso = string;
export type Locale = "en" | "zh-TW" | "zh-CN";

export interface Page<T> { data: T[]; next_cursor: string | null }

export interface User {
  id: string; email: string; name: string | null; company: string | null; role: "user" | "admin";
  email_verified: boolean; created_at: Iso; locale: Locale | null; terms_version: string | null;
}

export interface AuthConfig {
  providers: { google: boolean; github: boolean }; terms_version: string; locales: Locale[]; stripe: boolean;
}

export interface RegisterBody {
  email: string; password: string; name: string; company?: string; accept_terms: true; confirm_age_18: true; locale?: Locale;
}

export interface Overview {
  balance_usd: Usd; reserved_usd: Usd; spend_today_usd: Usd; spend_month_usd: Usd; requests_today: number;
  low_balance_threshold_usd: Usd | null; low_balance: boolean; email_verified: boolean;
}

export type SpendPeriod = "daily" | "weekly" | "monthly" | "total";

export interface KeyLimits {
  rpm?: number | null; tpm?: number | null; max_concurrency?: number | null; spend_limit_usd?: Usd | null;
  spend_limit_period?: SpendPeriod | null; models?: string[] | null; expires_at?: Iso | null;
}

export interface ApiKey {
  id: string; name: string; prefix: string; last4: string; created_at: Iso; last_used_at: Iso | null; revoked_at: Iso | null;
  expires_at: Iso | null; rpm: number | null; tpm: number | null; max_concurrency: number | null; spend_limit_usd: Usd | null;
  spend_limit_period: SpendPeriod | null; spent_usd: Usd; models: string[] | null;
}

export interface NewKey extends ApiKey { key: string; warning: string }

export interface UsageRow {
  id: string; created_at: Iso; model: string; provider: string; endpoint: string; key_id: string; stream: boolean;
  prompt_tokens: number; completion_tokens: number; cached_tokens: number; reasoning_tokens: number; cost_usd: Usd;
  latency_ms: number; status: string; http_status: number | null; error_code: string | null; usage_source: string | null; route_reason: string | null;
}

export interface UsageFilter { from?: Iso; to?: Iso; model?: string; key_id?: string; status?: string; limit?: number; cursor?: string }

export type GroupBy = "day" | "model" | "key";
export interface AggregateRow { bucket: string; requests: number; prompt_tokens: number; completion_tokens: number; cost_usd: Usd }

export interface SecurityEvent { id: string; kind: string; outcome: string; ip: string | null; user_agent: string | null; created_at: Iso }

export interface BillingConfig { enabled: boolean; currency: "usd"; min_usd: Usd; max_usd: Usd; presets_usd: Usd[] }
export interface Checkout { checkout_id: string; url: string }
export interface CheckoutStatus { status: "pending" | "paid" | "failed" | "expired"; amount_usd: Usd }
export interface Transaction { id: string; kind: string; amount_usd: Usd; balance_after_usd: Usd; ref: string | null; note: string | null; created_at: Iso }
export interface BalancePoint { date: string; balance_usd: Usd }
export type RefundStatus = "requested" | "approved" | "rejected" | "refunded" | "failed";
export interface Refund { id: string; amount_usd: Usd; status: RefundStatus; source: string; reason: string | null; created_at: Iso; decided_at: Iso | null; user_id?: string; email?: string }

export interface CatalogModel {
  id: string; name: string; owned_by: string; context_length: number; max_output_tokens: number | null; kind: string;
  capabilities: string[]; pricing: { prompt: string; completion: string; input_cache_read: string | null; input_cache_write: string | null };
  price_source: string; price_updated_at: string;
  /** False when no provider of the model is configured on this gateway (absent from older servers). */
  available?: boolean;
}

export interface Policy {
  terms_version: string;
  retention_days: { usage: number; security: number; transactions: number; unverified: number; deleted: number };
  refund_window_days: number; overdraft_usd: Usd; session_ttl_hours: number;
}

export interface AdminUser { id: string; email: string; name: string | null; status: string; role: string; created_at: Iso; balance_usd?: Usd }
export interface AdminUserDetail extends AdminUser { reserved_usd: Usd; total_credits_usd: Usd; total_usage_usd: Usd }
export interface AuditRow { id: string; actor: string; action: string; target_user_id: string | null; detail: string | null; created_at: Iso }
export interface Revenue { paid_usd: Usd; refunded_usd: Usd; usage_usd: Usd; upstream_cost_usd: Usd }
/** Shapes the contract leaves open (channels, reconciliation, admin models) are shown generically. */
export type Loose = Record<string, unknown>;
