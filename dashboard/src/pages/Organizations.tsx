// Organizations: the switcher, members and invitations, organization keys and member budgets, usage by member, BYOK.
import { useEffect, useState } from "preact/hooks";
import {
  acceptInvitation, createOrg, createOrgKey, getOrg, invite, listMembers, listOrgKeys, listOrgReceipts, listOrgs, orgReceiptUrl, orgUsage, orgUsageCsvUrl,
  patchMember, removeMember, revokeOrgKey, type Invitation, type OrgRole,
} from "../api/orgs";
import type { NewKey } from "../api/types";
import { OrgTopUp } from "../components/OrgTopUp";
import { ProviderKeys } from "../components/ProviderKeys";
import { Card, ErrorBox, Loading, Money, useAsync } from "../components/ui";
import { fmtNum, t } from "../i18n";
import { navigate, useLocation } from "../router";
import { Receipts } from "./BillingExtras";

const MANAGERS: OrgRole[] = ["owner", "admin"];

function Members({ org, manager, onChanged }: { org: string; manager: boolean; onChanged: () => void }) {
  const members = useAsync(() => listMembers(org), [org]);
  const [error, setError] = useState<unknown>(null);
  const [limits, setLimits] = useState<Record<string, string>>({});
  const done = () => { setError(null); members.reload(); onChanged(); };
  return (
    <Card title={t("org_members")} id="members">
      <ErrorBox error={error ?? members.error} />
      {members.data && (
        <table class="data" data-testid="members-table">
          <thead><tr><th scope="col">{t("email")}</th><th scope="col">{t("role")}</th><th scope="col" class="r">{t("spent")}</th><th scope="col">{t("org_member_limit")}</th><th scope="col">{t("actions")}</th></tr></thead>
          <tbody>{members.data.data.map((m) => (
            <tr key={m.user_id} data-member={m.email}>
              <th scope="row">{m.email}</th><td>{t(`org_role_${m.role}` as const)}</td><td class="r"><Money usd={m.spent_usd} /></td>
              <td>{manager ? (
                <form class="form-row" onSubmit={(e) => {
                  e.preventDefault();
                  patchMember(org, m.user_id, { spend_limit_usd: limits[m.user_id] || null }).then(done, setError);
                }}>
                  <input aria-label={`${t("org_member_limit")} ${m.email}`} inputMode="decimal" placeholder={m.spend_limit_usd ?? t("no_limit")}
                    value={limits[m.user_id] ?? ""} onInput={(e) => setLimits({ ...limits, [m.user_id]: e.currentTarget.value })} />
                  <button class="btn btn-small" type="submit">{t("save")}</button>
                </form>
              ) : (m.spend_limit_usd ? <Money usd={m.spend_limit_usd} /> : t("no_limit"))}</td>
              <td>{manager && m.role !== "owner" && (
                <button type="button" class="btn btn-small btn-danger" aria-label={`${t("org_remove")} ${m.email}`}
                  onClick={() => removeMember(org, m.user_id).then(done, setError)}>{t("org_remove")}</button>
              )}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </Card>
  );
}

function Invite({ org }: { org: string }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<OrgRole>("member");
  const [sent, setSent] = useState<Invitation | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <Card title={t("org_invite")} id="invite">
      <ErrorBox error={error} />
      <form class="form-row" onSubmit={(e) => { e.preventDefault(); invite(org, email, role).then((i) => { setSent(i); setEmail(""); setError(null); }, setError); }}>
        <label class="field">{t("email")}<input type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} required data-testid="invite-email" /></label>
        <label class="field">{t("role")}<select value={role} onChange={(e) => setRole(e.currentTarget.value as OrgRole)}>
          {(["member", "admin", "billing"] as const).map((r) => <option key={r} value={r}>{t(`org_role_${r}`)}</option>)}
        </select></label>
        <button class="btn btn-primary" type="submit">{t("org_invite_send")}</button>
      </form>
      {sent && <p role="status">{t("org_invite_sent", { email: sent.email })} <input readOnly value={sent.link ?? ""} data-testid="invite-link" aria-label={t("org_invite_link")} /></p>}
    </Card>
  );
}

function OrgKeys({ org, manager }: { org: string; manager: boolean }) {
  const keys = useAsync(() => listOrgKeys(org), [org]);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<NewKey | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <Card title={t("org_keys")} id="org-keys">
      <ErrorBox error={error ?? keys.error} />
      {created && <p class="alert alert-warn" role="alert">{t("key_shown_once")} <input readOnly value={created.key} data-testid="org-new-key" aria-label={t("your_new_key")} /></p>}
      <form class="form-row" onSubmit={(e) => { e.preventDefault(); createOrgKey(org, name).then((k) => { setCreated(k); setName(""); setError(null); keys.reload(); }, setError); }}>
        <label class="field">{t("key_name")}<input value={name} onInput={(e) => setName(e.currentTarget.value)} required data-testid="org-key-name" /></label>
        <button class="btn btn-primary" type="submit">{t("create_key")}</button>
      </form>
      {keys.data && (
        <table class="data" data-testid="org-keys-table">
          <thead><tr><th scope="col">{t("key_name")}</th><th scope="col">{t("key_prefix")}</th><th scope="col" class="r">{t("spent")}</th><th scope="col">{t("status")}</th><th scope="col">{t("actions")}</th></tr></thead>
          <tbody>{keys.data.data.map((k) => (
            <tr key={k.id}>
              <th scope="row">{k.name}</th><td><code>{k.prefix}…{k.last4}</code></td><td class="r"><Money usd={k.spent_usd} /></td>
              <td>{k.revoked_at ? t("revoked") : t("active")}</td>
              <td>{!k.revoked_at && <button type="button" class="btn btn-small" onClick={() => revokeOrgKey(org, k.id).then(keys.reload, setError)}>{t("revoke")}</button>}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      {manager && <p class="muted">{t("org_keys_note")}</p>}
    </Card>
  );
}

function UsageByMember({ org, emails }: { org: string; emails: Map<string, string> }) {
  const usage = useAsync(() => orgUsage(org, "member"), [org]);
  return (
    <Card title={t("org_usage_by_member")} id="org-usage">
      <ErrorBox error={usage.error} />
      {usage.data && (usage.data.data.length === 0 ? <p class="muted">{t("no_data")}</p> : (
        <table class="data" data-testid="org-usage-table">
          <thead><tr><th scope="col">{t("user")}</th><th scope="col" class="r">{t("org_requests")}</th><th scope="col" class="r">{t("spent")}</th></tr></thead>
          <tbody>{usage.data.data.map((r) => (
            <tr key={r.member ?? "?"}><th scope="row">{emails.get(r.member ?? "") ?? r.member}</th><td class="r">{fmtNum(r.requests)}</td><td class="r"><Money usd={r.cost_usd} /></td></tr>
          ))}</tbody>
        </table>
      ))}
      <p><a href={orgUsageCsvUrl(org, "member")} download>{t("org_export_csv")}</a></p>
    </Card>
  );
}

function OrgView({ org, checkout }: { org: string; checkout: string | null }) {
  const summary = useAsync(() => getOrg(org), [org]);
  const [paid, setPaid] = useState(0);
  const members = useAsync(() => listMembers(org), [org]);
  if (summary.error) return <ErrorBox error={summary.error} />;
  if (!summary.data) return <Loading />;
  const manager = MANAGERS.includes(summary.data.role);
  const emails = new Map((members.data?.data ?? []).map((m) => [m.user_id, m.email]));
  return (
    <>
      <p data-testid="org-summary">{t("org_your_role")}: <strong>{t(`org_role_${summary.data.role}` as const)}</strong>
        {summary.data.balance_usd !== null && <> · {t("org_balance")}: <Money usd={summary.data.balance_usd} /></>}</p>
      <Members org={org} manager={manager} onChanged={() => { summary.reload(); members.reload(); }} />
      {manager && <Invite org={org} />}
      <OrgKeys org={org} manager={manager} />
      <UsageByMember org={org} emails={emails} />
      {summary.data.balance_usd !== null && (
        <>
          <OrgTopUp org={org} checkout={checkout} onPaid={() => { summary.reload(); setPaid((n) => n + 1); }} />
          <Receipts load={() => listOrgReceipts(org)} url={(id) => orgReceiptUrl(org, id)} deps={[org, paid]} />
        </>
      )}
      {manager && <ProviderKeys base={`/api/orgs/${org}`} />}
    </>
  );
}

export default function Organizations() {
  const { search } = useLocation();
  const orgs = useAsync(listOrgs);
  const [selected, setSelected] = useState<string | null>(search.get("org"));
  const [name, setName] = useState("");
  const [error, setError] = useState<unknown>(null);
  const token = search.get("invitation");
  useEffect(() => { if (!selected && orgs.data?.data[0]) setSelected(orgs.data.data[0].id); }, [orgs.data]);
  return (
    <>
      <h1>{t("org_title")}</h1>
      <ErrorBox error={error ?? orgs.error} />
      {token && (
        <div class="alert alert-warn" role="alert">
          <p>{t("org_invitation_pending")}</p>
          <button type="button" class="btn btn-primary" data-testid="accept-invitation" onClick={() => acceptInvitation(token).then((r) => {
            setSelected(r.organization_id); navigate(`/organizations?org=${r.organization_id}`, true); orgs.reload();
          }, setError)}>{t("org_accept")}</button>
        </div>
      )}
      <div class="form-row">
        {orgs.data && orgs.data.data.length > 0 && (
          <label class="field">{t("org_switch")}<select data-testid="org-switcher" value={selected ?? ""} onChange={(e) => setSelected(e.currentTarget.value)}>
            {orgs.data.data.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
          </select></label>
        )}
        <form class="form-row" onSubmit={(e) => { e.preventDefault(); createOrg(name).then((o) => { setSelected(o.id); setName(""); orgs.reload(); }, setError); }}>
          <label class="field">{t("org_new_name")}<input value={name} onInput={(e) => setName(e.currentTarget.value)} required data-testid="org-name" /></label>
          <button class="btn" type="submit">{t("org_create")}</button>
        </form>
      </div>
      {selected && <OrgView key={selected} org={selected} checkout={selected === search.get("org") ? search.get("checkout") : null} />}
    </>
  );
}
