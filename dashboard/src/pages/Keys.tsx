import { useState } from "preact/hooks";
import { createKey, listKeys, patchKey, revokeKey } from "../api/me";
import type { ApiKey, NewKey } from "../api/types";
import { KeyForm } from "../components/KeyForm";
import { Card, CopyButton, ErrorBox, Loading, Money, useAsync } from "../components/ui";
import { fmtDate, fmtNum, t } from "../i18n";

function limits(k: ApiKey): string {
  const parts: string[] = [];
  if (k.rpm) parts.push(`${fmtNum(k.rpm)} ${t("unit_rpm")}`);
  if (k.tpm) parts.push(`${fmtNum(k.tpm)} ${t("unit_tpm")}`);
  if (k.max_concurrency) parts.push(`${fmtNum(k.max_concurrency)} ${t("unit_concurrent")}`);
  if (k.models?.length) parts.push(k.models.join(", "));
  return parts.join(" · ") || t("no_limits");
}

function NewKeyNotice({ created, onDone }: { created: NewKey; onDone: () => void }) {
  return (
    <div class="alert alert-warn" role="alert" data-testid="new-key">
      <h2>{t("key_created_title")}</h2>
      <p><strong>{t("key_shown_once")}</strong></p>
      <label class="field">{t("your_new_key")}
        <input readOnly value={created.key} onFocus={(e) => e.currentTarget.select()} data-testid="new-key-value" />
      </label>
      <div class="actions"><CopyButton text={created.key} label={t("copy_key")} /><button class="btn" type="button" onClick={onDone}>{t("key_stored")}</button></div>
    </div>
  );
}

function KeyRow({ k, onChanged }: { k: ApiKey; onChanged: () => void }) {
  const [mode, setMode] = useState<"view" | "edit" | "confirm">("view");
  const [error, setError] = useState<unknown>(null);
  const revoked = !!k.revoked_at;
  return (
    <>
      <tr>
        <th scope="row">{k.name}</th>
        <td><code>{k.prefix}…{k.last4}</code></td>
        <td>{fmtDate(k.created_at)}</td>
        <td>{k.last_used_at ? fmtDate(k.last_used_at) : t("never")}</td>
        <td class="r"><Money usd={k.spent_usd} /></td>
        <td>{k.spend_limit_usd ? <><Money usd={k.spend_limit_usd} /> {t(`period_${k.spend_limit_period ?? "total"}` as const)}</> : t("no_limit")}</td>
        <td>{limits(k)}</td>
        <td>{k.expires_at ? fmtDate(k.expires_at, false) : t("never")}</td>
        <td>{revoked ? <span class="badge badge-bad">{t("revoked")}</span> : <span class="badge badge-ok">{t("active")}</span>}</td>
        <td>
          {!revoked && mode === "view" && (
            <div class="actions">
              <button type="button" class="btn btn-small" onClick={() => setMode("edit")} aria-label={`${t("edit")} ${k.name}`}>{t("edit")}</button>
              <button type="button" class="btn btn-small" onClick={() => setMode("confirm")} aria-label={`${t("revoke")} ${k.name}`}>{t("revoke")}</button>
            </div>
          )}
          {mode === "confirm" && (
            <div class="actions" role="group" aria-label={t("revoke_confirm")}>
              <span>{t("revoke_confirm")}</span>
              <button type="button" class="btn btn-small btn-danger" onClick={() => revokeKey(k.id).then(onChanged, setError)}>{t("revoke_yes")}</button>
              <button type="button" class="btn btn-small" onClick={() => setMode("view")}>{t("cancel")}</button>
            </div>
          )}
        </td>
      </tr>
      {(mode === "edit" || error) && (
        <tr><td colSpan={10}>
          <ErrorBox error={error} />
          {mode === "edit" && <KeyForm idPrefix={`edit-${k.id}`} initial={k} submitLabel={t("save")} onCancel={() => setMode("view")}
            onSubmit={(body) => patchKey(k.id, body).then(() => { setMode("view"); onChanged(); }, setError)} />}
        </td></tr>
      )}
    </>
  );
}

export default function Keys() {
  const keys = useAsync(listKeys);
  const [created, setCreated] = useState<NewKey | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [formKey, setFormKey] = useState(0);
  return (
    <>
      <h1>{t("keys_title")}</h1>
      {created && <NewKeyNotice created={created} onDone={() => setCreated(null)} />}
      <Card title={t("create_key")} id="create-key">
        <ErrorBox error={error} />
        <KeyForm key={formKey} idPrefix="new" submitLabel={t("create_key")} onSubmit={(body) => createKey(body).then((k) => {
          setCreated(k); setError(null); setFormKey(formKey + 1); keys.reload();
        }, setError)} />
      </Card>
      <h2>{t("your_keys")}</h2>
      <ErrorBox error={keys.error} />
      {keys.loading && !keys.data ? <Loading /> : keys.data && (keys.data.data.length === 0 ? <p class="muted">{t("no_keys")}</p> : (
        <div class="table-wrap" tabIndex={0}>
          <table class="data" data-testid="keys-table">
            <thead><tr>
              <th scope="col">{t("key_name")}</th><th scope="col">{t("key_prefix")}</th><th scope="col">{t("created")}</th>
              <th scope="col">{t("last_used")}</th><th scope="col" class="r">{t("spent")}</th><th scope="col">{t("limit_spend")}</th>
              <th scope="col">{t("key_limits")}</th><th scope="col">{t("limit_expires")}</th><th scope="col">{t("status")}</th><th scope="col">{t("actions")}</th>
            </tr></thead>
            <tbody>{keys.data.data.map((k) => <KeyRow key={k.id} k={k} onChanged={keys.reload} />)}</tbody>
          </table>
        </div>
      ))}
    </>
  );
}
