import { useState } from "preact/hooks";
import { balanceHistory, createCheckout, getBillingConfig, listRefunds, listTransactions, putLowBalance, requestRefund } from "../api/billing";
import { getOverview, transactionsExportUrl } from "../api/me";
import { Chart } from "../components/Chart";
import { Card, ErrorBox, Loading, Money, Pager, useAsync, useCursor } from "../components/ui";
import { fmtDate, fmtDay, fmtUsd, t } from "../i18n";
import { AutoTopupCard, Plans, Receipts, Redeem } from "./BillingExtras";

const USD = /^\d{1,7}(\.\d{1,2})?$/;

function TopUp() {
  const cfg = useAsync(getBillingConfig);
  const [custom, setCustom] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const go = (amount: string) => {
    setBusy(true);
    setError(null);
    // Checkout happens on Stripe's page; it returns to /billing/success?checkout=… which follows the webhook.
    createCheckout(amount).then(({ url }) => { location.assign(url); }, (err: unknown) => { setError(err); setBusy(false); });
  };
  const c = cfg.data;
  return (
    <Card title={t("top_up")} id="top-up">
      <ErrorBox error={cfg.error ?? error} />
      {c && !c.enabled && <p class="alert alert-warn">{t("billing_disabled")}</p>}
      {c?.enabled && (
        <>
          <p class="muted">{t("top_up_intro", { min: fmtUsd(c.min_usd), max: fmtUsd(c.max_usd) })}</p>
          <div class="actions" role="group" aria-label={t("top_up_presets")}>
            {c.presets_usd.map((p) => <button key={p} type="button" class="btn" disabled={busy} onClick={() => go(p)} data-amount={p}>{fmtUsd(p)}</button>)}
          </div>
          <form class="row" style="margin-top:1rem" onSubmit={(e) => { e.preventDefault(); if (USD.test(custom)) go(custom); }}>
            <label class="field">{t("custom_amount")}
              <input inputMode="decimal" pattern="\d{1,7}(\.\d{1,2})?" required value={custom} onInput={(e) => setCustom(e.currentTarget.value)} placeholder="25.00" />
            </label>
            <button class="btn btn-primary" type="submit" disabled={busy}>{t("pay_with_stripe")}</button>
          </form>
          <p class="hint">{t("no_auto_recharge")}</p>
        </>
      )}
    </Card>
  );
}

function Transactions() {
  const page = useCursor();
  const txns = useAsync(() => listTransactions(page.cursor), [page.cursor]);
  return (
    <Card title={t("transactions")} id="transactions">
      <p class="actions">
        <a class="btn" href={transactionsExportUrl("csv")} download>{t("export_csv")}</a>
        <a class="btn" href={transactionsExportUrl("json")} download>{t("export_json")}</a>
      </p>
      <ErrorBox error={txns.error} />
      {txns.loading && !txns.data ? <Loading /> : txns.data && (txns.data.data.length === 0 ? <p class="muted">{t("no_transactions")}</p> : (
        <div class="table-wrap" tabIndex={0}>
          <table class="data" data-testid="transactions-table">
            <thead><tr><th scope="col">{t("col_time")}</th><th scope="col">{t("col_kind")}</th><th scope="col" class="r">{t("col_amount")}</th>
              <th scope="col" class="r">{t("col_balance_after")}</th><th scope="col">{t("col_reference")}</th><th scope="col">{t("col_note")}</th></tr></thead>
            <tbody>{txns.data.data.map((x) => (
              <tr key={x.id}><td>{fmtDate(x.created_at)}</td><td>{x.kind}</td><td class="r"><Money usd={x.amount_usd} /></td>
                <td class="r"><Money usd={x.balance_after_usd} /></td><td><code>{x.ref ?? "—"}</code></td><td>{x.note ?? "—"}</td></tr>
            ))}</tbody>
          </table>
        </div>
      ))}
      <Pager hasPrev={page.hasPrev} next={txns.data?.next_cursor} onPrev={page.prev} onNext={() => txns.data?.next_cursor && page.next(txns.data.next_cursor)} />
    </Card>
  );
}

