import { useState } from "preact/hooks";
import { getAuthConfig, login, oauthStartUrl } from "../api/auth";
import { ErrorBox, useAsync } from "../components/ui";
import { t, type Key } from "../i18n";
import { en } from "../i18n/en";
import { navigate, useLocation } from "../router";
import { setUser } from "../session";

/** Only same-site paths are followed after sign-in (no open redirect). */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function OAuthButtons({ next }: { next: string }) {
  const cfg = useAsync(getAuthConfig);
  const p = cfg.data?.providers;
  if (!p || (!p.google && !p.github)) return null;
  return (
    <div class="stack" aria-label={t("oauth_group")} role="group">
      {p.google && <a class="btn" href={oauthStartUrl("google", next)}>{t("continue_google")}</a>}
      {p.github && <a class="btn" href={oauthStartUrl("github", next)}>{t("continue_github")}</a>}
      <p class="muted">{t("or_email")}</p>
    </div>
  );
}

export default function SignIn() {
  const { search } = useLocation();
  const next = safeNext(search.get("next"));
  const oauthError = search.get("error");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { user } = await login(email, password);
      setUser(user);
      navigate(next);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const oauthKey = `err_${oauthError}`;

  return (
    <div class="auth">
      <h1>{t("signin_title")}</h1>
      {search.has("deleted") && <div class="alert alert-ok" role="status">{t("account_deleted_notice")}</div>}
      {oauthError && <div class="alert alert-error" role="alert">{oauthKey in en ? t(oauthKey as Key) : t("err_oauth_failed")}</div>}
      <OAuthButtons next={next} />
      <form class="stack" onSubmit={submit}>
        <ErrorBox error={error} />
        <label class="field">{t("email")}
          <input type="email" name="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label class="field">{t("password")}
          <input type="password" name="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <button class="btn btn-primary" type="submit" disabled={busy}>{t("signin_submit")}</button>
        <p><a href="/reset-password">{t("forgot_password")}</a></p>
        <p>{t("no_account")} <a href="/signup">{t("nav_signup")}</a></p>
      </form>
    </div>
  );
}
