import { useState } from "preact/hooks";
import { listModels } from "../api/public";
import { ErrorBox, Loading, useAsync } from "../components/ui";
import { fmtNum, perMillion, t } from "../i18n";

export default function Models() {
  const models = useAsync(listModels);
  const [q, setQ] = useState("");
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  const rows = (models.data?.data ?? []).filter((m) => {
    const hay = `${m.id} ${m.name} ${m.owned_by} ${m.kind} ${m.capabilities.join(" ")}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
  return (
    <>
      <h1>{t("models_title")}</h1>
      <p class="muted">{t("models_intro")}</p>
      <label class="field" style="max-width:24rem;margin-bottom:1rem">{t("search_models")}
        <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} placeholder={t("search_models_hint")} />
      </label>
      <ErrorBox error={models.error} />
      {models.loading ? <Loading /> : (
        <>
          <p role="status" class="muted">{t("models_count", { n: fmtNum(rows.length) })}</p>
          <div class="table-wrap" tabIndex={0} role="region" aria-label={t("models_title")}>
            <table class="data" data-testid="models-table">
              <thead><tr>
                <th scope="col">{t("model")}</th><th scope="col">{t("col_provider")}</th>
                <th scope="col" class="r">{t("price_input")}</th><th scope="col" class="r">{t("price_output")}</th><th scope="col" class="r">{t("price_cached")}</th>
                <th scope="col" class="r">{t("context_length")}</th><th scope="col" class="r">{t("max_output")}</th><th scope="col">{t("capabilities")}</th>
              </tr></thead>
              <tbody>{rows.map((m) => (
                <tr key={m.id} data-model={m.id}>
                  <th scope="row"><code>{m.id}</code><br /><span class="muted">{m.name}</span>
                    {m.available === false && <><br /><span class="badge" data-testid="unavailable">{t("models_unavailable")}</span></>}</th>
                  <td>{m.owned_by}</td>
                  <td class="r num">{perMillion(m.pricing.prompt)}</td><td class="r num">{perMillion(m.pricing.completion)}</td>
                  <td class="r num">{perMillion(m.pricing.input_cache_read)}</td>
                  <td class="r num">{fmtNum(m.context_length)}</td><td class="r num">{fmtNum(m.max_output_tokens)}</td>
                  <td>{[m.kind, ...m.capabilities].map((c) => <span class="badge" key={c} style="margin-right:.25rem">{c}</span>)}</td>
                </tr>
              ))}</tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
