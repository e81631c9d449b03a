// The audit log: who changed what and when, with a field-by-field view of
// the record before and after.

import { el, t, state, api, when, showError, field, select, dialog } from "./lib.js";

// flatten lists the leaves of a JSON value by path: name.it, locations[0].point…
function flatten(v, path = "", out = new Map()) {
  if (Array.isArray(v)) {
    if (v.length === 0) out.set(path, "[]");
    // A point stays one value: "[13.5, 43.6]" reads better than two rows.
    else if (v.every((x) => typeof x === "number")) out.set(path, JSON.stringify(v));
    else v.forEach((x, i) => flatten(x, `${path}[${i}]`, out));
  } else if (v && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 0) out.set(path, "{}");
    for (const k of keys) flatten(v[k], path ? `${path}.${k}` : k, out);
  } else if (v !== undefined) {
    out.set(path, typeof v === "string" ? v : JSON.stringify(v));
  }
  return out;
}

// diffRows compares two documents leaf by leaf; only the differences.
function diffRows(before, after) {
  const a = flatten(before ?? {}), b = flatten(after ?? {});
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  return keys.filter((k) => a.get(k) !== b.get(k)).map((k) => ({
    path: k, before: a.get(k), after: b.get(k),
    kind: !a.has(k) ? "added" : !b.has(k) ? "removed" : "changed",
  }));
}

function showDiff(e) {
  const rows = diffRows(e.before, e.after);
  const body = rows.length ? el("table", { class: "grid diff" },
    el("caption", { class: "sr" }, t("audit.diff")),
    el("thead", {}, el("tr", {}, [t("audit.field"), t("audit.before"), t("audit.after")].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((r) => el("tr", { class: r.kind },
      el("th", { scope: "row" }, el("code", {}, r.path || "—")),
      el("td", { class: "before" }, r.before === undefined ? el("span", { class: "muted" }, "—") : el("del", {}, r.before)),
      el("td", { class: "after" }, r.after === undefined ? el("span", { class: "muted" }, "—") : el("ins", {}, r.after))))))
    : el("p", {}, t("audit.no_changes"));
  const d = dialog(t("audit.diff_title", { action: t(`action.${e.action}`), kind: t(`kind.${e.kind}`), id: e.record_id }),
    el("p", { class: "meta" }, `${when(e.at)} · ${e.actor}${e.seq ? ` · seq ${e.seq}` : ""}`), body);
  d.classList.add("wide");
}

const editorPath = { service: "services", alert: "alerts", page: "pages" };

// record names the entry's record: a link to its editor, or the account's
// name rather than its number.
function record(e) {
  if (e.kind === "account") {
    const a = e.after || e.before || {};
    return a.name ? `${a.name} (${e.record_id})` : el("code", {}, e.record_id);
  }
  const code = el("code", {}, e.record_id);
  return editorPath[e.kind] ? el("a", { href: `#/${editorPath[e.kind]}/${encodeURIComponent(e.record_id)}` }, code) : code;
}

const ACTIONS = ["draft.save", "draft.discard", "publish", "withdraw", "account.create", "account.update", "account.disable",
  "account.enable", "account.password", "totem.token", "totem.revoke", "closure.start", "closure.end"];
const KINDS = ["service", "alert", "page", "organization", "territory", "recording", "closure", "account", "totem"];

export async function audit(view, params) {
  const admin = state.user.role === "admin";
  const f = { kind: params.get("kind") || "", id: params.get("id") || "", actor: params.get("actor") || "", action: params.get("action") || "" };
  const box = el("div", { class: "notice", hidden: true });
  const tbody = el("tbody");
  const more = el("button", { type: "button", class: "btn secondary", hidden: true }, t("common.more"));
  let before = 0;

  const load = async (append) => {
    const q = new URLSearchParams({ limit: 50 });
    for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
    if (append && before) q.set("before", before);
    try {
      const res = await api("GET", `/audit?${q}`);
      const rows = res.entries.map((e) => el("tr", {},
        el("td", { "data-label": t("common.when") }, when(e.at)),
        el("td", { "data-label": t("audit.actor") }, e.actor),
        el("td", { "data-label": t("audit.action") }, t(`action.${e.action}`)),
        el("td", { "data-label": t("audit.kind") }, t(`kind.${e.kind}`)),
        el("td", { "data-label": t("audit.id") }, record(e)),
        el("td", { "data-label": t("audit.seq") }, e.seq ? String(e.seq) : ""),
        el("td", { "data-label": t("audit.diff") }, el("button", { type: "button", class: "btn secondary small",
          "aria-label": `${t("audit.show_diff")}: ${t(`action.${e.action}`)} ${e.record_id}, ${when(e.at)}`, on: { click: () => showDiff(e) } }, t("audit.show_diff")))));
      if (append) tbody.append(...rows);
      else tbody.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colSpan: 7 }, t("audit.none")))]));
      before = res.next_before || 0;
      more.hidden = !res.next_before;
      box.hidden = true;
    } catch (err) {
      showError(err, box);
    }
  };
  more.addEventListener("click", () => load(true));

  const filter = (key, label, input) => field(label, input, { path: key });
  const form = el("form", { class: "filters", role: "search", on: { submit: (e) => { e.preventDefault(); load(false); } } },
    filter("kind", t("audit.kind"), select([["", t("common.all")], ...KINDS.map((k) => [k, t(`kind.${k}`)])], f.kind, (v) => { f.kind = v; load(false); })),
    filter("action", t("audit.action"), select([["", t("common.all")], ...ACTIONS.map((k) => [k, t(`action.${k}`)])], f.action, (v) => { f.action = v; load(false); })),
    filter("id", t("audit.id"), el("input", { type: "text", value: f.id, on: { change: (e) => { f.id = e.target.value.trim(); } } })),
    admin ? filter("actor", t("audit.actor"), el("input", { type: "text", value: f.actor, on: { change: (e) => { f.actor = e.target.value.trim(); } } })) : null,
    el("button", { type: "submit", class: "btn" }, t("common.filter")));

  view.append(el("h1", { tabIndex: -1 }, t("audit.title")), form, box,
    el("table", { class: "grid stack audit" },
      el("caption", { class: "sr" }, t("audit.title")),
      el("thead", {}, el("tr", {}, [t("common.when"), t("audit.actor"), t("audit.action"), t("audit.kind"), t("audit.id"), t("audit.seq"), t("audit.diff")].map((h) => el("th", { scope: "col" }, h)))),
      tbody),
    more);
  await load(false);
}
