import { render, type ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ensureCsrf, setSignedOutHandler } from "./api/client";
import { Layout } from "./components/Layout";
import { Loading } from "./components/ui";
import { locale, t, useLocale } from "./i18n";
import { interceptLinks, matchRoute, navigate, useLocation, type Route } from "./router";
import { currentUser, loadSession, setUser, useSession } from "./session";
import "./styles.css";

const loaded = new Map<Route, ComponentType>();

/** Where a route sends a visitor who may not see it (null: show the page). */
function redirectFor(route: Route, signedIn: boolean, admin: boolean, here: string): string | null {
  if (route.access === "guest" && signedIn) return "/";
  if ((route.access === "user" || route.access === "admin") && !signedIn) return `/signin?next=${encodeURIComponent(here)}`;
  if (route.access === "admin" && !admin) return "/";
  return null;
}

function App() {
  useLocale(); // re-render everything on a language switch
  const { pathname, search } = useLocation();
  const { loaded: ready, user } = useSession();
  const route = matchRoute(pathname);
  const [Page, setPage] = useState<ComponentType | null>(() => loaded.get(route) ?? null);
  const here = pathname + (search.size ? `?${search}` : "");
  const target = ready ? redirectFor(route, !!user, user?.role === "admin", here) : null;

  useEffect(() => { if (target) navigate(target, true); }, [target]);
  useEffect(() => {
    let live = true;
    const have = loaded.get(route);
    if (have) setPage(() => have);
    else {
      setPage(null);
      void route.load().then((m) => { loaded.set(route, m.default); if (live) setPage(() => m.default); });
    }
    return () => { live = false; };
  }, [route]);
  // Move focus to the new page's heading so keyboard and screen-reader users land on it.
  useEffect(() => {
    if (!Page) return;
    document.querySelector<HTMLElement>("main h1")?.setAttribute("tabindex", "-1");
    document.querySelector<HTMLElement>("main h1")?.focus({ preventScroll: true });
    const h1 = document.querySelector("main h1")?.textContent;
    document.title = h1 ? `${h1} · ${t("brand")}` : t("brand");
  }, [Page, pathname]);

  return (
    <Layout pathname={pathname}>
      {!ready || target || !Page ? <Loading /> : <Page />}
    </Layout>
  );
}

document.documentElement.lang = locale();
setSignedOutHandler(() => {
  if (!currentUser()) return;
  setUser(null);
  navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`);
});
interceptLinks();
render(<App />, document.getElementById("app")!);
void ensureCsrf().catch(() => {});
void loadSession();
