import type { EmailTemplate } from "./outbox";

export type TemplateData = Record<string, string | number | null>;

export interface RenderedEmail { subject: string; text: string; html: string; link: string | null }

interface Parts { subject: string; lines: string[]; link: string | null; action: string | null }

const str = (v: string | number | null | undefined) => (v === null || v === undefined ? "" : String(v));

/**
 * The link of a message: `data.link` when the sender built one (it holds a single-use token),
 * else a dashboard path on the app's origin (APP_ORIGIN or the origin of the request that queued it).
 */
function linkOf(data: TemplateData, origin: string | null, path: string): string | null {
  if (typeof data.link === "string" && data.link) return data.link;
  return origin ? `${origin}${path}` : null;
}

/**
 * Template variables: verify_email {link}; reset_password {link}; change_email {link, new_email};
 * email_changed {new_email}; low_balance {balance_usd, threshold_usd}; account_deleted {refund_usd?};
 * policy_change {terms_version, effective_date?, summary?}; refund_update {amount_usd, status};
 * address_in_use {attempt: "sign_up" | "email_change"}; rights_update {kind, status, request_id} (to the user);
 * rights_reminder {request_id, kind, due_date, days_left} and rights_overdue {request_id, kind, due_date} (to
 * RIGHTS_DESK_EMAIL); auto_topup_charged {amount_usd, balance_usd}; auto_topup_failed {amount_usd, reason};
 * price_change {models, effective_date};
 * org_invitation {link, org_name, role}. Plus an optional
 * `origin` for dashboard links. Never secrets other than the link's own token, never prompt text.
 */
