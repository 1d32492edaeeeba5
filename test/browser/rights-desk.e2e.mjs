// The rights desk in a real browser (issue 17, P28): a user files a request from the dashboard,
// after re-entering the password; a self-service request (access) is answered at once with its
// download links, and a queued one (objection) shows as answered once the operator resolves it.
// Also P26: the Billing page's transactions download (JSON) holds the account's ledger rows.
// Run: node --test test/browser/rights-desk.e2e.mjs   (needs /usr/bin/chromium; build the dashboard first)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { PASSWORD, signUpAndVerify } from "./accounts.mjs";
import { settled, startStack } from "./harness.mjs";

const address = `rights-${Date.now()}@example.test`;
let stack, page;

before(async () => {
  stack = await startStack();
  page = await (await stack.browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } })).newPage();
}, { timeout: 300_000 });

after(async () => { await stack?.stop(); });

/** A verified account with a password, signed up and signed in through the dashboard's forms. */
async function signedIn() {
  await signUpAndVerify(stack, page, address, "Rights Tester");
}

async function file(kindLabel) {
  await page.locator('select[name="kind"]').selectOption({ label: kindLabel });
  await page.locator('textarea[name="details"]').fill(`Please handle my ${kindLabel.split(":")[0]} request.`);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: "Send request" }).click();
}

describe("rights desk in the dashboard", { timeout: 600_000 }, () => {
  it("files an access request (answered at once) and an objection (answered by the operator), and shows both answered", async () => {
    await signedIn();
    await page.goto(`${stack.base}/settings`);
    await page.getByRole("link", { name: /Privacy requests/ }).click();
    await page.getByRole("heading", { name: "Privacy requests", level: 1 }).waitFor();
    await settled(page);

    await file("Access: a copy of my personal data");
    const accessRow = page.locator("tr", { hasText: "Access: a copy of my personal data" });
    await accessRow.getByText("Answered").waitFor();
    assert.ok(await accessRow.getByRole("link", { name: "/api/me/export/usage?format=json" }).isVisible());

    await file("Objection to processing");
    const objectionRow = page.locator("tr", { hasText: "Objection to processing" });
    await objectionRow.getByText("Open").waitFor();

    // The operator sees it in the queue with its due date and answers it.
    const queue = await stack.admin("GET", "/rights-requests?status=open");
    const mine = queue.body.data.find((r) => r.kind === "objection" && r.details === "Please handle my Objection to processing request.");
    assert.ok(mine, "the objection is in the operator queue");
    assert.equal(Date.parse(mine.due_at) - Date.parse(mine.filed_at), 30 * 86_400_000);
    const resolved = await stack.admin("POST", `/rights-requests/${mine.id}/resolve`, { outcome: "fulfilled", note: "We stopped the processing you objected to." });
    assert.equal(resolved.status, 200);

    await page.reload();
    await settled(page);
    await objectionRow.getByText("Answered").waitFor();
    await objectionRow.getByText("We stopped the processing you objected to.").waitFor();
  });

  it("P26: the Billing page downloads the transactions as JSON, with the account's credit in it", async () => {
    const list = await stack.admin("GET", `/users?q=${encodeURIComponent(address)}`);
    const id = list.body.data.find((u) => u.email === address).id;
    const grant = await stack.admin("POST", `/users/${id}/credits`, { amount_usd: "7.25", note: "browser export check" });
    assert.equal(grant.status, 201);
    await page.goto(`${stack.base}/billing`);
    await settled(page);
    const card = page.getByRole("region", { name: "Transactions" });
    const link = card.getByRole("link", { name: "Download JSON" });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const rows = JSON.parse(readFileSync(await download.path(), "utf8"));
    const credit = rows.find((r) => r.note === "browser export check");
    assert.ok(credit, `the download lists the credit: ${JSON.stringify(rows)}`);
    assert.equal(credit.amount_usd, "7.25");
    assert.equal(credit.amount_nano, 7_250_000_000);
  });
});
