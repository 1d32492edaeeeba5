// A small history-API router: routes are lazily imported page modules (one file per page).
import { useEffect, useState } from "preact/hooks";
import type { ComponentType } from "preact";

export type Access = "public" | "guest" | "user" | "admin";

export interface Route {
  path: string;
  access: Access;
  /** The page's module; every page is its own chunk, so the first load carries only the shell. */
  load: () => Promise<{ default: ComponentType }>;
}

export const ROUTES: Route[] = [
  { path: "/", access: "user", load: () => import("./pages/Overview") },
  { path: "/signin", access: "guest", load: () => import("./pages/SignIn") },
  { path: "/signup", access: "guest", load: () => import("./pages/SignUp") },
  { path: "/verify-email", access: "public", load: () => import("./pages/VerifyEmail") },
  { path: "/reset-password", access: "public", load: () => import("./pages/ResetRequest") },
  { path: "/reset-password/confirm", access: "public", load: () => import("./pages/ResetConfirm") },
  { path: "/keys", access: "user", load: () => import("./pages/Keys") },
  { path: "/usage", access: "user", load: () => import("./pages/Usage") },
  { path: "/billing", access: "user", load: () => import("./pages/Billing") },
  { path: "/billing/success", access: "user", load: () => import("./pages/BillingSuccess") },
  { path: "/models", access: "public", load: () => import("./pages/Models") },
  { path: "/playground", access: "user", load: () => import("./pages/Playground") },
  { path: "/organizations", access: "user", load: () => import("./pages/Organizations") },
  { path: "/settings", access: "user", load: () => import("./pages/Settings") },
  { path: "/privacy-requests", access: "user", load: () => import("./pages/PrivacyRequests") },
  { path: "/docs", access: "public", load: () => import("./pages/Docs") },
  { path: "/privacy", access: "public", load: () => import("./pages/Privacy") },
  { path: "/terms", access: "public", load: () => import("./pages/Terms") },
  { path: "/admin", access: "admin", load: () => import("./pages/Admin") },
];

export const NOT_FOUND: Route = { path: "*", access: "public", load: () => import("./pages/NotFound") };

export function matchRoute(pathname: string): Route {
  const clean = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  return ROUTES.find((r) => r.path === clean) ?? NOT_FOUND;
}

const listeners = new Set<() => void>();
const notify = () => { for (const fn of listeners) fn(); };
window.addEventListener("popstate", notify);

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  history[replace ? "replaceState" : "pushState"](null, "", to);
  notify();
  window.scrollTo(0, 0);
}

/** The current location; components re-render on navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const [, force] = useState(0);
  useEffect(() => {
    const fn = () => force((n) => n + 1);
    listeners.add(fn);
    return () => void listeners.delete(fn);
  }, []);
  return { pathname: location.pathname, search: new URLSearchParams(location.search) };
}

/** Same-origin link clicks become history navigations (modifier keys keep the browser's behaviour). */
export function interceptLinks(): void {
  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.("a");
    if (!a || a.target || a.hasAttribute("download")) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/api/") || url.pathname.startsWith("/v1/")) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
}
