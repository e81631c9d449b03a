// Admin screens: accounts (create, role and territories, disable, reset
// password), totems (register, issue a token, revoke) and the list of
// drafts to publish together.

import { el, t, state, api, pick, when, notice, showError, field, select, checkbox, dialog, secretDialog, clearFieldErrors, languageWarnings } from "./lib.js";

function territoryChoices(chosen, path = "territories") {
  const set = new Set(chosen);
  const box = el("fieldset", { class: "choices", "data-field": path }, el("legend", {}, t("acct.territories")),
    el("p", { class: "hint" }, t("acct.territories_hint")),
    state.territories.map((x) => checkbox(pick(x.name), set.has(x.id), (on) => { if (on) set.add(x.id); else set.delete(x.id); }, { value: x.id })));
  box.value = () => [...set];
  return box;
}

function cell(label, ...content) {
  return el("td", { "data-label": label }, content);
}

// ---- accounts --------------------------------------------------------------

export async function accounts(view) {
  const box = el("div", { class: "notice", hidden: true });
  const table = el("div");
  const name = el("input", { type: "text", autocomplete: "off", required: true, id: "acct-name" });
  let role = "editor";
  const pw = el("input", { type: "password", autocomplete: "new-password", id: "acct-password", minLength: state.ref.password_min_length });
  const terr = territoryChoices([]);
  const form = el("form", { class: "panel", novalidate: true, "aria-labelledby": "acct-new-h", on: { submit: async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    const body = { name: name.value.trim(), role, territories: terr.value() };
    if (pw.value) body.password = pw.value;
    try {
      const res = await api("POST", "/accounts", body);
      notice(box, t("acct.created", { name: res.account.name }));
      form.reset();
      pw.value = "";
      await draw();
      if (res.password) secretDialog(t("acct.password_once", { name: res.account.name }), t("acct.password_once_hint"), res.password);
    } catch (err) {
      showError(err, box, form);
    }
  } } },
  el("h2", { id: "acct-new-h" }, t("acct.new")),
  el("div", { class: "row-fields" },
    field(t("acct.name"), name, { path: "name", cls: "wide" }),
    field(t("acct.role"), select(["editor", "admin", "coordinator", "mediator", "requester"].map((x) => [x, t(`user.role.${x}`)]), role, (v) => { role = v; }, { id: "acct-role" }), { path: "role" }),
    field(t("acct.password"), pw, { path: "password" })),
  terr,
  el("button", { type: "submit", class: "btn" }, t("acct.create")));

  const act = async (fn) => {
    try {
      await fn();
    } catch (err) {
      showError(err, box);
    }
  };
  const edit = (a) => {
    let r = a.role;
    const choices = territoryChoices(a.territories || []);
    const status = el("div", { class: "notice", hidden: true });
    const f = el("form", { novalidate: true, on: { submit: async (e) => {
      e.preventDefault();
      try {
        await api("PATCH", `/accounts/${a.id}`, { role: r, territories: choices.value() });
        d.close();
        notice(box, t("acct.updated"));
        await draw();
      } catch (err) {
        showError(err, status, f);
      }
    } } },
    field(t("acct.role"), select(["editor", "admin", "coordinator", "mediator", "requester"].map((x) => [x, t(`user.role.${x}`)]), r, (v) => { r = v; }), { path: "role" }),
    choices, status, el("button", { type: "submit", class: "btn" }, t("acct.save")));
    const d = dialog(`${t("common.edit")}: ${a.name}`, f);
  };

  const draw = async () => {
    const res = await api("GET", "/accounts");
    const names = (ids) => (ids || []).map((id) => pick((state.territories.find((x) => x.id === id) || { name: { it: id } }).name)).join(", ");
    table.replaceChildren(el("table", { class: "grid stack" },
      el("caption", { class: "sr" }, t("acct.title")),
      el("thead", {}, el("tr", {}, [t("acct.name"), t("acct.role"), t("acct.territories"), t("common.status"), t("acct.last_login"), t("common.actions")].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, res.accounts.map((a) => el("tr", { class: a.disabled ? "off" : "" },
        cell(t("acct.name"), el("strong", {}, a.name)),
        cell(t("acct.role"), t(`user.role.${a.role}`)),
        cell(t("acct.territories"), a.role === "admin" ? t("user.all_territories") : names(a.territories)),
        cell(t("common.status"), a.disabled ? el("span", { class: "tag locked" }, t("acct.disabled")) : el("span", { class: "tag editable" }, t("acct.active"))),
        cell(t("acct.last_login"), a.last_login_at ? when(a.last_login_at) : t("acct.never")),
        cell(t("common.actions"), el("div", { class: "row-actions" },
          el("button", { type: "button", class: "btn secondary small", on: { click: () => edit(a) } }, t("common.edit")),
          el("button", { type: "button", class: "btn secondary small", on: { click: () => act(async () => {
            if (!confirm(t("acct.confirm_reset", { name: a.name }))) return;
            const r = await api("POST", `/accounts/${a.id}/password`, {});
            if (r.password) secretDialog(t("acct.password_once", { name: a.name }), t("acct.password_once_hint"), r.password);
          }) } }, t("acct.reset")),
          a.disabled
            ? el("button", { type: "button", class: "btn secondary small", on: { click: () => act(async () => { await api("PATCH", `/accounts/${a.id}`, { disabled: false }); notice(box, t("acct.updated")); await draw(); }) } }, t("acct.enable"))
            : el("button", { type: "button", class: "btn secondary small danger", on: { click: () => act(async () => {
              if (!confirm(t("acct.confirm_disable", { name: a.name }))) return;
              await api("DELETE", `/accounts/${a.id}`);
              notice(box, t("acct.updated"));
              await draw();
            }) } }, t("acct.disable")))))))));
  };
  view.append(el("h1", { tabIndex: -1 }, t("acct.title")), box, table, form);
  await draw();
}

