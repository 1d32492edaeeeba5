import { useEffect, useState } from "preact/hooks";
import { getCheckout } from "../api/billing";
import type { CheckoutStatus } from "../api/types";
import { ErrorBox, Money } from "../components/ui";
import { t } from "../i18n";
import { useLocation } from "../router";

/** Follows the checkout's status, which only Stripe's webhook changes, until it is final. */
export default function BillingSuccess() {
  const id = useLocation().search.get("checkout") ?? "";
  const [st, setSt] = useState<CheckoutStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [gaveUp, setGaveUp] = useState(false);
  useEffect(() => {
    if (!id) return;
    let stop = false;
    let tries = 0;
    const poll = async () => {
      while (!stop && tries++ < 60) {
        try {
          const s = await getCheckout(id);
          setSt(s);
          if (s.status !== "pending") return;
        } catch (err) {
          setError(err);
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(5000, 1000 + tries * 250)));
      }
      if (!stop) setGaveUp(true);
    };
    void poll();
    return () => { stop = true; };
  }, [id]);
  return (
    <>
      <h1>{t("checkout_title")}</h1>
      <ErrorBox error={error} />
      {!id && <p class="alert alert-error" role="alert">{t("checkout_missing")}</p>}
      <div aria-live="polite" data-testid="checkout-status" data-status={st?.status ?? ""}>
        {st?.status === "paid" && <p class="alert alert-ok">{t("checkout_paid")} <Money usd={st.amount_usd} /></p>}
        {st?.status === "pending" && !gaveUp && <p class="alert alert-warn">{t("checkout_pending")}</p>}
        {st?.status === "pending" && gaveUp && <p class="alert alert-warn">{t("checkout_slow")}</p>}
        {(st?.status === "failed" || st?.status === "expired") && <p class="alert alert-error">{t(st.status === "failed" ? "checkout_failed" : "checkout_expired")}</p>}
      </div>
      <p><a href="/billing">{t("back_to_billing")}</a></p>
    </>
  );
}
