import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { backoffMs, deliverDue } from "../../src/email/deliver";
import { enqueueEmail } from "../../src/email/outbox";
import { EmailSendError, httpSender, type OutgoingEmail, type Sender } from "../../src/email/sender";
import { renderEmail } from "../../src/email/templates";
import { runScheduled } from "../../src/scheduled";
import { anon, register, tokenFromEmail, uniqueEmail } from "./helpers";

type Sent = OutgoingEmail & { link: string | null };

/** A sender that fails the first `failures` sends to `failTo`, then accepts; it records what it accepted. */
function flakySender(failures: number, failTo = ""): Sender & { sent: Sent[] } {
  let failed = 0;
  const fn = Object.assign(async (mail: Sent) => {
    if (mail.to === failTo && failed < failures) {
      failed++;
      throw new EmailSendError("http_503");
    }
    fn.sent.push(mail);
  }, { sent: [] as Sent[] });
  return fn;
}

async function row(id: string) {
  return env.DB.prepare("SELECT attempts, sent_at, last_error, next_attempt_at FROM email_outbox WHERE id = ?").bind(id)
    .first<{ attempts: number; sent_at: number | null; last_error: string | null; next_attempt_at: number }>();
}

describe("email outbox", () => {
  it("a failed send is kept, retried after its backoff, and delivered exactly once", async () => {
    const t0 = 1_900_000_000_000;
    const to = uniqueEmail("mail");
    // Older than anything else in the table so it is first in line.
    const id = await enqueueEmail(env, { userId: null, to, template: "reset_password", data: { link: "https://app.example/reset-password?token=abc" } }, t0);
    const sender = flakySender(2, to);
    const mine = () => sender.sent.filter((m) => m.to === to);

    await deliverDue(env, { sender, now: t0 });
    expect(await row(id)).toMatchObject({ attempts: 1, sent_at: null, last_error: "http_503", next_attempt_at: t0 + backoffMs(1) });

    await deliverDue(env, { sender, now: t0 + backoffMs(1) - 1 }); // not due yet
    expect((await row(id))!.attempts).toBe(1);

    const t1 = t0 + backoffMs(1);
    await deliverDue(env, { sender, now: t1 });
    expect(await row(id)).toMatchObject({ attempts: 2, sent_at: null, next_attempt_at: t1 + backoffMs(2) });
    expect(backoffMs(2)).toBe(2 * backoffMs(1));

    await deliverDue(env, { sender, now: t1 + backoffMs(2) });
    const done = (await row(id))!;
    expect(done.sent_at).toEqual(expect.any(Number));
    expect(done.last_error).toBeNull();
    expect(mine()).toHaveLength(1);
    expect(mine()[0]).toMatchObject({ subject: "Reset your password", link: "https://app.example/reset-password?token=abc" });

    await deliverDue(env, { sender, now: t1 + 10 * backoffMs(2) });
    expect(mine()).toHaveLength(1);
  });

  it("a sent row keeps no link: the single-use token is gone from the table; an unsent one keeps it for the retry", async () => {
    const to = uniqueEmail("redact");
    const link = `https://app.example/verify-email?token=${"K".repeat(43)}`;
    const id = await enqueueEmail(env, { userId: null, to, template: "change_email", data: { link, new_email: to } });
    const sender = flakySender(1, to);
    await deliverDue(env, { sender });
    expect(JSON.parse((await env.DB.prepare("SELECT data FROM email_outbox WHERE id = ?").bind(id).first<string>("data"))!)).toEqual({ link, new_email: to });
    await deliverDue(env, { sender, now: Date.now() + backoffMs(1) });
    expect(sender.sent.filter((m) => m.to === to).map((m) => m.link)).toEqual([link]);
    const sent = await env.DB.prepare("SELECT sent_at, data FROM email_outbox WHERE id = ?").bind(id).first<{ sent_at: number | null; data: string }>();
    expect(sent!.sent_at).toEqual(expect.any(Number));
    expect(JSON.parse(sent!.data)).toEqual({ new_email: to });
  });

  it("after delivery no email_outbox row holds a verification or reset token", async () => {
    const { userId, email } = await register();
    const tokens = [await tokenFromEmail(userId, "verify_email")];
    expect((await anon("/api/auth/password-reset/request", { method: "POST", json: { email } })).status).toBe(202);
    tokens.push(await tokenFromEmail(userId, "reset_password"));
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The whole table, every column that holds text.
      const hit = await env.DB.prepare("SELECT count(*) AS n FROM email_outbox WHERE instr(data, ?1) > 0 OR instr(coalesce(last_error, ''), ?1) > 0 OR instr(to_address, ?1) > 0")
        .bind(token).first<number>("n");
      expect(hit).toBe(0);
    }
  });

  it("two concurrent flushes send a message once (rows are claimed before sending)", async () => {
    const to = uniqueEmail("race");
    await enqueueEmail(env, { userId: null, to, template: "policy_change", data: { terms_version: "2027-01-01" } });
    const sender = flakySender(0);
    await Promise.all([deliverDue(env, { sender }), deliverDue(env, { sender }), deliverDue(env, { sender })]);
    expect(sender.sent.filter((m) => m.to === to)).toHaveLength(1);
  });

  it("the cron runs the outbox job", async () => {
    const outcome = await runScheduled(env);
    expect(outcome["email-outbox"]).toBe("ok");
  });

  it("the HTTP sender POSTs {from,to,subject,text,html} with the bearer token and reports failures by status code only", async () => {
    const seen: { url: string; auth: string | null; body: unknown }[] = [];
    let status = 200;
    const fakeFetch = (async (url: string, init: RequestInit) => {
      seen.push({ url, auth: new Headers(init.headers).get("authorization"), body: JSON.parse(String(init.body)) });
      return new Response("{}", { status });
    }) as unknown as typeof fetch;
    const send = httpSender("https://mail.example/emails", "tok_123", fakeFetch);
    const mail = { from: "a@x.test", to: "b@x.test", subject: "S", text: "T", html: "<p>T</p>", link: null };
    await send(mail);
    expect(seen[0]).toEqual({ url: "https://mail.example/emails", auth: "Bearer tok_123", body: { from: "a@x.test", to: "b@x.test", subject: "S", text: "T", html: "<p>T</p>" } });
    status = 502;
    await expect(send(mail)).rejects.toMatchObject({ code: "http_502" });
  });
});

