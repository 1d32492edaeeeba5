import { PolicyPage, type Section } from "../components/PolicyPage";

const SECTIONS: Section[] = [
  { title: "pp_store_title", body: ["pp_store_account", "pp_store_requests", "pp_store_keys", "pp_store_billing", "pp_store_security"] },
  { title: "pp_never_title", body: ["pp_never_content", "pp_never_cards", "pp_never_playground"] },
  { title: "pp_retention_title", body: ["pp_ret_usage", "pp_ret_security", "pp_ret_transactions", "pp_ret_unverified", "pp_ret_deleted"] },
  { title: "pp_cookies_title", body: ["pp_cookie_session", "pp_cookie_csrf", "pp_cookie_locale", "pp_cookie_none"] },
  { title: "pp_share_title", body: ["pp_share_providers", "pp_share_stripe", "pp_share_email", "pp_share_admin"] },
  { title: "pp_rights_title", body: ["pp_right_access", "pp_right_correct", "pp_right_delete", "pp_right_time"] },
  { title: "pp_age_title", body: ["pp_age_body"] },
  { title: "pp_changes_title", body: ["pp_changes_body"] },
];

export default function Privacy() {
  return <PolicyPage title="privacy_title" intro="pp_intro" sections={SECTIONS} />;
}
