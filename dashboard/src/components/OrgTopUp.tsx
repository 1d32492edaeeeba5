// An organization's top-up (owners, admins, billing members): an amount, then Stripe's page, which
// returns to /organizations?org=…&checkout=…; the status shown there only follows the webhook.
import { useEffect, useState } from "preact/hooks";
import { createOrgCheckout, getOrgCheckout } from "../api/orgs";
import type { CheckoutStatus } from "../api/types";
import { t } from "../i18n";
import { Card, ErrorBox, Money } from "./ui";

function useCheckout(org: string, checkout: string | null, onPaid: () => void) {
  const [st, setSt] = useState<CheckoutStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!checkout || checkout === "cancelled") return;
    let stop = false;
    const poll = async () => {
      for (let tries = 1; !stop && tries <= 30; tries++) {
        try {
          const s = await getOrgCheckout(org, checkout);
          setSt(s);
          if (s.status === "paid") onPaid();
          if (s.status !== "pending") return;
        } catch (err) {
          setError(err);
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(5000, 1000 + tries * 250)));
      }
    };
    void poll();
    return () => { stop = true; };
  }, [org, checkout]);
  return { st, error };
}

export function OrgTopUp({ org, checkout, onPaid }: { org: string; checkout: string | null; onPaid: () => void }) {
  const [amount, setAmount] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const { st, error: statusError } = useCheckout(org, checkout, onPaid);
  return (
    <Card title={t("top_up")} id="org-top-up">
      <ErrorBox error={error ?? statusError} />
      <div aria-live="polite" data-testid="org-checkout-status" data-status={st?.status ?? ""}>
        {st?.status === "paid" && <p class="alert alert-ok">{t("org_checkout_paid")} <Money usd={st.amount_usd} /></p>}
        {st?.status === "pending" && <p class="alert alert-warn">{t("checkout_pending")}</p>}
        {(st?.status === "failed" || st?.status === "expired") && <p class="alert alert-error">{t(st.status === "failed" ? "checkout_failed" : "checkout_expired")}</p>}
      </div>
      <p class="muted">{t("org_top_up_intro")}</p>
      <form class="form-row" onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        createOrgCheckout(org, amount).then(({ url }) => { location.assign(url); }, (err: unknown) => { setError(err); setBusy(false); });
      }}>
        <label class="field">{t("custom_amount")}
          <input inputMode="decimal" pattern="\d{1,7}(\.\d{1,2})?" required value={amount} placeholder="25.00"
            onInput={(e) => setAmount(e.currentTarget.value)} data-testid="org-top-up-amount" />
        </label>
        <button class="btn btn-primary" type="submit" disabled={busy}>{t("pay_with_stripe")}</button>
      </form>
    </Card>
  );
}
