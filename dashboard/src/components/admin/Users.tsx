import { useState } from "preact/hooks";
import { adminGetUser, adminGrantCredits, adminListUsers, adminRevokeKey, adminSetRole, adminUserKeys } from "../../api/admin";
import { fmtDate, t } from "../../i18n";
import { Card, ErrorBox, Loading, Money, Pager, useAsync, useCursor } from "../ui";

function UserDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const user = useAsync(() => adminGetUser(id), [id]);
  const keys = useAsync(() => adminUserKeys(id), [id]);
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState("");
  const [msg, setMsg] = useState<unknown>(null);
  const u = user.data;
  return (
    <Card title={t("admin_user_detail")} id="admin-user">
      <ErrorBox error={user.error ?? keys.error ?? (msg === true ? null : msg)} />
      {!u ? <Loading /> : (
        <dl class="kv">
          <dt>{t("email")}</dt><dd>{u.email}</dd><dt>{t("status")}</dt><dd>{u.status}</dd><dt>{t("role")}</dt><dd data-testid="user-role">{u.role}</dd>
          <dt>{t("balance")}</dt><dd><Money usd={u.balance_usd} /></dd><dt>{t("reserved")}</dt><dd><Money usd={u.reserved_usd} /></dd>
          <dt>{t("total_credits")}</dt><dd><Money usd={u.total_credits_usd} /></dd><dt>{t("total_usage")}</dt><dd><Money usd={u.total_usage_usd} /></dd>
          <dt>{t("created")}</dt><dd>{fmtDate(u.created_at)}</dd>
        </dl>
      )}
      <form class="row" style="margin-top:1rem" onSubmit={(e) => {
        e.preventDefault();
        adminGrantCredits(id, amount, note, crypto.randomUUID()).then(() => { setMsg(true); setAmount(""); setNote(""); user.reload(); }, setMsg);
      }}>
        <label class="field">{t("grant_amount")}<input inputMode="decimal" required pattern="\d{1,7}(\.\d{1,9})?" value={amount} onInput={(e) => setAmount(e.currentTarget.value)} /></label>
        <label class="field">{t("col_note")}<input required value={note} maxLength={200} onInput={(e) => setNote(e.currentTarget.value)} /></label>
        <button class="btn btn-primary" type="submit">{t("grant_credits")}</button>
      </form>
      {msg === true && <p class="alert alert-ok" role="status">{t("saved")}</p>}
      <div class="actions" style="margin-top:1rem">
        {/* The role comes from the detail (GET /api/admin/users/:id); no button until it is known. */}
        {u && (
          <button type="button" class="btn" data-testid="toggle-admin" onClick={() => adminSetRole(id, u.role === "admin" ? "user" : "admin").then(user.reload, setMsg)}>
            {u.role === "admin" ? t("remove_admin") : t("make_admin")}
          </button>
        )}
        <button type="button" class="btn" onClick={onClose}>{t("close")}</button>
      </div>
      <h3>{t("nav_keys")}</h3>
      {keys.data && (keys.data.data.length === 0 ? <p class="muted">{t("no_keys")}</p> : (
        <div class="table-wrap" tabIndex={0}><table class="data">
          <thead><tr><th scope="col">{t("key_name")}</th><th scope="col">{t("key_prefix")}</th><th scope="col">{t("last_used")}</th><th scope="col">{t("spent")}</th><th scope="col">{t("status")}</th><th scope="col">{t("actions")}</th></tr></thead>
          <tbody>{keys.data.data.map((k) => (
            <tr key={k.id}><td>{k.name}</td><td><code>{k.prefix}…{k.last4}</code></td><td>{fmtDate(k.last_used_at)}</td><td><Money usd={k.spent_usd} /></td>
              <td>{k.revoked_at ? t("revoked") : t("active")}</td>
              <td>{!k.revoked_at && <button type="button" class="btn btn-small" onClick={() => adminRevokeKey(k.id).then(keys.reload, setMsg)}>{t("revoke")}</button>}</td></tr>
          ))}</tbody>
        </table></div>
      ))}
    </Card>
  );
}

export function AdminUsers() {
  const [q, setQ] = useState("");
  const [applied, setApplied] = useState("");
  const page = useCursor();
  const users = useAsync(() => adminListUsers(applied || undefined, page.cursor), [applied, page.cursor]);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <>
      <form class="row" role="search" onSubmit={(e) => { e.preventDefault(); page.reset(); setApplied(q); }}>
        <label class="field">{t("search_users")}<input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} /></label>
        <button class="btn" type="submit">{t("search")}</button>
      </form>
      {open && <UserDetail id={open} onClose={() => setOpen(null)} />}
      <ErrorBox error={users.error} />
      {users.loading && !users.data ? <Loading /> : users.data && (
        <div class="table-wrap" style="margin-top:1rem" tabIndex={0}><table class="data">
          <thead><tr><th scope="col">{t("email")}</th><th scope="col">{t("name")}</th><th scope="col">{t("status")}</th><th scope="col">{t("role")}</th>
            <th scope="col" class="r">{t("balance")}</th><th scope="col">{t("created")}</th><th scope="col">{t("actions")}</th></tr></thead>
          <tbody>{users.data.data.map((u) => (
            <tr key={u.id}><td>{u.email}</td><td>{u.name ?? "—"}</td><td>{u.status}</td><td>{u.role}</td><td class="r"><Money usd={u.balance_usd} /></td>
              <td>{fmtDate(u.created_at)}</td><td><button type="button" class="btn btn-small" onClick={() => setOpen(u.id)} aria-label={`${t("open")} ${u.email}`}>{t("open")}</button></td></tr>
          ))}</tbody>
        </table></div>
      )}
      <Pager hasPrev={page.hasPrev} next={users.data?.next_cursor} onPrev={page.prev} onNext={() => users.data?.next_cursor && page.next(users.data.next_cursor)} />
    </>
  );
}
