import { useState } from "preact/hooks";
import { AdminModels } from "../components/admin/Models";
import { AdminAudit, AdminChannels, AdminReconciliation, AdminRefunds, AdminRevenue } from "../components/admin/Operations";
import { AdminUsers } from "../components/admin/Users";
import { t, type Key } from "../i18n";
import { navigate, useLocation } from "../router";

const TABS: [string, Key, () => preact.JSX.Element][] = [
  ["users", "admin_users", AdminUsers], ["models", "admin_models", AdminModels], ["channels", "admin_channels", AdminChannels],
  ["refunds", "admin_refunds", AdminRefunds], ["audit", "admin_audit", AdminAudit], ["reconciliation", "admin_reconciliation", AdminReconciliation],
  ["revenue", "admin_revenue", AdminRevenue],
];

export default function Admin() {
  const tab = useLocation().search.get("tab") ?? "users";
  const [, rerender] = useState(0);
  const active = TABS.find(([id]) => id === tab) ?? TABS[0]!;
  const Panel = active[2];
  return (
    <>
      <h1>{t("admin_title")}</h1>
      <div class="tabs" role="tablist" aria-label={t("admin_sections")}>
        {TABS.map(([id, key]) => (
          <button key={id} type="button" role="tab" id={`admin-tab-${id}`} aria-selected={active[0] === id} aria-controls="admin-panel"
            onClick={() => { navigate(`/admin?tab=${id}`, true); rerender((n) => n + 1); }}>{t(key)}</button>
        ))}
      </div>
      <section id="admin-panel" role="tabpanel" aria-labelledby={`admin-tab-${active[0]}`}><Panel /></section>
    </>
  );
}
