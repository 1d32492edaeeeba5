// Admin catalog and price editor. Prices are shown, prefilled and sent in one unit, USD per 1M
// tokens (the API's usd_per_m and PATCH fields); a change over 10× waits for a second confirmation.
import { useState } from "preact/hooks";
import { adminListModels, adminPatchModel } from "../../api/admin";
import type { Loose } from "../../api/types";
import { t, type Key } from "../../i18n";
import { bigChanges, formFromPrices, invalidFields, patchBody, PRICE_FIELDS, type BigChange, type PriceField, type PriceForm, type Prices } from "../../lib/prices";
import { ErrorBox, Loading, useAsync } from "../ui";
import { rowsOf, text } from "./Operations";

const LABEL: Record<PriceField, Key> = { input: "price_input", output: "price_output", cached_input: "price_cached", cache_write: "price_cache_write" };

function pricesOf(m: Loose): Prices {
  const p = (m.usd_per_m ?? {}) as Partial<Record<PriceField, string | null>>;
  return { input: p.input ?? null, output: p.output ?? null, cached_input: p.cached_input ?? null, cache_write: p.cache_write ?? null };
}

interface Edit { id: string; before: Prices; form: PriceForm; source: string; confirm: BigChange[] | null }

function PriceEditor({ edit, setEdit, onSaved, onError }: { edit: Edit; setEdit: (e: Edit | null) => void; onSaved: () => void; onError: (e: unknown) => void }) {
  const bad = invalidFields(edit.form);
  const save = () => adminPatchModel(edit.id, patchBody(edit.before, edit.form, edit.source)).then(onSaved, onError);
  return (
    <form class="stack" style="max-width:none" data-testid="price-editor" onSubmit={(e) => {
      e.preventDefault();
      if (bad.length) return;
      const big = bigChanges(edit.before, edit.form);
      if (big.length && !edit.confirm) return setEdit({ ...edit, confirm: big });
      void save();
    }}>
      <p><strong>{edit.id}</strong> · <span class="muted">{t("price_unit_note")}</span></p>
      <div class="row">
        {PRICE_FIELDS.map((f) => (
          <label class="field" key={f}>{t(LABEL[f])}
            <input inputMode="decimal" name={f} value={edit.form[f]} required={f === "input" || f === "output"} aria-invalid={bad.includes(f)}
              onInput={(e) => setEdit({ ...edit, confirm: null, form: { ...edit.form, [f]: e.currentTarget.value } })} />
          </label>
        ))}
        <label class="field">{t("price_source")}<input required value={edit.source} onInput={(e) => setEdit({ ...edit, source: e.currentTarget.value })} /></label>
      </div>
      {bad.length > 0 && <p class="alert alert-error" role="alert">{t("price_invalid")}</p>}
      {edit.confirm && (
        <div class="alert alert-error" role="alert" data-testid="price-confirm">
          {t("price_big_change", { changes: edit.confirm.map((c) => `${t(LABEL[c.field])}: ${c.from} → ${c.to}`).join("; ") })}
        </div>
      )}
      <div class="actions">
        <button class="btn btn-primary" type="submit" disabled={bad.length > 0}>{edit.confirm ? t("price_save_anyway") : t("save")}</button>
        <button class="btn" type="button" onClick={() => setEdit(null)}>{t("cancel")}</button>
      </div>
    </form>
  );
}

export function AdminModels() {
  const models = useAsync(adminListModels);
  const [edit, setEdit] = useState<Edit | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <ErrorBox error={models.error ?? error} />
      {edit && <PriceEditor edit={edit} setEdit={setEdit} onSaved={() => { setEdit(null); setError(null); models.reload(); }} onError={setError} />}
      {models.loading ? <Loading /> : (
        <div class="table-wrap" style="margin-top:1rem" tabIndex={0}><table class="data">
          <caption class="muted">{t("price_unit_note")}</caption>
          <thead><tr><th scope="col">{t("model")}</th><th scope="col">{t("col_provider")}</th><th scope="col">{t("enabled")}</th>
            {PRICE_FIELDS.map((f) => <th scope="col" class="r" key={f}>{t(LABEL[f])}</th>)}
            <th scope="col">{t("price_source")}</th><th scope="col">{t("actions")}</th></tr></thead>
          <tbody>{rowsOf(models.data).map((m) => {
            const prices = pricesOf(m);
            return (
              <tr key={String(m.id)} data-model-id={String(m.id)}><td><code>{text(m.id)}</code></td><td>{text(m.provider)}</td><td>{m.enabled ? t("yes") : t("no")}</td>
                {PRICE_FIELDS.map((f) => <td class="r num" key={f} data-field={f}>{text(prices[f])}</td>)}
                <td>{text(m.price_source)} ({text(m.price_updated_at)})</td>
                <td><button type="button" class="btn btn-small" aria-label={`${t("edit")} ${text(m.id)}`} onClick={() => setEdit({
                  id: String(m.id), before: prices, form: formFromPrices(prices), source: "", confirm: null,
                })}>{t("edit")}</button></td></tr>
            );
          })}</tbody>
        </table></div>
      )}
    </>
  );
}
