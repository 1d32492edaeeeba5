import { t } from "../i18n";

export default function NotFound() {
  return (
    <>
      <h1>{t("not_found_title")}</h1>
      <p>{t("not_found_body")} <a href="/">{t("go_overview")}</a></p>
    </>
  );
}
