import { useState } from "preact/hooks";
import {
  cancelSubscription, changePlan, confirmationSentence, getAutoTopup, getSubscription, listPlans, listReceipts, putAutoTopup, receiptUrl, redeemCode,
  resumeSubscription, subscribe,
} from "../api/commerce";
import { Card, ErrorBox, Loading, Money, useAsync } from "../components/ui";
import { fmtDate, t } from "../i18n";

const USD = "\\d{1,7}(\\.\\d{1,2})?";
/** A USD amount as the server writes it: "5" → "5.00", "5.5" → "5.50". */
const norm = (v: string) => {
  const [w = "0", f = ""] = v.trim().split(".");
  const frac = f.replace(/0+$/, "");
  return `${BigInt(w || "0")}.${frac.length < 2 ? frac.padEnd(2, "0") : frac}`;
};

/** Paid top-ups with a download link: the user's own, or (with `load` and `url`) an organization's. */
export function Receipts({ load = listReceipts, url = receiptUrl, deps = [] }: { load?: typeof listReceipts; url?: (id: string) => string; deps?: unknown[] }) {
  const r = useAsync(load, deps);
  return (
    <Card title={t("receipts")} id="receipts">
      <ErrorBox error={r.error} />
      {r.loading && !r.data ? <Loading /> : r.data && (r.data.data.length === 0 ? <p class="muted">{t("no_receipts")}</p> : (
        <div class="table-wrap" tabIndex={0}>
          <table class="data" data-testid="receipts-table">
            <thead><tr><th scope="col">{t("col_time")}</th><th scope="col" class="r">{t("col_amount")}</th><th scope="col">{t("tax_id")}</th>
              <th scope="col">{t("payment_method")}</th><th scope="col">{t("receipt")}</th></tr></thead>
            <tbody>{r.data.data.map((x) => (
              <tr key={x.id}><td>{fmtDate(x.paid_at)}</td><td class="r"><Money usd={x.amount_usd} /></td><td>{x.tax_id ?? "—"}</td>
                <td>{x.payment_method ? `${x.payment_method.brand.toUpperCase()} •••• ${x.payment_method.last4}` : "—"}</td>
                <td><a href={url(x.id)} download data-testid="receipt-download">{t("download")}</a></td></tr>
            ))}</tbody>
          </table>
        </div>
      ))}
    </Card>
  );
}

export function Redeem() {
  const [code, setCode] = useState("");
  const [msg, setMsg] = useState<unknown>(null);
  return (
    <Card title={t("redeem_title")} id="redeem">
      <form class="row" onSubmit={(e) => {
        e.preventDefault();
        redeemCode(code.trim()).then((res) => setMsg(t("redeemed", { amount: res.amount_usd })), setMsg);
      }}>
        <label class="field">{t("redeem_code")}<input value={code} pattern="[A-Za-z0-9\-]{4,32}" required onInput={(e) => setCode(e.currentTarget.value)} /></label>
        <button class="btn" type="submit">{t("redeem")}</button>
      </form>
      {typeof msg === "string" ? <p role="status" class="alert alert-ok">{msg}</p> : <ErrorBox error={msg} />}
    </Card>
  );
}

