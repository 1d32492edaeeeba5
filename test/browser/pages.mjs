// The screenshot and accessibility tour: every page, in English and Traditional Chinese, saved as
// docs/screenshots/<page>-<locale>.png; axe-core runs on each (en and zh-TW) and reports serious or
// critical violations.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, axeSerious, settled } from "./harness.mjs";

const OUT = join(ROOT, "docs/screenshots");

/** [name, path, who]: "guest" pages are shot signed out (a fresh context). */
export const PAGES = [
  ["signin", "/signin", "guest"], ["signup", "/signup", "guest"], ["verify-email", "/verify-email?token=expired-example", "guest"],
  ["reset-password", "/reset-password", "guest"], ["reset-password-confirm", "/reset-password?token=example", "guest"],
  ["overview", "/", "user"], ["keys", "/keys", "user"], ["usage", "/usage", "user"], ["billing", "/billing", "user"],
  ["billing-success", null, "user"], ["models", "/models", "guest"], ["playground", "/playground", "user"],
  ["settings", "/settings", "user"], ["docs", "/docs", "guest"], ["privacy", "/privacy", "guest"], ["terms", "/terms", "guest"],
  ["admin-users", "/admin?tab=users", "admin"], ["admin-models", "/admin?tab=models", "admin"], ["admin-channels", "/admin?tab=channels", "admin"],
  ["admin-refunds", "/admin?tab=refunds", "admin"], ["admin-audit", "/admin?tab=audit", "admin"],
  ["admin-reconciliation", "/admin?tab=reconciliation", "admin"], ["admin-revenue", "/admin?tab=revenue", "admin"],
  ["not-found", "/no-such-page", "guest"],
];

async function setLocale(page, base, locale) {
  await page.context().addCookies([{ name: "locale", value: locale, url: base }]);
}

/** Shoots and checks every page in one locale, with one page per role; returns the problems found. */
async function tourLocale({ base, who, checkoutUrl, locale }) {
  const problems = [];
  for (const [name, path, role] of PAGES) {
    const page = who[role];
    await setLocale(page, base, locale);
    await page.goto(path ? `${base}${path}` : checkoutUrl);
    await settled(page);
    if (name.startsWith("billing-success")) await page.locator('[data-status="paid"]').waitFor().catch(() => {});
    if (["overview", "usage", "billing"].includes(name)) await page.locator(".chart-box[data-ready='1']").first().waitFor({ timeout: 10_000 }).catch(() => {});
    const lang = await page.locator("html").getAttribute("lang");
    if (lang !== locale) problems.push(`${name}: html lang is ${lang}, expected ${locale}`);
    await page.screenshot({ path: join(OUT, `${name}-${locale}.png`), fullPage: true });
    for (const v of await axeSerious(page)) problems.push(`${name} (${locale}): ${v}`);
  }
  return problems;
}

/**
 * The options of every context the tour opens. The browser's own locale is set (to the tests' en-US; the
 * page language comes from the locale cookie): left unset, it is the machine's, e.g. "en-US@posix", which
 * Intl refuses, so the charts never drew and each chart page waited out its 10 s.
 */
const CONTEXT = { locale: "en-US", viewport: { width: 1280, height: 900 }, bypassCSP: true };

/** A page in a new context holding the same cookies (the signed-in session) as `page`. */
async function cloneSession(page) {
  const ctx = await page.context().browser().newContext({ ...CONTEXT, storageState: await page.context().storageState() });
  return ctx.newPage();
}

export async function tourPages({ base, user, admin, checkoutUrl }) {
  mkdirSync(OUT, { recursive: true });
  const browser = user.context().browser();
  const guestPage = async () => (await browser.newContext(CONTEXT)).newPage();
  const problems = [];

  // One playground reply first, so its page shows tokens and cost (billed to the user's balance).
  await setLocale(user, base, "en");
  await user.goto(`${base}/playground`);
  await settled(user);
  await user.getByLabel("Model").selectOption("demo");
  await user.getByLabel("Your message").fill("Hello, playground!");
  await user.getByRole("button", { name: "Send" }).click();
  await user.getByTestId("reply-meta").waitFor({ timeout: 30_000 });
  const meta = await user.getByTestId("reply-meta").innerText();
  if (!/demo[\s\S]*tokens[\s\S]*Cost: \$0\.\d+/.test(meta)) problems.push(`playground reply meta: ${meta}`);

  // The two locales are toured at the same time, each in its own contexts (the locale is a cookie):
  // English on the test's own user and admin pages, Chinese on copies of their sessions.
  const en = { user, admin, guest: await guestPage() };
  const zh = { user: await cloneSession(user), admin: await cloneSession(admin), guest: await guestPage() };
  const found = await Promise.all([
    tourLocale({ base, who: en, checkoutUrl, locale: "en" }),
    tourLocale({ base, who: zh, checkoutUrl, locale: "zh-TW" }),
  ]);
  for (const page of [en.guest, zh.user, zh.admin, zh.guest]) await page.context().close();
  return [...problems, ...found.flat()];
}
