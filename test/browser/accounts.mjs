// Browser-test accounts: sign-up through the form, verified through the link of the dev mail output,
// then signed in with the password (sign-up itself signs nobody in).
import assert from "node:assert/strict";

export const PASSWORD = "correct horse battery staple 42";

/** Signs up through the form and follows the verification link from the dev mail output. */
export async function signUpAndVerify(stack, page, address, name) {
  const mark = stack.mark();
  await page.goto(`${stack.base}/signup`);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Email", { exact: true }).fill(address);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByLabel("I am 18 years old or older.").check();
  await page.locator('input[name="accept_terms"]').check();
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByTestId("signup-sent").waitFor();
  const link = await stack.mailLink(address, "/verify-email", mark);
  assert.ok(link.startsWith(stack.base), `the verification link points at the dashboard: ${link}`);
  await page.goto(link);
  await page.getByTestId("verified").waitFor();
  await page.goto(`${stack.base}/signin`);
  await page.getByLabel("Email", { exact: true }).fill(address);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname === "/");
  await page.getByRole("heading", { name: "Overview" }).waitFor();
}
