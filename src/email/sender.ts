import type { Env } from "../env";
import { settings } from "../lib/settings";

export interface OutgoingEmail { from: string; to: string; subject: string; text: string; html: string }

/** Sends one message or throws an EmailSendError whose `code` is short and holds no message content. */
export type Sender = (mail: OutgoingEmail & { link: string | null }) => Promise<void>;

export class EmailSendError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = "EmailSendError";
  }
}

const SEND_TIMEOUT_MS = 10_000;

/** An HTTP email API (Resend-compatible): POST JSON {from,to,subject,text,html} with a bearer token. */
export function httpSender(url: string, token: string | undefined, doFetch: typeof fetch = fetch): Sender {
  return async ({ from, to, subject, text, html }) => {
    let res: Response;
    try {
      res = await doFetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ from, to, subject, text, html }),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
    } catch (err) {
      throw new EmailSendError((err as Error).name === "TimeoutError" ? "timeout" : "network_error");
    }
    await res.body?.cancel();
    if (!res.ok) throw new EmailSendError(`http_${res.status}`);
  };
}

/**
 * Local development: no email API configured, so the message is printed to the console with its
 * link. Never leave EMAIL_API_URL unset in production: links would end up in the logs.
 */
export const consoleSender: Sender = async ({ to, subject, link }) => {
  console.log(["", "📧 ─────────────────────────────", `📧 To: ${to}`, `📧 Subject: ${subject}`, `📧 Link: ${link ?? "(none)"}`, "📧 ─────────────────────────────", ""].join("\n"));
};

export function senderFor(env: Env): Sender {
  const url = settings(env).EMAIL_API_URL;
  return url ? httpSender(url, env.EMAIL_API_TOKEN) : consoleSender;
}

export function fromAddress(env: Env): string {
  return settings(env).EMAIL_FROM;
}
