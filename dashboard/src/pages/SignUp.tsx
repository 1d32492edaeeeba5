import { useState } from "preact/hooks";
import { register } from "../api/auth";
import { ErrorBox } from "../components/ui";
import { locale, t } from "../i18n";
import { OAuthButtons } from "./SignIn";

export default function SignUp() {
  const [f, setF] = useState({ name: "", email: "", password: "", company: "", adult: false, terms: false });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const set = (k: keyof typeof f) => (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    setF({ ...f, [k]: el.type === "checkbox" ? el.checked : el.value });
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!f.adult || !f.terms) return setError(new Error("consent"));
    setBusy(true);
    setError(null);
    try {
      await register({
        email: f.email, password: f.password, name: f.name, company: f.company || undefined,
        accept_terms: true, confirm_age_18: true, locale: locale(),
      });
      setSentTo(f.email);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (sentTo) {
    return (
      <div class="auth">
        <h1>{t("signup_sent_title")}</h1>
        <div class="alert alert-ok" role="status" data-testid="signup-sent">{t("signup_sent_body").replace("{email}", sentTo)}</div>
        <p><a href="/signin">{t("nav_signin")}</a></p>
      </div>
    );
  }

  return (
    <div class="auth">
      <h1>{t("signup_title")}</h1>
      <p class="muted">{t("signup_intro")}</p>
      <OAuthButtons next="/" />
      <form class="stack" onSubmit={submit}>
        {error instanceof Error && error.message === "consent"
          ? <div class="alert alert-error" role="alert">{t("err_consent_required")}</div>
          : <ErrorBox error={error} />}
        <label class="field">{t("name")}
          <input name="name" autocomplete="name" required maxLength={200} value={f.name} onInput={set("name")} />
        </label>
        <label class="field">{t("email")}
          <input type="email" name="email" autocomplete="email" required value={f.email} onInput={set("email")} />
        </label>
        <label class="field">{t("password")}
          <span class="hint" id="pw-hint">{t("password_hint")}</span>
          <input type="password" name="password" autocomplete="new-password" required aria-describedby="pw-hint" value={f.password} onInput={set("password")} />
        </label>
        <label class="field">{t("company_optional")}
          <input name="company" autocomplete="organization" maxLength={200} value={f.company} onInput={set("company")} />
        </label>
        <label class="check">
          <input type="checkbox" name="confirm_age_18" checked={f.adult} onChange={set("adult")} required />
          <span>{t("confirm_18")}</span>
        </label>
        <label class="check">
          <input type="checkbox" name="accept_terms" checked={f.terms} onChange={set("terms")} required />
          <span>{t("accept_terms_before")} <a href="/terms" target="_blank">{t("nav_terms")}</a> {t("and")} <a href="/privacy" target="_blank">{t("nav_privacy")}</a>{t("accept_terms_after")}</span>
        </label>
        <button class="btn btn-primary" type="submit" disabled={busy}>{t("signup_submit")}</button>
        <p>{t("have_account")} <a href="/signin">{t("nav_signin")}</a></p>
      </form>
    </div>
  );
}
