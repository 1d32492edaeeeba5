import { useEffect, useState } from "preact/hooks";
import { verifyEmail } from "../api/auth";
import { ErrorBox, Loading } from "../components/ui";
import { t } from "../i18n";
import { useLocation } from "../router";
import { loadSession, useSession } from "../session";

export default function VerifyEmail() {
  const token = useLocation().search.get("token") ?? "";
  const { user } = useSession();
  const [state, setState] = useState<"working" | "done" | "failed">("working");
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!token) { setState("failed"); return; }
    verifyEmail(token).then(() => { setState("done"); void loadSession(); }, (err: unknown) => { setError(err); setState("failed"); });
  }, [token]);
  return (
    <div class="auth">
      <h1>{t("verify_title")}</h1>
      {state === "working" && <Loading />}
      {state === "done" && (
        <div class="alert alert-ok" role="status" data-testid="verified">{t("verify_done")} <a href={user ? "/" : "/signin"}>{t(user ? "go_overview" : "nav_signin")}</a></div>
      )}
      {state === "failed" && (error ? <ErrorBox error={error} /> : <div class="alert alert-error" role="alert">{t("verify_missing_token")}</div>)}
    </div>
  );
}