// ---- totems ----------------------------------------------------------------

export async function totems(view) {
  const box = el("div", { class: "notice", hidden: true });
  const table = el("div");
  const id = el("input", { type: "text", autocomplete: "off", required: true, id: "totem-id", dir: "ltr" });
  const name = el("input", { type: "text", autocomplete: "off", id: "totem-name" });
  const lat = el("input", { type: "text", inputmode: "decimal", id: "totem-lat", dir: "ltr" });
  const lon = el("input", { type: "text", inputmode: "decimal", id: "totem-lon", dir: "ltr" });
  const issue = async (body) => {
    const res = await api("POST", "/totems", body);
    await draw();
    secretDialog(t("totem.token_once", { id: res.totem.id }), t("totem.token_hint"), res.token);
  };
  const form = el("form", { class: "panel", novalidate: true, "aria-labelledby": "totem-new-h", on: { submit: async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    try {
      await issue({ id: id.value.trim(), name: name.value.trim(), point: [Number(lon.value.replace(",", ".")), Number(lat.value.replace(",", "."))] });
      form.reset();
    } catch (err) {
      showError(err, box, form);
    }
  } } },
  el("h2", { id: "totem-new-h" }, t("totem.new")),
  el("div", { class: "row-fields" },
    field(t("totem.id"), id, { path: "id" }), field(t("totem.name"), name, { path: "name", cls: "wide" })),
  el("div", { class: "row-fields", "data-field": "point" }, field(t("totem.lat"), lat), field(t("totem.lon"), lon)),
  el("button", { type: "submit", class: "btn" }, t("totem.issue")));

  const draw = async () => {
    const res = await api("GET", "/totems");
    if (!res.totems.length) {
      table.replaceChildren(el("p", { class: "empty" }, t("totem.none")));
      return;
    }
    table.replaceChildren(el("table", { class: "grid stack" },
      el("caption", { class: "sr" }, t("totem.title")),
      el("thead", {}, el("tr", {}, [t("totem.id"), t("totem.name"), t("loc.point"), t("totem.last_seen"), t("totem.seq"), t("common.status"), t("common.actions")].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, res.totems.map((x) => el("tr", { class: x.revoked ? "off" : "" },
        cell(t("totem.id"), el("code", {}, x.id)),
        cell(t("totem.name"), x.name || ""),
        cell(t("loc.point"), el("span", { dir: "ltr" }, `${x.point[1]}, ${x.point[0]}`)),
        cell(t("totem.last_seen"), x.last_seen ? when(x.last_seen) : t("totem.never"), x.last_error ? el("span", { class: "warn-text" }, ` · ${x.last_error}`) : ""),
        cell(t("totem.seq"), String(x.seq || 0)),
        cell(t("common.status"), x.revoked ? el("span", { class: "tag locked" }, t("totem.revoked")) : el("span", { class: "tag editable" }, t("acct.active"))),
        cell(t("common.actions"), el("div", { class: "row-actions" },
          el("button", { type: "button", class: "btn secondary small", on: { click: async () => {
            if (!confirm(t("totem.confirm_reissue", { id: x.id }))) return;
            try {
              await issue({ id: x.id, name: x.name, point: x.point });
            } catch (err) {
              showError(err, box);
            }
          } } }, t("totem.reissue")),
          x.revoked ? null : el("button", { type: "button", class: "btn secondary small danger", on: { click: async () => {
            if (!confirm(t("totem.confirm_revoke", { id: x.id }))) return;
            try {
              await api("POST", `/totems/${encodeURIComponent(x.id)}/revoke`, {});
              await draw();
            } catch (err) {
              showError(err, box);
            }
          } } }, t("totem.revoke")))))))));
  };
  view.append(el("h1", { tabIndex: -1 }, t("totem.title")), box, table, form);
  await draw();
}