describe("email templates", () => {
  const origin = "https://gateway.example";
  const cases: [Parameters<typeof renderEmail>[0], Record<string, string | null>, string, string | null][] = [
    ["verify_email", { link: `${origin}/verify-email?token=T1` }, "Confirm your email address", `${origin}/verify-email?token=T1`],
    ["reset_password", { link: `${origin}/reset-password?token=T2` }, "Reset your password", `${origin}/reset-password?token=T2`],
    ["low_balance", { balance_usd: "0.42", threshold_usd: "1.00" }, "Your balance is running low", `${origin}/billing`],
    ["account_deleted", { refund_usd: "3.50" }, "Your account was deleted", null],
    ["policy_change", { terms_version: "2027-01-01", effective_date: "2027-01-01" }, "We are updating our Terms", `${origin}/terms`],
  ];
  for (const [template, data, subject, link] of cases) {
    it(`${template}: subject, text and html, with its link`, () => {
      const m = renderEmail(template, data, origin);
      expect(m.subject).toBe(subject);
      expect(m.link).toBe(link);
      expect(m.html).toMatch(/^<!doctype html>/);
      for (const v of Object.values(data)) {
        if (v && !v.startsWith("http")) expect(m.text).toContain(v);
      }
      if (link) {
        expect(m.text).toContain(link);
        expect(m.html).toContain(`href="${link}"`);
      }
    });
  }

  it("escapes values in the html part", () => {
    const m = renderEmail("email_changed", { new_email: "<script>x</script>@evil.test" }, origin);
    expect(m.html).not.toContain("<script>");
    expect(m.text).toContain("<script>x</script>@evil.test");
  });
});
