// Admin screen: upload an open-data file (HSDS 3 JSON or zipped CSV
// package, GeoJSON, the flat CSV template). What changed goes out to the
// totems at once, as a publish; a file with any bad row imports nothing,
// and every problem is listed with its line (or JSON pointer) and field.

import { el, t, state, api, field, select, notice, showError } from "./lib.js";
import { request } from "../lib/toolkit.js";

const formats = [
  ["csv", ".csv,text/csv"],
  ["hsds", ".json,application/json"],
  ["hsds-csv", ".zip,application/zip"],
  ["geojson", ".geojson,.json,application/geo+json"],
];

// upload sends the file as the request body. A CSRF refusal is retried
// once with a fresh token, as api() does for JSON.
async function upload(format, file, retried = false) {
  try {
    return await request(`/editor/api/import?format=${encodeURIComponent(format)}`, {
      method: "POST", credentials: "same-origin", cache: "no-store", body: file,
      headers: { "Content-Type": "application/octet-stream", "X-CSRF-Token": state.csrf },
    });
  } catch (err) {
    if (err.network) err.message = t("err.network");
    if (err.status === 403 && err.code === "csrf" && !retried) {
      const s = await api("GET", "/session");
      state.csrf = s.csrf_token;
      return upload(format, file, true);
    }
    if (err.status === 401 && state.onSignedOut) state.onSignedOut("expired");
    throw err;
  }
}

// issueText says where a problem is: "services.csv, line 3 · status: …".
function issueText(is) {
  const where = [is.file, is.line ? t("import.line", { n: is.line }) : "", is.pointer].filter(Boolean).join(", ");
  const what = [is.field, is.reason].filter(Boolean).join(": ");
  return where ? `${where} · ${what}` : what;
}

export async function importScreen(view) {
  let format = "csv";
  const box = el("div", { class: "notice", hidden: true, id: "import-result" });
  const issues = el("ul", { class: "issues", id: "import-issues", hidden: true });
  const file = el("input", { type: "file", id: "import-file", accept: formats[0][1], required: true });
  const choose = select(formats.map(([f]) => [f, t(`import.format.${f}`)]), format, (v) => {
    format = v;
    file.accept = formats.find(([f]) => f === v)[1];
  }, { id: "import-format" });
  const submit = el("button", { type: "submit", class: "btn", id: "import-submit" }, t("import.submit"));
  const form = el("form", { class: "panel", novalidate: true, "aria-labelledby": "import-h", on: { submit: async (e) => {
    e.preventDefault();
    issues.replaceChildren();
    issues.hidden = true;
    const f = file.files[0];
    if (!f) {
      notice(box, t("import.nofile"), "error");
      file.focus();
      return;
    }
    submit.disabled = true;
    notice(box, t("import.busy"));
    try {
      const res = await upload(format, f);
      notice(box, res.changed ? t("import.done", res) : t("import.unchanged", res));
      form.reset();
      format = "csv";
    } catch (err) {
      const list = err.body && Array.isArray(err.body.issues) ? err.body.issues : [];
      if (err.status === 400 && list.length) {
        notice(box, t("import.refused", { n: list.length }), "error");
        issues.replaceChildren(...list.map((is) => el("li", {}, issueText(is))));
        issues.hidden = false;
      } else {
        showError(err, box);
      }
    } finally {
      submit.disabled = false;
    }
  } } },
  el("h2", { id: "import-h" }, t("import.upload")),
  el("p", {}, t("import.intro")),
  el("div", { class: "row-fields" },
    field(t("import.format"), choose, { path: "format" }),
    field(t("import.file"), file, { path: "body", cls: "wide" })),
  el("p", { class: "hint" }, t("import.hint")),
  submit);
  view.append(el("h1", { tabIndex: -1 }, t("import.title")), form, box, issues);
}