// ---- drafts: publish several at once -----------------------------------------

const editorPath = { service: "services", alert: "alerts", page: "pages" };

export async function drafts(view, flash, warnings) {
  const box = el("div", { class: "notice", hidden: true });
  const res = await api("GET", "/drafts");
  const picked = new Set();
  const publishBtn = el("button", { type: "button", class: "btn publish", id: "publish-selected" }, t("drafts.publish_selected"));
  const rows = res.drafts.map((d) => {
    const label = pick(d.name) || d.id;
    const key = JSON.stringify({ kind: d.kind, id: d.id });
    const box = el("input", { type: "checkbox", class: "pick", disabled: !d.editable, "aria-label": t("drafts.select", { name: label }),
      on: { change: (e) => { if (e.target.checked) picked.add(key); else picked.delete(key); } } });
    const href = editorPath[d.kind] ? `#/${editorPath[d.kind]}/${encodeURIComponent(d.id)}` : null;
    return el("tr", { "data-id": d.id },
      el("td", { class: "pick-cell" }, box),
      cell(t("drafts.kind"), t(`kind.${d.kind}`)),
      cell(t("drafts.name"), href ? el("a", { href }, label) : label, el("span", { class: "sub" }, ` · ${d.id}`)),
      cell(t("common.status"), d.published ? t("common.published_state") : el("span", { class: "tag new" }, t("common.new_record")),
        d.editable ? "" : el("span", { class: "tag locked" }, t("common.readonly"))),
      cell(t("drafts.author"), d.author),
      cell(t("drafts.updated"), when(d.updated_at)));
  });
  const all = el("input", { type: "checkbox", "aria-label": t("drafts.select_all"), on: { change: (e) => {
    for (const c of view.querySelectorAll("input.pick:not(:disabled)")) {
      c.checked = e.target.checked;
      c.dispatchEvent(new Event("change"));
    }
  } } });
  publishBtn.addEventListener("click", async () => {
    if (picked.size === 0) {
      notice(box, t("drafts.nothing_selected"), "warn");
      return;
    }
    publishBtn.disabled = true;
    try {
      const out = await api("POST", "/publish", { drafts: [...picked].map((k) => JSON.parse(k)) });
      const fresh = el("div", { class: "page" });
      await drafts(fresh, [t("drafts.published_list", { seq: out.seq }), " ", out.published.map((p) => `${t(`kind.${p.kind}`)} ${p.id}`).join(", ")], out.warnings);
      view.replaceWith(fresh);
      fresh.querySelector(".notice").focus();
    } catch (err) {
      showError(err, box);
      publishBtn.disabled = false;
    }
  });
  if (flash) {
    notice(box, flash);
    box.tabIndex = -1;
  }
  const warned = el("div", { class: "notice", hidden: true, id: "publish-warnings" });
  if (warnings) notice(warned, languageWarnings(warnings), "warn");
  view.append(el("h1", { tabIndex: -1 }, t("drafts.title")), el("p", {}, t("drafts.intro")), box, warned,
    ...(res.drafts.length ? [
      el("table", { class: "grid stack drafts" },
        el("caption", { class: "sr" }, t("drafts.title")),
        el("thead", {}, el("tr", {}, el("th", { scope: "col", class: "pick-cell" }, all),
          [t("drafts.kind"), t("drafts.name"), t("common.status"), t("drafts.author"), t("drafts.updated")].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, rows)),
      el("div", { class: "bar-actions" }, publishBtn),
    ] : [el("p", { class: "empty" }, t("drafts.none"))]));
}
