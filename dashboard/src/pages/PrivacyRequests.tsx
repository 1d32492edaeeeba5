// The rights desk for users: file a request (re-authenticated) and follow its status (P28).
import { useState } from "preact/hooks";
import { fileRightsRequest, listRightsRequests, rightsKinds, type RightsRequest } from "../api/me";
import { Card, ErrorBox, Loading, useAsync } from "../components/ui";
import { fmtDate, t, type Key } from "../i18n";

function FileForm({ onFiled }: { onFiled: () => void }) {
  const kinds = useAsync(rightsKinds);
  const [kind, setKind] = useState("access");
  const [details, setDetails] = useState("");
  const [password, setPassword] = useState("");
  const [err, setErr] = useState<unknown>(null);
  if (!kinds.data) return kinds.error ? <ErrorBox error={kinds.error} /> : <Loading />;
  return (
    <form class="stack" onSubmit={(e) => {
      e.preventDefault();
      setErr(null);
      fileRightsRequest({ kind, details: details || undefined, password: password || undefined })
        .then(() => { setDetails(""); setPassword(""); onFiled(); }, setErr);
    }}>
      <label class="field">{t("rr_kind")}
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          {kinds.data.data.map((k) => <option value={k.kind} key={k.kind}>{k.label}</option>)}
        </select>
      </label>
      <label class="field">{t("rr_details")}<textarea name="details" maxLength={2000} value={details} onInput={(e) => setDetails(e.currentTarget.value)} /></label>
      <label class="field">{t("rr_password")}<input type="password" name="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
      <button class="btn btn-primary" type="submit">{t("rr_file")}</button>
      <ErrorBox error={err} />
    </form>
  );
}

function RequestRow({ r }: { r: RightsRequest }) {
  return (
    <tr data-request={r.id}>
      <td>{r.label}</td>
      <td><span class={`badge ${r.status === "open" ? (r.overdue ? "badge-bad" : "") : "badge-ok"}`}>{t(`rr_st_${r.status}` as Key)}</span>{r.overdue ? ` ${t("rr_overdue")}` : ""}</td>
      <td>{fmtDate(r.filed_at)}</td>
      <td>{fmtDate(r.due_at, false)}</td>
      <td>
        {r.resolution ?? ""}
        {r.evidence?.downloads?.length ? <ul>{r.evidence.downloads.map((d) => <li key={d}><a href={d} download>{d}</a></li>)}</ul> : null}
      </td>
    </tr>
  );
}

export default function PrivacyRequests() {
  const [version, setVersion] = useState(0);
  const list = useAsync(listRightsRequests, [version]);
  return (
    <>
      <h1>{t("rr_title")}</h1>
      <p>{t("rr_intro")}</p>
      <Card title={t("rr_file")} id="file-request"><FileForm onFiled={() => setVersion((v) => v + 1)} /></Card>
      <Card title={t("rr_mine")} id="my-requests">
        {!list.data ? (list.error ? <ErrorBox error={list.error} /> : <Loading />) : list.data.data.length === 0 ? <p>{t("no_data")}</p> : (
          <table class="table">
            <thead><tr><th>{t("rr_kind")}</th><th>{t("status")}</th><th>{t("rr_filed")}</th><th>{t("rr_due")}</th><th>{t("rr_answer")}</th></tr></thead>
            <tbody>{list.data.data.map((r) => <RequestRow r={r} key={r.id} />)}</tbody>
          </table>
        )}
      </Card>
    </>
  );
}
