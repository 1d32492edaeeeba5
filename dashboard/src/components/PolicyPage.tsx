// Shared by the Privacy Policy and the Terms: sections of translated text whose figures come from
// GET /api/public/policy (the running configuration), never from constants in the dashboard.
import { getPolicy } from "../api/public";
import type { Policy } from "../api/types";
import { ErrorBox, Loading, useAsync } from "../components/ui";
import { fmtDate, fmtUsd, t, type Key } from "../i18n";

export type Section = { title: Key; body: Key[] };

function vars(p: Policy): Record<string, string | number> {
  return {
    usage: p.retention_days.usage, security: p.retention_days.security, transactions: p.retention_days.transactions,
    unverified: p.retention_days.unverified, deleted: p.retention_days.deleted, window: p.refund_window_days,
    overdraft: fmtUsd(p.overdraft_usd), hours: p.session_ttl_hours, version: p.terms_version,
    years: Math.round((p.retention_days.transactions / 365) * 10) / 10,
  };
}

export function PolicyPage({ title, intro, sections }: { title: Key; intro: Key; sections: Section[] }) {
  const policy = useAsync(getPolicy);
  const p = policy.data;
  return (
    <article class="prose">
      <h1>{t(title)}</h1>
      <ErrorBox error={policy.error} />
      {!p ? <Loading /> : (
        <>
          <p class="muted">{t("policy_version", { version: p.terms_version, date: fmtDate(p.terms_version, false) })}</p>
          <p>{t(intro, vars(p))}</p>
          {sections.map((s) => (
            <section key={s.title} aria-labelledby={s.title}>
              <h2 id={s.title}>{t(s.title)}</h2>
              {s.body.length > 1 ? <ul>{s.body.map((b) => <li key={b}>{t(b, vars(p))}</li>)}</ul> : <p>{t(s.body[0]!, vars(p))}</p>}
            </section>
          ))}
        </>
      )}
    </article>
  );
}
