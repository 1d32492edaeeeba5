import { useState } from "preact/hooks";
import { aggregateUsage, listKeys, listUsage, usageExportUrl } from "../api/me";
import type { GroupBy, UsageFilter } from "../api/types";
import { Chart } from "../components/Chart";
import { Card, ErrorBox, Loading, Money, Pager, useAsync, useCursor } from "../components/ui";
import { fmtDate, fmtNum, fmtUsd, t, type Key } from "../i18n";
import { dailySeries } from "./Overview";

// The statuses a usage record can have (src/routes/me/usage.ts validates the filter against them).
const STATUSES = ["success", "upstream_error", "client_disconnected", "stream_error", "expired"];

/** yyyy-mm-dd from a date input → ISO bounds (the whole day, UTC). */
const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00Z`).toISOString() : undefined);
const dayEnd = (d: string) => (d ? new Date(`${d}T23:59:59.999Z`).toISOString() : undefined);

function Charts({ from, to }: { from?: string; to?: string }) {
  const [by, setBy] = useState<GroupBy>("day");
  const agg = useAsync(() => aggregateUsage(by, from, to), [by, from, to]);
  const rows = agg.data?.data ?? [];
  const keys = useAsync(listKeys);
  const keyName = (id: string) => keys.data?.data.find((k) => k.id === id)?.name ?? id;
  const days = from ? Math.max(1, Math.ceil(((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 86_400_000)) : 30;
  const s = by === "day" ? dailySeries(rows, Math.min(days, 366))
    : { labels: rows.map((r) => (by === "key" ? keyName(r.bucket) : r.bucket)), x: rows.map((_, i) => i), requests: rows.map((r) => r.requests), spend: rows.map((r) => Number(r.cost_usd)) };
  return (
    <Card title={t("usage_charts")} id="usage-charts">
      <div class="tabs" role="group" aria-label={t("group_by")}>
        {(["day", "model", "key"] as const).map((g) => (
          <button key={g} type="button" aria-pressed={by === g} onClick={() => setBy(g)}>{t(`by_${g}` as const)}</button>
        ))}
      </div>
      <ErrorBox error={agg.error} />
      <Chart id="usage-chart" title={`${t("requests_and_spend")} · ${t(`by_${by}` as const)}`} bars={by !== "day"} labels={s.labels} x={agg.data ? s.x : []} series={[
        { label: t("requests"), values: s.requests, color: "#1d4ed8", format: (v) => fmtNum(v) },
        { label: t("spend"), values: s.spend, color: "#b45309", format: (v) => fmtUsd(v), axis: "right" },
      ]} />
    </Card>
  );
}

export default function Usage() {
  const [form, setForm] = useState({ from: "", to: "", model: "", key_id: "", status: "" });
  const [applied, setApplied] = useState(form);
  const page = useCursor();
  const filter: UsageFilter = {
    from: dayStart(applied.from), to: dayEnd(applied.to), model: applied.model || undefined, key_id: applied.key_id || undefined,
    status: applied.status || undefined, limit: 50, cursor: page.cursor,
  };
  const usage = useAsync(() => listUsage(filter), [JSON.stringify(filter)]);
  const keys = useAsync(listKeys);
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });

  return (
    <>
      <h1>{t("usage_title")}</h1>
      <Charts from={filter.from} to={filter.to} />
      <Card title={t("usage_log")} id="usage-log">
        <form class="row" onSubmit={(e) => { e.preventDefault(); page.reset(); setApplied(form); }} aria-label={t("filters")}>
          <label class="field">{t("from")}<input type="date" value={form.from} onInput={set("from")} /></label>
          <label class="field">{t("to")}<input type="date" value={form.to} onInput={set("to")} /></label>
          <label class="field">{t("model")}<input value={form.model} onInput={set("model")} placeholder={t("all_models")} /></label>
          <label class="field">{t("key")}
            <select value={form.key_id} onChange={set("key_id")}>
              <option value="">{t("all_keys")}</option>
              {keys.data?.data.map((k) => <option key={k.id} value={k.id}>{k.name} ({k.prefix}…{k.last4})</option>)}
            </select>
          </label>
          <label class="field">{t("status")}
            <select value={form.status} onChange={set("status")}>
              <option value="">{t("all_statuses")}</option>
              {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
          <button class="btn btn-primary" type="submit">{t("apply_filters")}</button>
        </form>
        <p class="actions" style="margin-top:1rem">
          <a class="btn" href={usageExportUrl("csv", filter.from, filter.to)} download data-testid="export-csv">{t("export_csv")}</a>
          <a class="btn" href={usageExportUrl("json", filter.from, filter.to)} download>{t("export_json")}</a>
        </p>
        <ErrorBox error={usage.error} />
        {usage.loading && !usage.data ? <Loading /> : usage.data && (usage.data.data.length === 0 ? <p class="muted">{t("no_usage")}</p> : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label={t("usage_log")}>
            <table class="data" data-testid="usage-table">
              <thead><tr>
                {["col_time", "col_request_id", "model", "col_provider", "col_endpoint", "key", "col_stream", "col_prompt", "col_completion", "col_cached",
                  "col_reasoning", "col_cost", "col_latency", "status", "col_http", "col_error", "col_usage_source", "col_route_reason"].map((k) => (
                  <th scope="col" key={k} class={k.startsWith("col_") && /prompt|completion|cached|reasoning|cost|latency/.test(k) ? "r" : ""}>{t(k as Key)}</th>
                ))}
              </tr></thead>
              <tbody>
                {usage.data.data.map((u) => (
                  <tr key={u.id} data-request-id={u.id}>
                    <td>{fmtDate(u.created_at)}</td><td><code>{u.id}</code></td><td>{u.model}</td><td>{u.provider}</td><td>{u.endpoint}</td>
                    <td>{keys.data?.data.find((k) => k.id === u.key_id)?.name ?? u.key_id}</td><td>{u.stream ? t("yes") : t("no")}</td>
                    <td class="r num">{fmtNum(u.prompt_tokens)}</td><td class="r num">{fmtNum(u.completion_tokens)}</td>
                    <td class="r num">{fmtNum(u.cached_tokens)}</td><td class="r num">{fmtNum(u.reasoning_tokens)}</td>
                    <td class="r" data-testid="cost"><Money usd={u.cost_usd} /></td><td class="r num">{fmtNum(u.latency_ms)} ms</td>
                    <td>{u.status}</td><td>{u.http_status ?? "—"}</td><td>{u.error_code ?? "—"}</td><td>{u.usage_source ?? "—"}</td><td>{u.route_reason ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
        <Pager hasPrev={page.hasPrev} next={usage.data?.next_cursor} onPrev={page.prev} onNext={() => usage.data?.next_cursor && page.next(usage.data.next_cursor)} />
      </Card>
    </>
  );
}
