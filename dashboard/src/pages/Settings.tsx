import { useState } from "preact/hooks";
import { logoutAll } from "../api/auth";
import { changeEmail, changePassword, deleteAccount, patchProfile, securityLog } from "../api/me";
import { getPolicy } from "../api/public";
import { LanguageSwitcher } from "../components/Layout";
import { ProviderKeys } from "../components/ProviderKeys";
import { Card, ErrorBox, Loading, Pager, useAsync, useCursor } from "../components/ui";
import { fmtDate, t } from "../i18n";
import { navigate } from "../router";
import { setUser, useSession } from "../session";

function Profile() {
  const { user } = useSession();
  const [name, setName] = useState(user?.name ?? "");
  const [company, setCompany] = useState(user?.company ?? "");
  const [msg, setMsg] = useState<unknown>(null);
  return (
    <Card title={t("profile")} id="profile">
      <form class="stack" onSubmit={(e) => {
        e.preventDefault();
        patchProfile({ name, company }).then(({ user: u }) => { setUser(u); setMsg(true); }, setMsg);
      }}>
        <p>{t("email")}: <strong>{user?.email}</strong> {user?.email_verified ? <span class="badge badge-ok">{t("verified")}</span> : <span class="badge badge-bad">{t("unverified")}</span>}</p>
        <label class="field">{t("name")}<input autocomplete="name" value={name} maxLength={200} onInput={(e) => setName(e.currentTarget.value)} /></label>
        <label class="field">{t("company_optional")}<input autocomplete="organization" value={company} maxLength={200} onInput={(e) => setCompany(e.currentTarget.value)} /></label>
        <button class="btn btn-primary" type="submit">{t("save")}</button>
        {msg === true ? <p class="alert alert-ok" role="status">{t("saved")}</p> : <ErrorBox error={msg} />}
      </form>
    </Card>
  );
}

function EmailAndPassword() {
  const [email, setEmail] = useState("");
  const [emailPw, setEmailPw] = useState("");
  const [cur, setCur] = useState("");
  const [next, setNext] = useState("");
  const [emailMsg, setEmailMsg] = useState<unknown>(null);
  const [pwMsg, setPwMsg] = useState<unknown>(null);
  return (
    <Card title={t("sign_in_details")} id="credentials">
      <form class="stack" onSubmit={(e) => { e.preventDefault(); changeEmail(email, emailPw || undefined).then(() => setEmailMsg(true), setEmailMsg); }}>
        <h3>{t("change_email")}</h3>
        <label class="field">{t("new_email")}<input type="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} /></label>
        <label class="field">{t("current_password")}<input type="password" autocomplete="current-password" value={emailPw} onInput={(e) => setEmailPw(e.currentTarget.value)} /></label>
        <button class="btn" type="submit">{t("change_email")}</button>
        {emailMsg === true ? <p class="alert alert-ok" role="status">{t("email_change_sent")}</p> : <ErrorBox error={emailMsg} />}
      </form>
      <form class="stack" onSubmit={(e) => { e.preventDefault(); changePassword(cur, next).then(() => { setPwMsg(true); setCur(""); setNext(""); }, setPwMsg); }}>
        <h3>{t("change_password")}</h3>
        <label class="field">{t("current_password")}<input type="password" autocomplete="current-password" required value={cur} onInput={(e) => setCur(e.currentTarget.value)} /></label>
        <label class="field">{t("new_password")}<span class="hint">{t("password_hint")}</span>
          <input type="password" autocomplete="new-password" required value={next} onInput={(e) => setNext(e.currentTarget.value)} /></label>
        <button class="btn" type="submit">{t("change_password")}</button>
        {pwMsg === true ? <p class="alert alert-ok" role="status">{t("password_changed")}</p> : <ErrorBox error={pwMsg} />}
      </form>
    </Card>
  );
}

function SecurityLog() {
  const page = useCursor();
  const log = useAsync(() => securityLog(page.cursor, 20), [page.cursor]);
  const [error, setError] = useState<unknown>(null);
  return (
    <Card title={t("security_log")} id="security-log">
      <ErrorBox error={log.error} />
      {log.loading && !log.data ? <Loading /> : log.data && (
        <div class="table-wrap" tabIndex={0}>
          <table class="data" data-testid="security-log">
            <thead><tr><th scope="col">{t("col_time")}</th><th scope="col">{t("col_event")}</th><th scope="col">{t("col_outcome")}</th>
              <th scope="col">{t("col_ip")}</th><th scope="col">{t("col_device")}</th></tr></thead>
            <tbody>{log.data.data.map((ev) => (
              <tr key={ev.id}><td>{fmtDate(ev.created_at)}</td><td>{ev.kind}</td>
                <td><span class={`badge ${ev.outcome === "success" ? "badge-ok" : "badge-bad"}`}>{ev.outcome}</span></td>
                <td>{ev.ip ?? "—"}</td><td title={ev.user_agent ?? ""}>{(ev.user_agent ?? "—").slice(0, 60)}</td></tr>
            ))}</tbody>
          </table>
        </div>
      )}
      <Pager hasPrev={page.hasPrev} next={log.data?.next_cursor} onPrev={page.prev} onNext={() => log.data?.next_cursor && page.next(log.data.next_cursor)} />
      <h3>{t("logout_all")}</h3>
      <p class="muted">{t("logout_all_intro")}</p>
      <ErrorBox error={error} />
      <button type="button" class="btn" onClick={() => logoutAll().then(() => { setUser(null); navigate("/signin"); }, setError)}>{t("logout_all")}</button>
    </Card>
  );
}

function DeleteAccount() {
  const policy = useAsync(getPolicy);
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const p = policy.data;
  return (
    <Card title={t("delete_account")} id="delete-account">
      <p>{t("delete_intro")}</p>
      <ul>
        <li>{t("delete_keys")}</li>
        <li>{t("delete_profile")}</li>
        <li>{t("delete_usage")}</li>
        <li>{t("delete_refund")}</li>
        <li>{t("delete_ledger", { days: p?.retention_days.transactions ?? "…" })}</li>
        <li>{t("delete_security", { days: p?.retention_days.security ?? "…" })}</li>
        <li>{t("delete_email")}</li>
        <li>{t("delete_final")}</li>
      </ul>
      <form class="stack" onSubmit={(e) => {
        e.preventDefault();
        if (confirm !== "DELETE") return;
        setBusy(true);
        deleteAccount({ password: password || undefined, confirm: "DELETE" }).then(() => {
          setUser(null);
          navigate("/signin?deleted=1");
        }, (err: unknown) => { setError(err); setBusy(false); });
      }}>
        <ErrorBox error={error} />
        <label class="field">{t("current_password")}<span class="hint">{t("delete_password_hint")}</span>
          <input type="password" name="delete-password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <label class="field">{t("delete_type_confirm")}
          <input name="delete-confirm" value={confirm} autocomplete="off" onInput={(e) => setConfirm(e.currentTarget.value)} />
        </label>
        <button class="btn btn-danger" type="submit" disabled={busy || confirm !== "DELETE"}>{t("delete_account_button")}</button>
      </form>
    </Card>
  );
}

export default function Settings() {
  return (
    <>
      <h1>{t("settings_title")}</h1>
      <Profile />
      <Card title={t("language")} id="language"><LanguageSwitcher /></Card>
      <EmailAndPassword />
      <ProviderKeys base="/api/me" />
      <SecurityLog />
      <Card title={t("rr_title")} id="privacy-requests"><a href="/privacy-requests">{t("rr_link")}</a></Card>
      <DeleteAccount />
    </>
  );
}
