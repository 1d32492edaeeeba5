// Issue 16, "Must show" 3: a top-up paid on the (stand-in) Stripe page has a receipt the user
// downloads from the billing page, naming the tax ID and the payment method (brand and last 4).
// Run alone: node --test test/browser/receipt.e2e.mjs   (after npm run build:dashboard)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { PASSWORD } from "./accounts.mjs";
import { startStack } from "./harness.mjs";

let stack, page;

/**
 * A verified account: registered through the API (as the form does), verified by the mailed link,
 * then signed in through the sign-in form, so the page holds a real session.
 */
async function verifiedSession(address) {
  const csrfRes = await fetch(`${stack.base}/api/auth/csrf`);
  const { csrf } = await csrfRes.json();
  const cookie = (csrfRes.headers.get("set-cookie") ?? "").split(";")[0];
  const mark = stack.mark();
  const reg = await fetch(`${stack.base}/api/auth/register`, {
    method: "POST", headers: { "content-type": "application/json", origin: stack.base, cookie, "x-csrf-token": csrf },
    body: JSON.stringify({ email: address, password: PASSWORD, name: "Receipt Tester", accept_terms: true, confirm_age_18: true }),
  });
  assert.ok(reg.status < 300, `register: ${reg.status}`);
  await page.goto(await stack.mailLink(address, "/verify-email", mark));
  await page.getByTestId("verified").waitFor();
  await page.goto(`${stack.base}/signin`);
  await page.getByLabel("Email", { exact: true }).fill(address);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((u) => u.pathname === "/");
}

before(async () => {
  stack = await startStack();
  page = await (await stack.browser.newContext({ locale: "en-US", acceptDownloads: true, viewport: { width: 1280, height: 900 } })).newPage();
}, { timeout: 300_000 });

after(async () => { await stack?.stop(); });

describe("billing receipts", { timeout: 300_000 }, () => {
  it("pays a top-up, then downloads its receipt naming the tax ID and the card", async () => {
    await verifiedSession(`receipt-${Date.now()}@example.test`);
    await page.goto(`${stack.base}/billing`);
    await page.locator('button[data-amount="10.00"]').click();
    await page.waitForURL((u) => u.pathname === "/billing/success");
    await page.locator('[data-testid="checkout-status"][data-status="paid"]').waitFor({ timeout: 30_000 });

    await page.goto(`${stack.base}/billing`);
    const table = page.getByTestId("receipts-table");
    await table.waitFor({ timeout: 30_000 });
    const row = await table.innerText();
    assert.match(row, /EU VAT DE123456789/);
    assert.match(row, /VISA •••• 4242/);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("receipt-download").first().click()]);
    assert.match(download.suggestedFilename(), /^receipt-top_[\w]+\.html$/);
    const html = readFileSync(await download.path(), "utf8");
    for (const text of ["Stand-in Buyer Ltd", "EU VAT DE123456789", "VISA •••• 4242", "10.00 USD", "1 Test Street, 10115 Berlin, DE"]) assert.ok(html.includes(text), `the receipt names ${text}`);
  });
});
