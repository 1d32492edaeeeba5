// Issue 16, "Must show" 3: a top-up paid on the (stand-in) Stripe page has a receipt the user
// downloads from the billing page, naming the tax ID and the payment method (brand and last 4).
// Run alone: node --test test/browser/receipt.e2e.mjs   (after npm run build:dashboard)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { signUpAndVerify } from "./accounts.mjs";
import { startStack } from "./harness.mjs";

let stack, page;

/** A verified account, signed up and signed in through the dashboard's forms (a real session). */
const verifiedSession = (address) => signUpAndVerify(stack, page, address, "Receipt Tester");

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
