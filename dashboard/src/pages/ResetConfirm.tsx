import { useState } from "preact/hooks";
import { confirmPasswordReset } from "../api/auth";
import { ErrorBox } from "../components/ui";
import { t } from "../i18n";
import { useLocation } from "../router";

export default function ResetConfirm() {
  const token = useLocation().search.get("token") ?? "";
  const [pw, setPw] = useState("");
  const [again, setAgain] = useState("");
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const mismatch = again !== "" && pw !== again;
  return (
    <div class="auth">
      <h1>{t("reset_confirm_title")}</h1>
      {!token && <div class="alert alert-error" role="alert">{t("verify_missing_token")}</div>}
      {done ? <div class="alert alert-ok" role="status">{t("reset_done")} <a href="/signin">{t("nav_signin")}</a></div> : (
        <form class="stack" onSubmit={(e) => {
          e.preventDefault();
          if (mismatch) return;
          setError(null);
          confirmPasswordReset(token, pw).then(() => setDone(true), setError);
        }}>
          <ErrorBox error={error} />
          <label class="field">{t("new_password")}
            <span class="hint">{t("password_hint")}</span>
            <input type="password" autocomplete="new-password" required value={pw} onInput={(e) => setPw(e.currentTarget.value)} />
          </label>
          <label class="field">{t("repeat_password")}
            <input type="password" autocomplete="new-password" required value={again} aria-invalid={mismatch} onInput={(e) => setAgain(e.currentTarget.value)} />
          </label>
          {mismatch && <p class="alert alert-error" role="alert">{t("passwords_differ")}</p>}
          <button class="btn btn-primary" type="submit" disabled={!token}>{t("reset_confirm_submit")}</button>
        </form>
      )}
    </div>
  );
}
