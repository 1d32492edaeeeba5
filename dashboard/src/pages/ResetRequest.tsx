import { useState } from "preact/hooks";
import { requestPasswordReset } from "../api/auth";
import { ErrorBox } from "../components/ui";
import { t } from "../i18n";
import { useLocation } from "../router";
import ResetConfirm from "./ResetConfirm";

export default function ResetRequest() {
  // The emailed link is /reset-password?token=…: with a token this page is the "new password" step.
  const hasToken = useLocation().search.has("token");
  return hasToken ? <ResetConfirm /> : <RequestForm />;
}

function RequestForm() {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <div class="auth">
      <h1>{t("reset_title")}</h1>
      {sent ? <div class="alert alert-ok" role="status">{t("reset_sent")}</div> : (
        <form class="stack" onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          requestPasswordReset(email).then(() => setSent(true), setError);
        }}>
          <p class="muted">{t("reset_intro")}</p>
          <ErrorBox error={error} />
          <label class="field">{t("email")}
            <input type="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
          <button class="btn btn-primary" type="submit">{t("reset_submit")}</button>
        </form>
      )}
      <p><a href="/signin">{t("back_to_signin")}</a></p>
    </div>
  );
}
