// Issue 15 in a real browser: an owner creates an organization and invites a member; the member
// accepts, creates an organization key and uses it; the owner sees the usage by member, removes
// the member, and the member's organization key stops at once.
// Run: node --test test/browser/organizations.e2e.mjs   (after npm run build:dashboard; needs Chromium)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signUpAndVerify } from "./accounts.mjs";
import { settled, startStack, waitFor } from "./harness.mjs";

const stamp = Date.now();
let stack, owner, member;

before(async () => {
  stack = await startStack();
  const context = () => stack.browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } }).then((c) => c.newPage());
  owner = await context();
  member = await context();
}, { timeout: 300_000 });

after(async () => { await stack?.stop(); });

const chat = (key) => fetch(`${stack.base}/api/v1/chat/completions`, {
  method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
  body: JSON.stringify({ model: "demo", max_tokens: 16, messages: [{ role: "user", content: "Hello" }] }),
});

describe("organizations in the dashboard", { timeout: 600_000 }, () => {
  it("invite → accept → member key → use → usage by member → removal stops the key at once", async () => {
    const ownerEmail = `owner-${stamp}@example.test`;
    const memberEmail = `member-${stamp}@example.test`;
    await signUpAndVerify(stack, owner, ownerEmail, "Org Owner");
    await signUpAndVerify(stack, member, memberEmail, "Org Member");

    // The owner creates the organization; the operator funds its shared wallet.
    await owner.goto(`${stack.base}/organizations`);
    await settled(owner);
    await owner.getByTestId("org-name").fill("Acme");
    await owner.getByRole("button", { name: "Create organization" }).click();
    const switcher = owner.getByTestId("org-switcher");
    await switcher.waitFor();
    const orgId = await switcher.inputValue();
    assert.match(orgId, /^o[0-9a-z]{20}$/);
    const funded = await stack.admin("POST", `/orgs/${orgId}/credits`, { amount_usd: "1.00" });
    assert.equal(funded.status, 201);

    // Invitation by email: the link is shown to the owner and mailed to the member.
    const mark = stack.mark();
    await owner.getByTestId("invite-email").fill(memberEmail);
    await owner.getByRole("button", { name: "Send invitation" }).click();
    const shown = await owner.getByTestId("invite-link").inputValue();
    const mailed = await stack.mailLink(memberEmail, "/organizations", mark);
    assert.equal(mailed, shown);

    // The member accepts and creates an organization key.
    await member.goto(mailed);
    await member.getByTestId("accept-invitation").click();
    await member.getByTestId("org-summary").waitFor();
    assert.match(await member.getByTestId("org-summary").innerText(), /Member/);
    await member.getByTestId("org-key-name").fill("member key");
    await member.getByRole("button", { name: "Create key" }).click();
    const key = await member.getByTestId("org-new-key").inputValue();
    assert.ok(key.startsWith(`sk-gw-${orgId}-`), key);

    // The member uses it; the owner sees the usage attributed to the member.
    const used = await chat(key);
    assert.equal(used.status, 200, await used.clone().text());
    await used.text();
    await waitFor(async () => {
      await owner.goto(`${stack.base}/organizations?org=${orgId}`);
      const table = owner.getByTestId("org-usage-table");
      await table.waitFor({ timeout: 5_000 }).catch(() => {});
      const text = await table.innerText().catch(() => "");
      return text.includes(memberEmail) && /\b1\b/.test(text);
    }, { timeout: 30_000, what: "usage by member on the owner's page" });

    // The owner removes the member: the member's organization key stops on the very next request.
    await owner.getByRole("button", { name: `Remove ${memberEmail}` }).click();
    await owner.locator(`[data-member="${memberEmail}"]`).waitFor({ state: "detached" });
    const refused = await chat(key);
    assert.equal(refused.status, 401);
    assert.equal((await refused.json()).error.code, "api_key_revoked");
  });
});
