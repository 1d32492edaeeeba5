// The key limits form, shared by "create" and "edit". Empty fields mean "no limit" (null on edit).
import { useState } from "preact/hooks";
import type { ApiKey, KeyLimits, SpendPeriod } from "../api/types";
import { t } from "../i18n";


type Fields = { name: string; rpm: string; tpm: string; conc: string; spend: string; period: SpendPeriod; models: string; expires: string };

const fromKey = (k?: ApiKey): Fields => ({
  name: k?.name ?? "", rpm: k?.rpm?.toString() ?? "", tpm: k?.tpm?.toString() ?? "", conc: k?.max_concurrency?.toString() ?? "",
  spend: k?.spend_limit_usd ?? "", period: k?.spend_limit_period ?? "total", models: k?.models?.join(", ") ?? "",
  expires: k?.expires_at ? k.expires_at.slice(0, 10) : "",
});

function toBody(f: Fields, clear: boolean): { name: string } & KeyLimits {
  const n = (v: string) => (v.trim() === "" ? (clear ? null : undefined) : Number(v));
  const models = f.models.split(/[\s,]+/).filter(Boolean);
  return {
    name: f.name.trim(), rpm: n(f.rpm), tpm: n(f.tpm), max_concurrency: n(f.conc),
    spend_limit_usd: f.spend.trim() === "" ? (clear ? null : undefined) : f.spend.trim(),
    spend_limit_period: f.spend.trim() === "" ? undefined : f.period,
    models: models.length ? models : clear ? null : undefined,
    // The key stops working at the end of the chosen day (UTC).
    expires_at: f.expires ? new Date(`${f.expires}T23:59:59Z`).toISOString() : clear ? null : undefined,
  };
}

export function KeyForm({ initial, submitLabel, onSubmit, onCancel, idPrefix }: {
  initial?: ApiKey; submitLabel: string; idPrefix: string;
  onSubmit: (body: { name: string } & KeyLimits) => Promise<void>; onCancel?: () => void;
}) {
  const [f, setF] = useState<Fields>(fromKey(initial));
  const [busy, setBusy] = useState(false);
  const set = (k: keyof Fields) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const num = (k: keyof Fields, label: string, hint: string) => (
    <label class="field">{label}
      <input type="number" min={1} step={1} inputMode="numeric" name={`${idPrefix}-${k}`} value={f[k]} onInput={set(k)} placeholder={hint} />
    </label>
  );
  return (
    <form class="stack" onSubmit={(e) => {
      e.preventDefault();
      setBusy(true);
      void onSubmit(toBody(f, !!initial)).finally(() => setBusy(false));
    }}>
      <label class="field">{t("key_name")}
        <input name={`${idPrefix}-name`} required maxLength={100} value={f.name} onInput={set("name")} />
      </label>
      <fieldset class="stack">
        <legend>{t("key_limits")} <span class="hint">{t("key_limits_hint")}</span></legend>
        <div class="row">
          {num("rpm", t("limit_rpm"), t("no_limit"))}
          {num("tpm", t("limit_tpm"), t("no_limit"))}
          {num("conc", t("limit_concurrency"), t("no_limit"))}
        </div>
        <div class="row">
          <label class="field">{t("limit_spend")}
            <input inputMode="decimal" pattern="\d{1,7}(\.\d{1,9})?" name={`${idPrefix}-spend`} value={f.spend} onInput={set("spend")} placeholder={t("no_limit")} />
          </label>
          <label class="field">{t("limit_period")}
            <select name={`${idPrefix}-period`} value={f.period} onChange={set("period")}>
              {(["daily", "weekly", "monthly", "total"] as const).map((p) => <option key={p} value={p}>{t(`period_${p}` as const)}</option>)}
            </select>
          </label>
        </div>
        <label class="field">{t("limit_models")}
          <span class="hint">{t("limit_models_hint")}</span>
          <input name={`${idPrefix}-models`} value={f.models} onInput={set("models")} placeholder={t("all_models")} />
        </label>
        <label class="field">{t("limit_expires")}
          <input type="date" name={`${idPrefix}-expires`} value={f.expires} onInput={set("expires")} />
        </label>
      </fieldset>
      <div class="actions">
        <button class="btn btn-primary" type="submit" disabled={busy}>{submitLabel}</button>
        {onCancel && <button class="btn" type="button" onClick={onCancel}>{t("cancel")}</button>}
      </div>
    </form>
  );
}