export function AutoTopupCard() {
  const s = useAsync(getAutoTopup);
  const [f, setF] = useState({ threshold: "5.00", amount: "20.00", cap: "100.00" });
  const [agreed, setAgreed] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const valid = [f.threshold, f.amount, f.cap].every((v) => new RegExp(`^${USD}$`).test(v.trim()));
  const sentence = valid ? confirmationSentence(norm(f.amount), norm(f.threshold), norm(f.cap)) : "";
  const d = s.data;
  return (
    <Card title={t("auto_topup_title")} id="auto-topup">
      <p class="muted">{t("auto_topup_intro")}</p>
      <ErrorBox error={s.error ?? error} />
      {d && d.disabled_reason?.startsWith("charge_failed") && <p class="alert alert-warn">{t("auto_topup_failed_off")}</p>}
      {d && (d.enabled ? (
        <p>{t("auto_topup_on", { amount: d.amount_usd, threshold: d.threshold_usd, cap: d.monthly_cap_usd, charged: d.charged_this_month_usd })}{" "}
          <button class="btn" type="button" onClick={() => putAutoTopup({ enabled: false }).then(() => s.reload(), setError)}>{t("turn_off")}</button></p>
      ) : !d.payment_method ? <p class="muted">{t("auto_topup_no_card")}</p> : (
        <form class="stack" onSubmit={(e) => {
          e.preventDefault();
          if (!agreed || !valid) return;
          putAutoTopup({ enabled: true, threshold_usd: norm(f.threshold), amount_usd: norm(f.amount), monthly_cap_usd: norm(f.cap), confirmation: sentence }).then(() => s.reload(), setError);
        }}>
          <div class="row">
            {(["threshold", "amount", "cap"] as const).map((k) => (
              <label class="field" key={k}>{t(`auto_topup_${k}` as const)}
                <input inputMode="decimal" pattern={USD} required value={f[k]} onInput={(e) => { setF({ ...f, [k]: e.currentTarget.value }); setAgreed(false); }} /></label>
            ))}
          </div>
          {sentence && <label><input type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.currentTarget.checked)} /> {sentence}</label>}
          <button class="btn btn-primary" type="submit" disabled={!agreed || !valid}>{t("auto_topup_enable")}</button>
        </form>
      ))}
    </Card>
  );
}

export function Plans() {
  const plans = useAsync(listPlans);
  const sub = useAsync(getSubscription);
  const [error, setError] = useState<unknown>(null);
  const [asked, setAsked] = useState(false);
  const current = sub.data?.subscription;
  const live = current && ["active", "trialing", "past_due"].includes(current.status) ? current : null;
  /** Stripe is asked; the stored subscription changes when its webhook arrives, so reload a moment later. */
  const ask = (action: () => Promise<unknown>) => () => {
    setError(null);
    action().then(() => { setAsked(true); setTimeout(sub.reload, 2000); }, setError);
  };
  if (plans.data && plans.data.data.length === 0 && !current) return null;
  return (
    <Card title={t("plans_title")} id="plans">
      <ErrorBox error={plans.error ?? sub.error ?? error} />
      {current && <p data-testid="subscription">{t("plan_status", { plan: current.plan_id ?? "—", status: current.status })}
        {current.cancel_at_period_end && ` ${t("plan_cancels", { date: fmtDate(current.current_period_end) })}`}</p>}
      {current?.payment_failed && <p class="alert alert-warn">{t("plan_payment_failed")}</p>}
      {asked && <p class="muted" role="status">{t("plan_change_asked")}</p>}
      {live && <p>
        {live.cancel_at_period_end
          ? <button class="btn" type="button" data-testid="plan-resume" onClick={ask(resumeSubscription)}>{t("plan_resume")}</button>
          : <button class="btn" type="button" data-testid="plan-cancel" onClick={ask(cancelSubscription)}>{t("plan_cancel")}</button>}
        {plans.data?.data.filter((p) => p.id !== live.plan_id).map((p) => (
          <span key={p.id}>{" "}<button class="btn" type="button" data-testid="plan-change" onClick={ask(() => changePlan(p.id))}>
            {t("plan_change_to", { name: p.name, price: p.price_usd })}</button></span>
        ))}
      </p>}
      {!live && plans.data?.data.map((p) => (
        <p key={p.id}>{t("plan_offer", { name: p.name, price: p.price_usd, credit: p.monthly_credit_usd })}{" "}
          <button class="btn" type="button" onClick={() => subscribe(p.id).then(({ url }) => location.assign(url), setError)}>{t("subscribe")}</button></p>
      ))}
    </Card>
  );
}
