import type { SessionUser } from "../../auth/session";

/** The "user" object of docs/api.md: what the dashboard may see about the signed-in account. */
export function userView(u: SessionUser) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    company: u.company,
    role: u.role,
    email_verified: u.emailVerifiedAt !== null,
    created_at: new Date(u.createdAt).toISOString(),
    locale: u.locale,
    terms_version: u.termsVersion,
  };
}
