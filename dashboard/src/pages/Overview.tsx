import { useState } from "preact/hooks";
import { resendVerification } from "../api/auth";
import { aggregateUsage, getOverview } from "../api/me";
import { Chart } from "../components/Chart";
import { SnippetTabs, baseUrl } from "../components/Snippets";
import { Card, ErrorBox, Loading, Money, useAsync } from "../components/ui";
import { fmtDay, fmtNum, fmtUsd, t } from "../i18n";
import { useSession } from "../session";
import type { AggregateRow } from "../api/types";

/** The last `days` calendar days (UTC, as the API buckets them) with zeros where nothing happened. */
export function dailySeries(rows: AggregateRow[], days: number) {
  const byDay = new Map(rows.map((r) => [r.bucket.slice(0, 10), r]));
  const labels: string[] = [], x: number[] = [], requests: number[] = [], spend: number[] = [];
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(today - i * 86_400_000).toISOString().slice(0, 10);
    const r = byDay.get(day);
    x.push(x.length);
    labels.push(fmtDay(`${day}T12:00:00Z`));
    requests.push(r?.requests ?? 0);
    spend.push(r ? Number(r.cost_usd) : 0);
  }
  return { labels, x, requests, spend };
}

export const since = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

export default function Overview() {
  const { user } = useSession();
  const ov = useAsync(getOverview);
  const agg = useAsync(() => aggregateUsage("day", since(30)));
  const [resent, setResent] = useState<unknown>(null);
  const o = ov.data;
  const s = dailySeries(agg.data?.data ?? [], 30);

  return (
    <>
      <h1>{t("overview_title")}</h1>
      {user && !user.email_verified && (
        <div class="alert alert-warn" role="status">
          {t("verify_banner")}{" "}
          {resent === true ? t("verify_resent") : (
            <button type="button" class="btn btn-small" onClick={() => resendVerification().then(() => setResent(true), setResent)}>{t("verify_resend")}</button>
          )}
          {resent instanceof Error && <ErrorBox error={resent} />}
        </div>
      )}
      {o?.low_balance && (
        <div class="alert alert-warn" role="alert" data-testid="low-balance">
          {t("low_balance_banner", { threshold: fmtUsd(o.low_balance_threshold_usd) })} <a href="/billing">{t("top_up")}</a>
        </div>
      )}
      <ErrorBox error={ov.error} />
      {ov.loading && !o ? <Loading /> : o && (
        <dl class="grid">
          <div class="stat"><dt>{t("balance")}</dt><dd data-testid="balance"><Money usd={o.balance_usd} /></dd></div>
          <div class="stat"><dt>{t("spend_today")}</dt><dd><Money usd={o.spend_today_usd} /></dd></div>
          <div class="stat"><dt>{t("spend_month")}</dt><dd><Money usd={o.spend_month_usd} /></dd></div>
          <div class="stat"><dt>{t("requests_today")}</dt><dd class="num">{fmtNum(o.requests_today)}</dd></div>
        </dl>
      )}
      <Card title={t("last_30_days")} id="chart30">
        <ErrorBox error={agg.error} />
        <Chart title={t("requests_and_spend")} id="overview-chart" labels={s.labels} x={agg.data ? s.x : []} series={[
          { label: t("requests"), values: s.requests, color: "#1d4ed8", format: (v) => fmtNum(v) },
          { label: t("spend"), values: s.spend, color: "#b45309", format: (v) => fmtUsd(v), axis: "right" },
        ]} />
      </Card>
      <Card title={t("first_call_title")} id="first-call">
        <p>{t("first_call_intro")} <code>{baseUrl()}</code></p>
        <ol>
          <li><a href="/keys">{t("first_call_step_key")}</a></li>
          <li>{t("first_call_step_env")} <code>export GATEWAY_API_KEY=sk-gw-…</code></li>
          <li>{t("first_call_step_run")}</li>
        </ol>
        <SnippetTabs />
      </Card>
    </>
  );
}
