// The dashboard in a real browser (issue 6, "Must show"): one user's whole journey, an admin
// approving that user's refund, screenshots and accessibility of every page, then deletion.
// Run: npm run test:browser   (Chromium: /usr/bin/chromium if present, else the npm-shipped build; test/browser/chromium.mjs)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { settled, startStack, usdNano, usdString, waitFor } from "./harness.mjs";
import { PASSWORD, signUpAndVerify as signUpAccount } from "./accounts.mjs";
import { tourPages } from "./pages.mjs";

const email = `browser-${Date.now()}@example.test`;
const adminEmail = `admin-${Date.now()}@example.test`;
let stack, user, admin;
const shared = {};

const signUpAndVerify = (page, address, name) => signUpAccount(stack, page, address, name);

/** Every origin the user's browser sent a request to. */
const origins = new Set();

before(async () => {
  stack = await startStack();
  // bypassCSP: axe-core is injected as an inline script, which the dashboard's CSP refuses
  // (dashboard-fixes.e2e.mjs runs the pages with the policy enforced).
  user = await (await stack.browser.newContext({ locale: "en-US", acceptDownloads: true, viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
  user.context().on("request", (r) => origins.add(new URL(r.url()).origin));
  admin = await (await stack.browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
}, { timeout: 300_000 });

after(async () => { await stack?.stop(); });

describe("dashboard", { timeout: 600_000 }, () => {
  it("user: sign up, verify, top up, create a key, call the API, see usage and cost, export CSV, request a refund, switch to zh-TW", async () => {
    await signUpAndVerify(user, email, "Browser Tester");

    // Top up: Checkout url → the stand-in's pay page → signed webhook → the success page shows "paid".
    await user.goto(`${stack.base}/billing`);
    await user.locator('button[data-amount="10.00"]').click();
    await user.waitForURL((u) => u.pathname === "/billing/success");
    shared.checkoutUrl = user.url();
    await user.locator('[data-testid="checkout-status"][data-status="paid"]').waitFor({ timeout: 30_000 });
    await user.goto(`${stack.base}/`);
    assert.equal(usdNano(await user.getByTestId("balance").locator("[data-usd]").getAttribute("data-usd")), 10_000_000_000);

    // Create a key: shown once, with a warning.
    await user.goto(`${stack.base}/keys`);
    await user.locator('input[name="new-name"]').fill("browser test key");
    await user.locator('input[name="new-rpm"]').fill("60");
    await user.getByRole("button", { name: "Create key" }).click();
    const key = await user.getByTestId("new-key-value").inputValue();
    assert.match(key, /^sk-gw-u[0-9a-z]{20}-[A-Za-z0-9_-]{43}$/);
    assert.match(await user.getByTestId("new-key").innerText(), /only time it is shown/);
    await user.getByRole("button", { name: "I have stored it" }).click();
    assert.equal(await user.getByTestId("new-key").count(), 0, "the key is gone once acknowledged");
    assert.match(await user.getByTestId("keys-table").innerText(), /browser test key[\s\S]*60 req\/min/);

    // Call the API with that key from the test; the demo model's catalog prices give the cost.
    const res = await fetch(`${stack.base}/api/v1/chat/completions`, {
      method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "demo", messages: [{ role: "user", content: "Hello from the browser test" }] }),
    });
    assert.equal(res.status, 200);
    const completion = await res.json();
    const catalog = await (await fetch(`${stack.base}/api/v1/models`)).json();
    const demo = catalog.data.find((m) => m.id === "demo");
    // cost = prompt_tokens × input nUSD/token + completion_tokens × output nUSD/token
    const costNano = completion.usage.prompt_tokens * usdNano(demo.pricing.prompt)
      + completion.usage.completion_tokens * usdNano(demo.pricing.completion);
    const cost = usdString(costNano);
    shared.key = key;

    // The usage table shows the request with that cost (settlement is asynchronous: reload until it lands).
    await user.goto(`${stack.base}/usage`);
    const row = user.locator(`tr[data-request-id="${completion.id}"]`);
    await waitFor(async () => {
      if (await row.count()) return true;
      await user.reload();
      await settled(user);
      return false;
    }, { timeout: 30_000, interval: 1000, what: "the request in the usage table" });
    assert.equal(usdNano(await row.getByTestId("cost").locator("[data-usd]").getAttribute("data-usd")), costNano);
    const rowText = await row.innerText();
    assert.match(rowText, /demo/);
    assert.match(rowText, new RegExp(`\\b${completion.usage.prompt_tokens}\\b[\\s\\S]*\\b${completion.usage.completion_tokens}\\b`));
    // …and in the chart (uPlot drew it; its accessible table holds today's figures).
    await user.locator("#usage-chart .chart-box[data-ready='1']").waitFor();
    // The last row is today: [requests, spend] as drawn.
    const today = user.locator("#usage-chart table tbody tr").last().locator("td");
    assert.equal(Number(await today.nth(0).getAttribute("data-value")), 1);
    assert.equal(Number(await today.nth(1).getAttribute("data-value")), costNano / 1e9);

    // Export CSV: the download holds the request with its cost.
    const [download] = await Promise.all([user.waitForEvent("download"), user.getByTestId("export-csv").click()]);
    const csv = readFileSync(await download.path(), "utf8");
    const [header, ...lines] = csv.split(/\r?\n/);
    const line = lines.find((l) => l.includes(completion.id));
    assert.ok(line, `the CSV has the request:\n${csv.slice(0, 500)}`);
    const cols = header.split(",");
    const cell = (name) => line.split(",")[cols.indexOf(name)];
    assert.equal(usdNano(cell("cost_usd")), costNano, `the CSV row carries the cost ${cost}: ${line}`);
    assert.equal(Number(cell("prompt_tokens")), completion.usage.prompt_tokens);

    // Request a refund and see it listed as requested.
    await user.goto(`${stack.base}/billing`);
    await user.getByLabel("Reason (optional)").fill("browser test refund");
    await user.getByRole("button", { name: "Request a refund" }).click();
    await user.locator('[data-testid="refunds-table"] [data-status="requested"]').waitFor();

    // Switch to zh-TW: the UI is translated, and the choice is stored in the locale cookie.
    await user.getByLabel("Language").first().selectOption("zh-TW");
    await user.getByRole("heading", { name: "帳務" }).waitFor();
    assert.equal(await user.locator("html").getAttribute("lang"), "zh-TW");
    assert.ok(await user.getByRole("link", { name: "API 金鑰" }).isVisible());
    await user.reload();
    await user.getByRole("heading", { name: "帳務" }).waitFor();
    const cookies = await user.context().cookies();
    assert.equal(cookies.find((c) => c.name === "locale")?.value, "zh-TW");

    // P24: only the session, CSRF and locale cookies exist, and the browser talked to nobody but the
    // dashboard's origin and (for Checkout) Stripe's stand-in: no analytics, no third-party scripts.
    assert.deepEqual([...new Set(cookies.map((c) => c.name))].sort(), ["__Host-csrf", "__Host-session", "locale"]);
    assert.deepEqual([...origins].filter((o) => o !== new URL(stack.base).origin && o !== stack.checkoutOrigin), []);
  });

  it("admin: approves that refund in the queue and sees it in the audit log", async () => {
    await signUpAndVerify(admin, adminEmail, "Browser Admin");
    const list = await stack.admin("GET", `/users?q=${encodeURIComponent(adminEmail)}`);
    const adminId = list.body.data.find((u) => u.email === adminEmail).id;
    assert.equal((await stack.admin("PATCH", `/users/${adminId}/role`, { role: "admin" })).status, 200);

    await admin.goto(`${stack.base}/admin?tab=refunds`);
    const row = admin.locator('[data-testid="admin-refunds"] tr', { hasText: "browser test refund" });
    await row.waitFor();
    shared.refundId = await row.getAttribute("data-refund-id");
    await row.getByRole("button", { name: "Approve" }).click();
    // Decided requests leave the "requested" queue; an error would show as an alert instead.
    await waitFor(async () => {
      const alert = admin.locator("#admin-panel [role=alert]");
      if (await alert.count()) assert.fail(`approval failed: ${await alert.innerText()}`);
      return (await row.count()) === 0;
    }, { what: "the approved refund to leave the queue" });
    await admin.getByLabel("Status").selectOption("");
    await admin.locator(`tr[data-refund-id="${shared.refundId}"] td[data-status="refunded"], tr[data-refund-id="${shared.refundId}"] td[data-status="approved"]`).waitFor();

    await admin.getByRole("tab", { name: "Audit log" }).click();
    const audit = admin.getByTestId("audit-log");
    await audit.waitFor();
    // The approval's row: action refund.approve, the refund's id in the detail, the admin as actor.
    const entry = audit.locator("tbody tr", { hasText: shared.refundId }).filter({ hasText: "refund.approve" });
    assert.equal(await entry.count(), 1, await audit.innerText());
    assert.equal((await entry.locator("td").nth(1).innerText()).trim(), adminId);

    // The user sees the decision.
    await user.goto(`${stack.base}/billing`);
    await user.locator('[data-testid="refunds-table"] [data-status="refunded"], [data-testid="refunds-table"] [data-status="approved"]').waitFor();
  });

  it("every page in en and zh-TW: screenshots under docs/screenshots/, no serious or critical axe violations", async () => {
    const problems = await tourPages({ base: stack.base, user, admin, checkoutUrl: shared.checkoutUrl });
    assert.deepEqual(problems, []);
  });

  it("user: deletes the account after reading what happens; the key and the session stop working", async () => {
    await user.context().addCookies([{ name: "locale", value: "en", url: stack.base }]);
    await user.goto(`${stack.base}/settings`);
    const section = user.locator("#delete-account-h").locator("..");
    await section.getByText(/kept for 1825 days/).waitFor(); // the retention figure comes from GET /api/public/policy
    assert.match(await section.innerText(), /Every API key stops working immediately[\s\S]*refunded[\s\S]*kept for 1825 days/);
    await user.locator('input[name="delete-password"]').fill(PASSWORD);
    await user.locator('input[name="delete-confirm"]').fill("DELETE");
    await user.getByRole("button", { name: "Delete my account" }).click();
    await user.waitForURL((u) => u.pathname === "/signin");
    const session = await user.request.get(`${stack.base}/api/auth/session`);
    assert.equal(session.status(), 401);
    const call = await fetch(`${stack.base}/api/v1/chat/completions`, {
      method: "POST", headers: { authorization: `Bearer ${shared.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "demo", messages: [{ role: "user", content: "still there?" }] }),
    });
    assert.equal(call.status, 401);
    await user.goto(`${stack.base}/signin`);
    await user.getByLabel("Email", { exact: true }).fill(email);
    await user.locator('input[name="password"]').fill(PASSWORD);
    await user.getByRole("button", { name: "Sign in" }).click();
    await user.getByText("That email and password do not match an account.").waitFor();
  });
});