function parts(template: EmailTemplate, d: TemplateData, origin: string | null): Parts {
  switch (template) {
    case "verify_email":
      return { subject: "Confirm your email address", action: "Confirm email", link: linkOf(d, origin, "/verify-email"),
        lines: ["Welcome! Confirm your email address to start using the API.", "The link works once and expires in 24 hours. If you did not sign up, ignore this email."] };
    case "reset_password":
      return { subject: "Reset your password", action: "Choose a new password", link: linkOf(d, origin, "/reset-password"),
        lines: ["Someone (hopefully you) asked to reset your password.", "The link works once and expires in 1 hour; it signs you out everywhere. If it was not you, ignore this email: your password stays the same."] };
    case "change_email":
      return { subject: "Confirm your new email address", action: "Confirm new address", link: linkOf(d, origin, "/verify-email"),
        lines: [`Confirm that ${str(d.new_email) || "this address"} should become the email of your account.`, "The change applies only after you follow the link, which expires in 24 hours."] };
    case "email_changed":
      return { subject: "Your account email was changed", action: "Review your account", link: linkOf({}, origin, "/settings"),
        lines: [`The email address of your account is now ${str(d.new_email)}.`, "If you did not make this change, reset your password and contact support right away."] };
    case "low_balance":
      return { subject: "Your balance is running low", action: "Add credit", link: linkOf(d, origin, "/billing"),
        lines: [`Your balance is ${str(d.balance_usd)} USD, below your alert threshold of ${str(d.threshold_usd)} USD.`, "API requests are refused when the balance runs out."] };
    case "account_deleted":
      return { subject: "Your account was deleted", action: null, link: null,
        lines: ["Your account and its API keys were deleted; usage data is removed or anonymized as described in our privacy policy.",
          d.refund_usd ? `A refund of ${str(d.refund_usd)} USD of unused credit was requested for you.` : "If you did not ask for this, contact support."] };
    case "policy_change":
      return { subject: "We are updating our Terms", action: "Read the Terms", link: linkOf(d, origin, "/terms"),
        lines: [`Our Terms (version ${str(d.terms_version)}) change${d.effective_date ? ` on ${str(d.effective_date)}` : ""}.`,
          ...(d.summary ? [`What changes: ${str(d.summary)}`] : []), "Continuing to use the service after that date means you accept them."] };
    case "address_in_use":
      return { subject: "Your email address was used to sign up", action: "Sign in", link: linkOf({}, origin, "/signin"),
        lines: [d.attempt === "email_change"
          ? "Someone asked to move another account to this address, which already belongs to your account. Nothing was changed."
          : "Someone tried to create an account with this address, which already belongs to your account. No new account was made.",
        "If it was you: sign in, or reset your password from the sign-in page if you forgot it. If not, you can ignore this email."] };
    case "org_invitation":
      return { subject: `You are invited to ${str(d.org_name)}`, action: "Accept the invitation", link: linkOf(d, origin, "/organizations"),
        lines: [`You are invited to join the organization ${str(d.org_name)} as ${str(d.role)}.`, "Sign in with this email address to accept. The link expires in 7 days; if you did not expect it, ignore this email."] };
    case "refund_update":
      return { subject: "Update on your refund request", action: "View refunds", link: linkOf(d, origin, "/billing"),
        lines: [`Your refund request of ${str(d.amount_usd)} USD is now: ${str(d.status)}.`] };
    case "rights_update":
      return { subject: "Your privacy request", action: "View your requests", link: linkOf(d, origin, "/privacy-requests"),
        lines: [`Your request "${str(d.kind)}" (${str(d.request_id)}) is ${str(d.status)}.`, "We answer every privacy request within 30 days."] };
    case "rights_reminder":
      return { subject: `Privacy request due in ${str(d.days_left)} days`, action: "Open the queue", link: linkOf(d, origin, "/admin/privacy-requests"),
        lines: [`The request ${str(d.request_id)} (${str(d.kind)}) must be answered by ${str(d.due_date)}: ${str(d.days_left)} days left.`] };
    case "rights_overdue":
      return { subject: "OVERDUE privacy request", action: "Open the queue", link: linkOf(d, origin, "/admin/privacy-requests"),
        lines: [`The request ${str(d.request_id)} (${str(d.kind)}) was due on ${str(d.due_date)} and is still open: the 30-day promise is broken until it is answered.`] };
    case "auto_topup_charged":
      return { subject: "Auto top-up: your card was charged", action: "View billing", link: linkOf(d, origin, "/billing"),
        lines: [`Your balance fell below your auto top-up threshold, so we charged your saved card ${str(d.amount_usd)} USD.`,
          `Your balance is now ${str(d.balance_usd)} USD. You can change or turn off auto top-up on the billing page.`] };
    case "auto_topup_failed":
      return { subject: "Auto top-up failed and was turned off", action: "Review billing", link: linkOf(d, origin, "/billing"),
        lines: [`We could not charge your saved card ${str(d.amount_usd)} USD (${str(d.reason)}), so auto top-up is now off.`,
          "Nothing was charged. Update your card and turn auto top-up on again if you want it."] };
    case "price_change":
      return { subject: "Prices of models you use are changing", action: "See the models", link: linkOf(d, origin, "/models"),
        lines: [`New prices apply from ${str(d.effective_date)}: ${str(d.models)}.`, "Requests are billed at the price in effect when they are made."] };
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Renders one message: subject, plain text and minimal HTML (English). */
export function renderEmail(template: EmailTemplate, data: TemplateData, origin: string | null): RenderedEmail {
  const p = parts(template, data, typeof data.origin === "string" && data.origin ? data.origin : origin);
  const textLines = [...p.lines, ...(p.link ? ["", `${p.action ?? "Open"}: ${p.link}`] : [])];
  const button = p.link ? `<p><a href="${escapeHtml(p.link)}">${escapeHtml(p.action ?? "Open")}</a></p>` : "";
  const html = `<!doctype html><html><body>${p.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join("")}${button}</body></html>`;
  return { subject: p.subject, text: textLines.join("\n"), html, link: p.link };
}

export const TEMPLATES: readonly EmailTemplate[] = [
  "verify_email", "reset_password", "change_email", "email_changed", "low_balance", "account_deleted", "policy_change", "refund_update",
  "address_in_use", "rights_update", "rights_reminder", "rights_overdue", "auto_topup_charged", "auto_topup_failed", "price_change", "org_invitation",
];
