// Admin tabs other than users and the catalog: channels, refunds, audit log, reconciliation, revenue.
import { useState } from "preact/hooks";
import {
  adminApproveRefund, adminAudit, adminChannels, adminReconciliation, adminRefunds, adminRejectRefund,
  adminRevenue, adminRunReconciliation,
} from "../../api/admin";
import type { Loose, Refund } from "../../api/types";
import { fmtDate, t } from "../../i18n";
import { ErrorBox, Loading, Money, Pager, useAsync, useCursor } from "../ui";

export const rowsOf = (v: unknown): Loose[] => (Array.isArray(v) ? v : Array.isArray((v as Loose | undefined)?.data) ? ((v as Loose).data as Loose[]) : []);
export const text = (v: unknown) => (v === null || v === undefined ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v));

/** Any list of flat records as a table (shapes the contract leaves open). */
function LooseTable({ rows, label }: { rows: Loose[]; label: string }) {
  if (rows.length === 0) return <p class="muted">{t("no_data")}</p>;
  const cols = Object.keys(rows[0]!).filter((c) => c !== "details");
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={label}><table class="data">
      <thead><tr>{cols.map((c) => <th scope="col" key={c}>{c}</th>)}</tr></thead>
      <tbody>{rows.map((r, i) => <tr key={i}>{cols.map((c) => <td key={c}>{text(r[c])}</td>)}</tr>)}</tbody>
    </table></div>
  );
}

export function AdminChannels() {
  const ch = useAsync(adminChannels);
  return <><ErrorBox error={ch.error} />{ch.loading ? <Loading /> : <LooseTable rows={rowsOf(ch.data)} label={t("admin_channels")} />}</>;
}

export function AdminRefunds() {
  const [status, setStatus] = useState("requested");
  const list = useAsync(() => adminRefunds(status || undefined), [status]);
  const [error, setError] = useState<unknown>(null);
  const act = (fn: (id: string) => Promise<Refund>, id: string) => fn(id).then(list.reload, setError);
  return (
    <>
      <label class="field" style="max-width:16rem">{t("status")}
        <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="">{t("all_statuses")}</option>
          {(["requested", "approved", "rejected", "refunded", "failed"] as const).map((s) => <option key={s} value={s}>{t(`refund_${s}` as const)}</option>)}
        </select>
      </label>
      <ErrorBox error={list.error ?? error} />
      {list.loading ? <Loading /> : list.data && (list.data.data.length === 0 ? <p class="muted">{t("no_data")}</p> : (
        <div class="table-wrap" style="margin-top:1rem" tabIndex={0}><table class="data" data-testid="admin-refunds">
          <thead><tr><th scope="col">{t("col_time")}</th><th scope="col">{t("user")}</th><th scope="col" class="r">{t("col_amount")}</th><th scope="col">{t("col_source")}</th>
            <th scope="col">{t("refund_reason")}</th><th scope="col">{t("status")}</th><th scope="col">{t("actions")}</th></tr></thead>
          <tbody>{list.data.data.map((r) => (
            <tr key={r.id} data-refund-id={r.id}><td>{fmtDate(r.created_at)}</td><td><code>{r.user_id}</code></td><td class="r"><Money usd={r.amount_usd} /></td><td>{r.source}</td>
              <td>{r.reason ?? "—"}</td><td data-status={r.status}>{t(`refund_${r.status}` as const)}</td>
              <td>{r.status === "requested" && (
                <div class="actions">
                  <button type="button" class="btn btn-small btn-primary" onClick={() => act(adminApproveRefund, r.id)}>{t("approve")}</button>
                  <button type="button" class="btn btn-small" onClick={() => act(adminRejectRefund, r.id)}>{t("reject")}</button>
                </div>
              )}</td></tr>
          ))}</tbody>
        </table></div>
      ))}
    </>
  );
}

export function AdminAudit() {
  const page = useCursor();
  const log = useAsync(() => adminAudit(page.cursor), [page.cursor]);
  return (
    <>
      <ErrorBox error={log.error} />
      {log.loading && !log.data ? <Loading /> : log.data && (
        <div class="table-wrap" tabIndex={0}><table class="data" data-testid="audit-log">
          <thead><tr><th scope="col">{t("col_time")}</th><th scope="col">{t("actor")}</th><th scope="col">{t("action")}</th><th scope="col">{t("user")}</th><th scope="col">{t("detail")}</th></tr></thead>
          <tbody>{log.data.data.map((a) => (
            <tr key={a.id}><td>{fmtDate(a.created_at)}</td><td><code>{a.actor}</code></td><td>{a.action}</td><td><code>{a.target_user_id ?? "—"}</code></td><td>{text(a.detail)}</td></tr>
          ))}</tbody>
        </table></div>
      )}
      <Pager hasPrev={page.hasPrev} next={log.data?.next_cursor} onPrev={page.prev} onNext={() => log.data?.next_cursor && page.next(log.data.next_cursor)} />
    </>
  );
}

export function AdminReconciliation() {
  const runs = useAsync(adminReconciliation);
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <ErrorBox error={runs.error ?? error} />
      <button type="button" class="btn" onClick={() => adminRunReconciliation().then(runs.reload, setError)}>{t("run_now")}</button>
      <div style="margin-top:1rem">{runs.loading ? <Loading /> : <LooseTable rows={rowsOf(runs.data)} label={t("admin_reconciliation")} />}</div>
    </>
  );
}

export function AdminRevenue() {
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [range, setRange] = useState<{ from?: string; to?: string }>({});
  const rev = useAsync(() => adminRevenue(range.from, range.to), [range.from, range.to]);
  const r = rev.data;
  return (
    <>
      <form class="row" onSubmit={(e) => {
        e.preventDefault();
        setRange({ from: from ? new Date(`${from}T00:00:00Z`).toISOString() : undefined, to: to ? new Date(`${to}T23:59:59Z`).toISOString() : undefined });
      }}>
        <label class="field">{t("from")}<input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} /></label>
        <label class="field">{t("to")}<input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} /></label>
        <button class="btn" type="submit">{t("apply_filters")}</button>
      </form>
      <ErrorBox error={rev.error} />
      {r && (
        <dl class="grid" style="margin-top:1rem">
          <div class="stat"><dt>{t("rev_paid")}</dt><dd><Money usd={r.paid_usd} /></dd></div>
          <div class="stat"><dt>{t("rev_refunded")}</dt><dd><Money usd={r.refunded_usd} /></dd></div>
          <div class="stat"><dt>{t("rev_usage")}</dt><dd><Money usd={r.usage_usd} /></dd></div>
          <div class="stat"><dt>{t("rev_upstream")}</dt><dd>{r.upstream_cost_usd === null ? t("not_tracked") : <Money usd={r.upstream_cost_usd} />}</dd></div>
          <div class="stat"><dt>{t("rev_margin")}</dt><dd>{r.upstream_cost_usd === null ? "—" : <Money usd={String(Number(r.usage_usd) - Number(r.upstream_cost_usd))} />}</dd></div>
        </dl>
      )}
      <p class="muted">{t("rev_note")}</p>
    </>
  );
}
