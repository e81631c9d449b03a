// The forms of an alert (text per language, validity window, severity,
// target) and of an information page (title and body per language,
// position).

import { el, t, state, api, field, select, markDirty, pick } from "./lib.js";
import { areaEditor } from "./area.js";

// ---- Europe/Rome wall time <-> UTC ------------------------------------------

const romeParts = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Rome", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

// toRome gives "YYYY-MM-DDTHH:MM" in Italian time, for datetime-local.
function toRome(iso) {
  if (!iso) return "";
  const p = Object.fromEntries(romeParts.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// fromRome reads Italian wall time back as an RFC 3339 UTC time.
function fromRome(local) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local || "");
  if (!m) return "";
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const shown = toRome(new Date(guess).toISOString());
    const [d, h] = shown.split("T");
    const [y, mo, da] = d.split("-").map(Number);
    const [hh, mm] = h.split(":").map(Number);
    guess += wall - Date.UTC(y, mo - 1, da, hh, mm);
  }
  return new Date(guess).toISOString().replace(".000Z", "Z");
}

const myTerritories = () => state.territories.filter((x) => x.mine);

export const alertSpec = {
  kind: "alert",
  newTitle: "alerts.new",
  withdraw: true,
  lockedWhy: "alerts.locked",
  canWithdraw: () => true,
  title: (doc) => pick(doc.text),
  newDoc: () => {
    const start = new Date();
    start.setUTCSeconds(0, 0);
    const admin = state.user.role === "admin";
    const mine = myTerritories();
    return {
      id: "", text: {}, starts_at: start.toISOString().replace(".000Z", "Z"),
      ends_at: new Date(start.getTime() + 86400000).toISOString().replace(".000Z", "Z"), severity: "info",
      target_kind: admin ? "all" : "territory", target: admin ? "" : (mine[0] ? mine[0].id : ""),
    };
  },
  normalise(doc) {
    if (!doc.text) doc.text = {};
    if (!doc.target_kind) doc.target_kind = "all";
    if (doc.target === undefined) doc.target = "";
  },
  build(doc, texts, ctx) {
    const admin = state.user.role === "admin";
    const dt = (key, label) => field(label, el("input", { type: "datetime-local", value: toRome(doc[key]), required: true,
      on: { input: (e) => { doc[key] = fromRome(e.target.value); markDirty(); } } }), { path: key });
    const territories = admin ? state.territories : myTerritories();
    const terrSelect = select([["", "—"], ...territories.map((x) => [x.id, pick(x.name)])],
      doc.target_kind === "territory" ? doc.target : "", (v) => { doc.target = v; markDirty(); }, { id: "alert-territory" });
    const terrBox = field(t("alerts.territory"), terrSelect, { path: "target" });
    const totemBox = el("div", { class: "field", "data-field": "target" });
    const chosen = () => (doc.target_kind === "totems" ? doc.target.split(",").map((x) => x.trim()).filter(Boolean) : []);
    const drawTotems = (totems) => {
      if (!totems) {
        // Only an admin may list the totems: an editor types their IDs.
        totemBox.replaceChildren(field(t("alerts.totem_ids"), el("input", { type: "text", dir: "ltr", value: chosen().join(", "),
          on: { input: (e) => { doc.target = e.target.value.split(/[\s,]+/).filter(Boolean).join(","); markDirty(); } } })));
        return;
      }
      const picked = new Set(chosen());
      totemBox.replaceChildren(el("fieldset", { class: "choices" }, el("legend", {}, t("alerts.totems")),
        el("p", { class: "hint" }, t("alerts.totems_hint")),
        totems.length ? totems.map((x) => el("label", { class: "check" },
          el("input", { type: "checkbox", value: x.id, checked: picked.has(x.id), disabled: x.revoked, on: { change: (e) => {
            if (e.target.checked) picked.add(x.id);
            else picked.delete(x.id);
            doc.target = [...picked].join(",");
            markDirty();
          } } }), " ", `${x.name || x.id} (${x.id})`)) : el("p", { class: "muted" }, t("totem.none"))));
    };
    const loadTotems = () => {
      if (!admin) return drawTotems(null);
      return api("GET", "/totems").then((r) => drawTotems(r.totems), () => drawTotems(null));
    };
    loadTotems();

    const area = areaEditor(doc);
    let started = false;
    const show = () => {
      terrBox.hidden = doc.target_kind !== "territory";
      totemBox.hidden = doc.target_kind !== "totems";
      area.hidden = doc.target_kind !== "area";
      // The map draws once it has a size: when the area is first shown.
      if (!area.hidden && !started && area.isConnected) {
        started = true;
        area.start();
      }
    };
    if (ctx) {
      ctx.onStart.push(show);
      ctx.onStop = [...(ctx.onStop || []), area.stop];
    }
    const radios = el("fieldset", { class: "choices", "data-field": "target_kind" }, el("legend", {}, t("alerts.target")),
      state.ref.alert_targets.map((k) => el("label", { class: "check" },
        el("input", { type: "radio", name: "target_kind", value: k, checked: doc.target_kind === k, disabled: k === "all" && !admin,
          on: { change: () => {
            doc.target_kind = k;
            doc.target = k === "territory" ? terrSelect.value : "";
            if (k === "totems") loadTotems();
            if (k === "area") area.reset();
            markDirty();
            show();
          } } }), " ", t(`alerts.target.${k}`))),
      admin ? null : el("p", { class: "hint" }, t("alerts.all_admin")));
    show();
    return el("section", { class: "form-section" },
      texts.field(t("alerts.text"), doc.text, "text", { multiline: true, rows: 3, required: true }),
      el("div", { class: "row-fields" }, dt("starts_at", t("alerts.starts")), dt("ends_at", t("alerts.ends")),
        field(t("alerts.severity"), select(state.ref.alert_severities.map((s) => [s, t(`alerts.severity.${s}`)]), doc.severity || "info",
          (v) => { doc.severity = v; markDirty(); }), { path: "severity" })),
      radios, terrBox, totemBox, area);
  },
  clean(out) {
    if (out.target_kind === "all") out.target = "";
    return out;
  },
};

export const pageSpec = {
  kind: "page",
  newTitle: "pages.new",
  withdraw: true,
  lockedWhy: "common.admin_only",
  canWithdraw: () => true,
  title: (doc) => pick(doc.title),
  newDoc: () => ({ id: "", title: {}, body: {}, position: 1 }),
  normalise(doc) {
    if (!doc.title) doc.title = {};
    if (!doc.body) doc.body = {};
    if (doc.position === undefined) doc.position = 1;
  },
  build(doc, texts) {
    return el("section", { class: "form-section" },
      texts.field(t("pages.page_title"), doc.title, "title", { required: true }),
      texts.field(t("pages.body"), doc.body, "body", { multiline: true, rows: 12, required: true }),
      field(t("pages.position"), el("input", { type: "number", min: 0, step: 1, value: doc.position, class: "short",
        on: { input: (e) => { doc.position = Number(e.target.value) || 0; markDirty(); } } }), { path: "position" }));
  },
  clean: (out) => out,
};