function Refunds() {
  const refunds = useAsync(listRefunds);
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(false);
  return (
    <Card title={t("refunds")} id="refunds">
      <ErrorBox error={refunds.error ?? error} />
      {refunds.data && <p>{t("refundable")}: <strong><Money usd={refunds.data.refundable_usd} /></strong></p>}
      {sent && <p class="alert alert-ok" role="status">{t("refund_sent")}</p>}
      <form class="stack" onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        requestRefund({ amount_usd: amount.trim() || undefined, reason: reason.trim() || undefined })
          .then(() => { setSent(true); setAmount(""); setReason(""); refunds.reload(); }, setError);
      }}>
        <label class="field">{t("refund_amount")}<span class="hint">{t("refund_amount_hint")}</span>
          <input inputMode="decimal" pattern="\d{1,7}(\.\d{1,9})?" value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
        </label>
        <label class="field">{t("refund_reason")}
          <textarea maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <button class="btn" type="submit">{t("request_refund")}</button>
      </form>
      {refunds.data && refunds.data.data.length > 0 && (
        <div class="table-wrap" style="margin-top:1rem" tabIndex={0}>
          <table class="data" data-testid="refunds-table">
            <thead><tr><th scope="col">{t("col_time")}</th><th scope="col" class="r">{t("col_amount")}</th><th scope="col">{t("status")}</th>
              <th scope="col">{t("refund_reason")}</th><th scope="col">{t("decided")}</th></tr></thead>
            <tbody>{refunds.data.data.map((r) => (
              <tr key={r.id}><td>{fmtDate(r.created_at)}</td><td class="r"><Money usd={r.amount_usd} /></td>
                <td><span class="badge" data-status={r.status}>{t(`refund_${r.status}` as const)}</span></td><td>{r.reason ?? "—"}</td><td>{fmtDate(r.decided_at)}</td></tr>
            ))}</tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function LowBalance() {
  const ov = useAsync(getOverview);
  const [value, setValue] = useState<string | null>(null);
  const [msg, setMsg] = useState<unknown>(null);
  const current = value ?? ov.data?.low_balance_threshold_usd ?? "";
  return (
    <Card title={t("low_balance_title")} id="low-balance">
      <p class="muted">{t("low_balance_intro")}</p>
      <form class="row" onSubmit={(e) => {
        e.preventDefault();
        putLowBalance(current.trim() === "" ? null : current.trim()).then(() => setMsg(true), setMsg);
      }}>
        <label class="field">{t("threshold_usd")}
          <input inputMode="decimal" pattern="\d{1,7}(\.\d{1,9})?" value={current} onInput={(e) => setValue(e.currentTarget.value)} placeholder={t("off")} />
        </label>
        <button class="btn" type="submit">{t("save")}</button>
      </form>
      {msg === true ? <p role="status" class="alert alert-ok" style="margin-top:1rem">{t("saved")}</p> : <ErrorBox error={msg} />}
    </Card>
  );
}

export default function Billing() {
  const ov = useAsync(getOverview);
  const hist = useAsync(() => balanceHistory(30));
  const pts = hist.data?.data ?? [];
  return (
    <>
      <h1>{t("billing_title")}</h1>
      {ov.data && <p class="stat" style="display:inline-block">{t("balance")}: <strong data-testid="billing-balance"><Money usd={ov.data.balance_usd} /></strong></p>}
      <TopUp />
      <Card title={t("balance_history")} id="balance-history">
        <ErrorBox error={hist.error} />
        <Chart id="balance-chart" title={t("balance_history_30")} labels={pts.map((p) => fmtDay(`${p.date.slice(0, 10)}T12:00:00Z`))} x={pts.map((_, i) => i)}
          series={[{ label: t("balance"), values: pts.map((p) => Number(p.balance_usd)), color: "#047857", format: (v) => fmtUsd(v) }]} />
      </Card>
      <Plans />
      <Redeem />
      <AutoTopupCard />
      <Transactions />
      <Receipts />
      <Refunds />
      <LowBalance />
    </>
  );
}
