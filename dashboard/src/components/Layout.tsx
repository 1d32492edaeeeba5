// The shell: skip link, header with navigation and the language switcher, main, footer.
import type { ComponentChildren } from "preact";
import { logout } from "../api/auth";
import { putLocale } from "../api/auth";
import type { Locale } from "../api/types";
import { LOCALE_NAMES, LOCALES, locale, setLocale, t, type Key } from "../i18n";
import { navigate } from "../router";
import { setUser, useSession } from "../session";

const USER_NAV: [string, Key][] = [
  ["/", "nav_overview"], ["/keys", "nav_keys"], ["/usage", "nav_usage"], ["/billing", "nav_billing"],
  ["/models", "nav_models"], ["/playground", "nav_playground"], ["/organizations", "nav_orgs"], ["/docs", "nav_docs"], ["/settings", "nav_settings"],
];
const GUEST_NAV: [string, Key][] = [["/models", "nav_models"], ["/docs", "nav_docs"], ["/signin", "nav_signin"], ["/signup", "nav_signup"]];

export function LanguageSwitcher() {
  const { user } = useSession();
  return (
    <label class="lang">
      <span>{t("language")}</span>
      <select value={locale()} onChange={(e) => {
        const next = (e.currentTarget as HTMLSelectElement).value as Locale;
        setLocale(next);
        // Signed in: the server stores the choice (and sets the cookie); signed out, the cookie set above is enough.
        if (user) void putLocale(next).catch(() => {});
      }}>
        {LOCALES.map((l) => <option value={l} key={l} lang={l}>{LOCALE_NAMES[l]}</option>)}
      </select>
    </label>
  );
}

export function Layout({ pathname, children }: { pathname: string; children: ComponentChildren }) {
  const { user } = useSession();
  const nav = user ? [...USER_NAV, ...(user.role === "admin" ? [["/admin", "nav_admin"] as [string, Key]] : [])] : GUEST_NAV;
  return (
    <>
      <a class="skip" href="#main">{t("skip_to_content")}</a>
      <header class="top">
        <a class="brand" href={user ? "/" : "/models"}>{t("brand")}</a>
        <nav aria-label={t("main_nav")}>
          <ul>
            {nav.map(([href, key]) => (
              <li key={href}><a href={href} aria-current={pathname === href ? "page" : undefined}>{t(key)}</a></li>
            ))}
          </ul>
        </nav>
        <div class="top-right">
          <LanguageSwitcher />
          {user && (
            <button type="button" class="btn btn-small" onClick={() => {
              void logout().finally(() => { setUser(null); navigate("/signin"); });
            }}>{t("sign_out")}</button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>{children}</main>
      <footer class="foot">
        <a href="/privacy">{t("nav_privacy")}</a>
        <a href="/terms">{t("nav_terms")}</a>
        <a href="/docs">{t("nav_docs")}</a>
        <a href="/models">{t("nav_models")}</a>
      </footer>
    </>
  );
}
