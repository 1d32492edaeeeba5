import { PolicyPage, type Section } from "../components/PolicyPage";

const SECTIONS: Section[] = [
  { title: "tos_service_title", body: ["tos_service_body"] },
  { title: "tos_account_title", body: ["tos_account_age", "tos_account_accurate", "tos_account_keys"] },
  { title: "tos_credits_title", body: ["tos_credits_prepaid", "tos_credits_cost", "tos_credits_prices", "tos_credits_overdraft", "tos_credits_no_auto"] },
  { title: "tos_refunds_title", body: ["tos_refunds_window", "tos_refunds_free", "tos_refunds_deletion", "tos_refunds_failed"] },
  { title: "tos_use_title", body: ["tos_use_law", "tos_use_limits", "tos_use_suspend"] },
  { title: "tos_availability_title", body: ["tos_availability_body"] },
  { title: "tos_end_title", body: ["tos_end_body"] },
  { title: "tos_changes_title", body: ["tos_changes_body"] },
];

export default function Terms() {
  return <PolicyPage title="terms_title" intro="tos_intro" sections={SECTIONS} />;
}
