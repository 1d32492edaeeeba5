/**
 * The rights a user may exercise (P26–P28), as promised by the seeds: 000 §4.1–4.6 (access,
 * correction, deletion, portability, objection; an answer within 30 days), 004 §8 (GDPR: access,
 * rectification, erasure, portability, objection, withdrawing consent; restriction is the GDPR
 * right that goes with them) and 004 §9 (CCPA: know, access, delete, opt out of sale,
 * non-discrimination). `selfService` kinds are answered at once from what the product already
 * does (export, deletion, a fixed statement); the others go to the operator queue.
 */
export const RIGHTS = {
  access: { label: "Access: a copy of my personal data", selfService: true, source: "000 §4.1, 004 §8.1, §9.2" },
  portability: { label: "Portability: my data in a machine-readable format", selfService: true, source: "000 §4.4, 004 §8.4" },
  know: { label: "Right to know: the categories of data collected and why", selfService: true, source: "004 §9.1" },
  erasure: { label: "Erasure: delete my account and personal data", selfService: true, source: "000 §4.3, 004 §8.3, §9.3" },
  opt_out: { label: "Opt out of the sale of my personal information", selfService: true, source: "004 §9.4" },
  rectification: { label: "Rectification: correct data I cannot edit myself", selfService: false, source: "000 §4.2, 004 §8.2" },
  restriction: { label: "Restriction: limit how my data is processed", selfService: false, source: "GDPR art. 18 (with 004 §8)" },
  objection: { label: "Objection to processing", selfService: false, source: "000 §4.5, 004 §8.5" },
  withdraw_consent: { label: "Withdraw consent", selfService: false, source: "004 §8.6" },
  non_discrimination: { label: "Non-discrimination: report different treatment for exercising a right", selfService: false, source: "004 §9.5" },
} as const;

export type RightKind = keyof typeof RIGHTS;
export const RIGHT_KINDS = Object.keys(RIGHTS) as [RightKind, ...RightKind[]];

export const DAY_MS = 86_400_000;
/** Every request is answered within 30 days of filing (000 §4.6, 003, P28). */
export const ANSWER_WITHIN_MS = 30 * DAY_MS;
/** Operator reminders, this long before the due date. */
export const REMINDERS = [{ column: "reminded_7d_at", beforeMs: 7 * DAY_MS, days: 7 }, { column: "reminded_2d_at", beforeMs: 2 * DAY_MS, days: 2 }] as const;

/** What the service keeps about a user, for the right to know (docs/privacy-operations.md). */
export const DATA_CATEGORIES = [
  "profile: email, display name, company, sign-in identities (to provide the account)",
  "API keys: name, prefix and SHA-256 hash (to authenticate requests)",
  "usage records: model, token counts, cost, latency, status, time, key id; never prompt or completion text (billing, statistics)",
  "transactions: purchases, usage charges, refunds, balance history (financial records kept 5 years)",
  "security log: sign-ins, IP addresses, user agents (security, kept 6 months)",
  "emails sent to you (delivery, erased 30 days after deletion)",
];
