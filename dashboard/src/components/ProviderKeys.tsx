// Your own provider keys (BYOK) for a wallet: `base` is /api/me or /api/orgs/<id>. The key is sent once and never shown again.
import { useState } from "preact/hooks";
import { deleteProviderKey, listProviderKeys, putProviderKey } from "../api/orgs";
import { t } from "../i18n";
import { Card, ErrorBox, useAsync } from "./ui";

export function ProviderKeys({ base }: { base: string }) {
  const keys = useAsync(() => listProviderKeys(base), [base]);
  const [provider, setProvider] = useState("openai");
  const [key, setKey] = useState("");
  const [fallback, setFallback] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Card title={t("byok_title")} id="byok">
      <p class="muted">{t("byok_intro")}</p>
      <ErrorBox error={error ?? keys.error} />
      <form class="form-row" onSubmit={(e) => {
        e.preventDefault();
        putProviderKey(base, provider, key, fallback).then(() => { setKey(""); setError(null); keys.reload(); }, setError);
      }}>
        <label class="field">{t("byok_provider")}<input value={provider} onInput={(e) => setProvider(e.currentTarget.value)} required data-testid="byok-provider" /></label>
        <label class="field">{t("byok_key")}<input type="password" autoComplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} required data-testid="byok-key" /></label>
        <label class="check"><input type="checkbox" checked={fallback} onChange={(e) => setFallback(e.currentTarget.checked)} /> {t("byok_fallback")}</label>
        <button class="btn btn-primary" type="submit">{t("save")}</button>
      </form>
      {keys.data && keys.data.data.length > 0 && (
        <table class="data" data-testid="byok-table">
          <thead><tr><th scope="col">{t("byok_provider")}</th><th scope="col">{t("byok_fallback")}</th><th scope="col">{t("actions")}</th></tr></thead>
          <tbody>{keys.data.data.map((k) => (
            <tr key={k.provider}>
              <th scope="row">{k.provider}</th><td>{k.allow_fallback ? t("yes") : t("no")}</td>
              <td><button type="button" class="btn btn-small" onClick={() => deleteProviderKey(base, k.provider).then(keys.reload, setError)}>{t("remove")}</button></td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </Card>
  );
}
