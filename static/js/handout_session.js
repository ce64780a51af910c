// The offline hand-out session (distribution:handout_session). Online, the official opens
// a session for a village: its priority list and the commune's stock go to IndexedDB
// (offline_store.js). Offline, hand-outs are recorded into the queue, each with an
// idempotency key made when it is recorded. Back online, the queue goes to the write API
// (POST /api/v1/handouts/) with those keys, so a retry never records twice; what the
// server refuses is listed with what happened and the choices.
(function () {
  "use strict";

  var app = document.getElementById("session-app");
  if (!app) return;
  var T = JSON.parse(document.getElementById("session-strings").textContent);
  var store = window.phocapOffline;
  var imei = window.phocapImei;
  var COMMUNE = +app.dataset.commune;
  var COMMUNE_NAME = app.dataset.communeName;
  var PROGRAMME = app.dataset.programme ? +app.dataset.programme : null;
  var USER = app.dataset.user;
  var API = app.dataset.api;
  var LOGIN_CODES = ["not_authenticated", "authentication_failed", "permission_denied"];
  var $ = function (id) { return document.getElementById(id); };

  var state = { meta: null, households: [], stock: [], queue: [], current: null, syncing: false };

  function fmt(s, values) {
    return String(s).replace(/%\((\w+)\)s/g, function (_, k) { return values[k] === undefined ? "" : values[k]; });
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function when(ms) {
    var d = new Date(ms);
    var p = function (n) { return (n < 10 ? "0" : "") + n; };
    return p(d.getDate()) + "/" + p(d.getMonth() + 1) + "/" + d.getFullYear() + " " + p(d.getHours()) + ":" + p(d.getMinutes());
  }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  // --- reading the API (tolerant of a paginated or a plain list answer) ------------------

  function getAll(url, key) {
    var rows = [];
    function page(u) {
      return fetch(u, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
        if (!r.ok) return r.json().catch(function () { return {}; }).then(function (body) {
          throw new Error(body.detail || r.status);
        });
        return r.json();
      }).then(function (data) {
        var list = Array.isArray(data) ? data : (data.results || data[key] || []);
        rows = rows.concat(list);
        return data.next ? page(data.next) : { rows: rows, data: data };
      });
    }
    return page(url);
  }

  function person(p) {
    return { id: p.id, full_name: p.full_name || p.name || "", citizen_id: p.citizen_id || "" };
  }

  function household(h) {
    var people = (h.people || h.persons || h.members_list || []).map(person);
    return {
      id: h.id, head_name: h.head_name || h.name || "", label: h.category || h.priority_label || "",
      received: !!(h.received || h.has_handout || h.handouts_count || h.received_count),
      people: people, queued: false,
    };
  }

  // --- the network badge ------------------------------------------------------------------

  function showNet() {
    var on = navigator.onLine;
    $("net").textContent = on ? T.online : T.offline;
    $("net").className = "badge " + (on ? "ok" : "warn");
    $("open-button").disabled = !on;
  }

  // --- rendering ----------------------------------------------------------------------------

  function mine(r) { return r.user === USER; }

  function render() {
    var queue = state.queue.filter(mine);
    var pending = queue.filter(function (r) { return r.status !== "conflict"; });
    var conflicts = queue.filter(function (r) { return r.status === "conflict"; });
    var hasSession = !!state.meta;
    $("open-session").hidden = hasSession;
    $("session").hidden = !hasSession && !queue.length;
    $("session-title").parentNode.hidden = !hasSession;
    $("hh-list").parentNode.hidden = !hasSession;
    if (hasSession) {
      $("session-title").textContent = fmt(T.session_title, { village: state.meta.village_name, commune: COMMUNE_NAME });
      $("session-expiry").textContent = fmt(T.expiry, { opened: when(state.meta.opened_at), expires: when(state.meta.expires_at) });
    }

    $("queue-count").textContent = pending.length;
    var list = $("queue-list");
    list.innerHTML = "";
    pending.forEach(function (r) {
      list.appendChild(el("li", { "data-key": r.key }, r.recipient_name + " — " + r.household_name + " — IMEI " + r.imei + " — " + when(r.handed_at_ms)));
    });
    $("sync-button").disabled = !pending.length || state.syncing;
    var others = state.queue.length - queue.length;
    if (others) list.appendChild(el("li", { "class": "muted" }, fmt(T.other_user, { n: others })));

    $("conflicts").hidden = !conflicts.length;
    $("conflict-count").textContent = conflicts.length;
    var cl = $("conflict-list");
    cl.innerHTML = "";
    conflicts.forEach(function (r) { cl.appendChild(conflictItem(r)); });

    renderHouseholds();
  }

  function renderHouseholds() {
    var ul = $("hh-list");
    ul.innerHTML = "";
    var q = $("hh-filter").value.trim().toLowerCase();
    state.households.forEach(function (h) {
      if (q && h.head_name.toLowerCase().indexOf(q) < 0) return;
      var li = el("li", { "class": "hh", "data-id": h.id });
      li.appendChild(el("strong", {}, h.head_name));
      if (h.label) li.appendChild(el("span", { "class": "muted" }, " · " + h.label));
      if (h.received) li.appendChild(el("span", { "class": "badge ok" }, T.received));
      if (h.queued) li.appendChild(el("span", { "class": "badge warn" }, T.queued));
      var b = el("button", { type: "button", "class": "primary" }, T.record);
      b.addEventListener("click", function () { openRecord(h); });
      li.appendChild(el("br"));
      li.appendChild(b);
      ul.appendChild(li);
    });
  }

  // --- loading and opening ------------------------------------------------------------------

  function load() {
    return Promise.all([store.get("meta", "session"), store.all("households"), store.all("stock"),
                        store.all("queue")]).then(function (r) {
      var meta = r[0];
      if (meta && (meta.user !== USER || meta.commune !== COMMUNE)) meta = null;  // another account's
      state.meta = meta || null;
      state.households = meta ? r[1] : [];
      state.stock = meta ? r[2] : [];
      state.queue = r[3].sort(function (a, b) { return a.created - b.created; });
      var queued = {};
      state.queue.filter(mine).forEach(function (q) { queued[q.household] = true; });
      state.households.forEach(function (h) { h.queued = !!queued[h.id]; });
      render();
    });
  }

  function openSession() {
    var select = $("village");
    var village = +select.value;
    if (!village) return;
    var err = $("open-error");
    err.hidden = true;
    $("open-button").disabled = true;
    $("sync-status").textContent = T.opening;
    Promise.all([getAll(API + "villages/" + village + "/priority/", "households"),
                 getAll(API + "communes/" + COMMUNE + "/stock/", "devices")])
      .then(function (r) {
        var now = Date.now();
        var meta = {
          user: USER, commune: COMMUNE, village: village, village_name: select.options[select.selectedIndex].text,
          programme: r[0].data.programme || PROGRAMME, opened_at: now, expires_at: now + T.days * 86400000,
        };
        var stock = r[1].rows.map(function (d) { return { imei: d.imei, model: d.model || "" }; });
        return store.saveSession(meta, r[0].rows.map(household), stock);
      })
      .then(function () { $("sync-status").textContent = ""; return load(); })
      .catch(function (e) {
        $("sync-status").textContent = "";
        err.textContent = fmt(T.open_failed, { detail: e.message });
        err.hidden = false;
      })
      .then(showNet);
  }

  function closeSession() {
    var pending = state.queue.filter(mine).length;
    if (!window.confirm(T.close_confirm + (pending ? "\n" + fmt(T.close_pending, { n: pending }) : ""))) return;
    store.clearCache().then(load);
  }

  // --- recording a hand-out -----------------------------------------------------------------

  function usedImeis(exceptKey) {
    return state.queue.filter(function (r) { return r.key !== exceptKey; }).map(function (r) { return r.imei; });
  }

  function availableStock(exceptKey) {
    var used = usedImeis(exceptKey);
    return state.stock.filter(function (d) { return used.indexOf(d.imei) < 0; });
  }

  function localInput(ms) {
    var d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
    return d.toISOString().slice(0, 16);
  }

  function openRecord(h) {
    state.current = h;
    $("record").hidden = false;
    $("record-household").textContent = h.head_name;
    var sel = $("rec-person");
    sel.innerHTML = "";
    h.people.forEach(function (p) {
      sel.appendChild(el("option", { value: p.id }, p.full_name + (p.citizen_id ? " — " + p.citizen_id : "")));
    });
    sel.appendChild(el("option", { value: "" }, T.other_person));
    fillPerson();
    $("rec-imei").value = "";
    $("rec-stock").innerHTML = "";
    $("rec-at").value = localInput(Date.now());
    $("record-error").hidden = true;
    $("record").scrollIntoView();
  }

  function fillPerson() {
    var id = $("rec-person").value;
    var p = state.current.people.filter(function (x) { return String(x.id) === id; })[0];
    $("rec-name").value = p ? p.full_name : "";
    $("rec-cid").value = p ? p.citizen_id : "";
  }

  function recordError(text) {
    $("record-error").textContent = text;
    $("record-error").hidden = false;
  }

  function saveRecord() {
    var h = state.current;
    var name = $("rec-name").value.trim();
    var cid = $("rec-cid").value.replace(/\s+/g, "");
    var code = $("rec-imei").value.replace(/\s+/g, "");
    var at = $("rec-at").value ? new Date($("rec-at").value).getTime() : Date.now();
    if (!name) return recordError(T.err_name);
    if (!/^(\d{9}|\d{12})$/.test(cid)) return recordError(T.err_cid);
    if (!imei.isValid(code)) return recordError(T.err_imei);
    if (usedImeis().indexOf(code) >= 0) return recordError(fmt(T.err_used, { imei: code }));
    if (!state.stock.some(function (d) { return d.imei === code; })) return recordError(fmt(T.err_not_stock, { imei: code }));
    if (at > Date.now() + 60000) return recordError(T.err_at);
    var personId = $("rec-person").value ? +$("rec-person").value : null;
    var record = {
      key: uuid4(), user: USER, commune: COMMUNE, programme: state.meta.programme, household: h.id,
      household_name: h.head_name, person: personId, recipient_name: name, citizen_id: cid, imei: code,
      handed_at_ms: at, status: "pending", created: Date.now(), conflict: null,
    };
    store.put("queue", record).then(function () {
      $("record").hidden = true;
      $("sync-status").textContent = fmt(T.saved, { imei: code, name: name });
      return load();
    });
  }

  // --- sending ------------------------------------------------------------------------------

  function body(r) {
    return JSON.stringify({
      household: r.household, person: r.person, recipient_name: r.recipient_name, citizen_id: r.citizen_id,
      imei: r.imei, handed_at: new Date(r.handed_at_ms).toISOString(), programme: r.programme || null,
    });
  }

  // One record: resolves "sent", "conflict", or rejects with {stop: message} (kept pending).
  function send(r) {
    return fetch(API + "handouts/", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken(),
                 "Idempotency-Key": r.key },
      body: body(r),
    }).catch(function () { throw { stop: T.sync_offline }; }).then(function (response) {
      if (response.ok) return store.remove("queue", r.key).then(function () { return "sent"; });
      return response.json().catch(function () { return {}; }).then(function (data) {
        // Not signed in (any more), or the CSRF cookie is stale: nothing is lost, sign in again.
        if (response.status === 401 || response.status === 403 && (!data.code || LOGIN_CODES.indexOf(data.code) >= 0)) {
          throw { stop: T.sync_login };
        }
        if (response.status >= 500 || response.status === 429 || !data.code && response.status !== 400) {
          throw { stop: fmt(T.sync_error, { detail: data.detail || response.status }) };
        }
        r.status = "conflict";
        r.conflict = { code: data.code || "invalid", detail: data.detail || JSON.stringify(data) };
        return store.put("queue", r).then(function () { return "conflict"; });
      });
    });
  }

  function sync() {
    if (state.syncing) return Promise.resolve();
    var todo = state.queue.filter(function (r) { return mine(r) && r.status !== "conflict"; });
    if (!todo.length) return Promise.resolve();
    state.syncing = true;
    $("sync-button").disabled = true;
    var status = $("sync-status");
    status.textContent = fmt(T.sending, { n: todo.length });
    var sent = 0;
    var chain = todo.reduce(function (p, r) {
      return p.then(function () { return send(r); }).then(function (outcome) { if (outcome === "sent") sent += 1; });
    }, Promise.resolve());
    return chain.then(function () {
      status.textContent = fmt(T.sent, { n: sent });
      return store.all("queue");
    }, function (e) {
      status.textContent = fmt(T.sent, { n: sent }) + " " + (e && e.stop ? e.stop : String(e));
      return null;
    }).then(function (queue) {
      state.syncing = false;
      // Everything sent: the cached personal data goes (a conflict keeps it until resolved).
      if (queue && !queue.filter(mine).length) {
        return store.clearCache().then(function () { status.textContent += " " + T.all_sent; });
      }
    }).then(load);
  }

  // --- conflicts ----------------------------------------------------------------------------

  function conflictItem(r) {
    var li = el("li", { "class": "conflict card", "data-key": r.key, "data-code": r.conflict.code });
    li.appendChild(el("strong", {}, r.recipient_name + " — " + r.household_name + " — IMEI " + r.imei));
    li.appendChild(el("p", {}, (T["conflict_" + r.conflict.code] || T.conflict_other)));
    li.appendChild(el("p", { "class": "muted" }, r.conflict.detail));
    var choices = el("div", { "class": "choices" });
    li.appendChild(choices);
    var area = el("div");
    li.appendChild(area);

    if (r.conflict.code !== "household_already_received") {
      var phone = el("button", { type: "button", "class": "choose-phone" }, T.choose_phone);
      phone.addEventListener("click", function () { choosePhone(r, area); });
      choices.appendChild(phone);
    }
    if (r.conflict.code === "household_already_received" && state.households.length) {
      var other = el("button", { type: "button", "class": "choose-household" }, T.choose_household);
      other.addEventListener("click", function () { chooseHousehold(r, area); });
      choices.appendChild(other);
    }
    var drop = el("button", { type: "button", "class": "danger discard" }, T.discard);
    drop.addEventListener("click", function () {
      if (window.confirm(T.discard_confirm)) store.remove("queue", r.key).then(afterResolve);
    });
    choices.appendChild(drop);
    return li;
  }

  // A resolved record is a new request: it gets a new idempotency key.
  function resend(r, changes) {
    return store.run(["queue"], "readwrite", function (s) {
      s.queue.delete(r.key);
      var next = Object.assign({}, r, changes, { key: uuid4(), status: "pending", conflict: null });
      s.queue.put(next);
    }).then(load).then(function () { return navigator.onLine ? sync() : null; });
  }

  function afterResolve() {
    return load().then(function () {
      if (!state.queue.filter(mine).length) return store.clearCache().then(load);
    });
  }

  function choosePhone(r, area) {
    area.innerHTML = "";
    var input = el("input", { type: "text", inputmode: "numeric", autocomplete: "off", "class": "resolve-imei",
                              "aria-label": "IMEI" });
    var list = el("ul", { "class": "stock-picker" });
    var ok = el("button", { type: "button", "class": "primary resend" }, T.resend);
    var error = el("p", { "class": "msg error", hidden: "" });
    area.appendChild(input);
    area.appendChild(list);
    area.appendChild(error);
    area.appendChild(ok);
    imei.attach(input);
    var stock = availableStock(r.key).filter(function (d) { return d.imei !== r.imei; });
    // Online, the picker offers the commune's stock as it is now.
    if (navigator.onLine) {
      getAll(API + "communes/" + COMMUNE + "/stock/", "devices").then(function (res) {
        var used = usedImeis(r.key);
        stock = res.rows.filter(function (d) { return used.indexOf(d.imei) < 0 && d.imei !== r.imei; });
      }).catch(function () {});
    }
    imei.picker(list, input, function () { return stock; });
    ok.addEventListener("click", function () {
      var code = input.value.replace(/\s+/g, "");
      if (!imei.isValid(code)) { error.textContent = T.err_imei; error.hidden = false; return; }
      if (usedImeis(r.key).indexOf(code) >= 0) {
        error.textContent = fmt(T.err_used, { imei: code });
        error.hidden = false;
        return;
      }
      resend(r, { imei: code });
    });
  }

  function chooseHousehold(r, area) {
    area.innerHTML = "";
    var sel = el("select", { "class": "resolve-household", "aria-label": T.choose_household });
    state.households.forEach(function (h) {
      if (h.id !== r.household && !h.received) sel.appendChild(el("option", { value: h.id }, h.head_name));
    });
    var ok = el("button", { type: "button", "class": "primary resend" }, T.resend);
    area.appendChild(sel);
    area.appendChild(ok);
    ok.addEventListener("click", function () {
      var h = state.households.filter(function (x) { return String(x.id) === sel.value; })[0];
      if (h) resend(r, { household: h.id, household_name: h.head_name, person: null });
    });
  }

  // --- start ----------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", function () {
    showNet();
    window.addEventListener("online", showNet);
    window.addEventListener("offline", showNet);
    $("open-button").addEventListener("click", openSession);
    $("close-session").addEventListener("click", closeSession);
    $("sync-button").addEventListener("click", sync);
    $("record-save").addEventListener("click", saveRecord);
    $("record-cancel").addEventListener("click", function () { $("record").hidden = true; });
    $("rec-person").addEventListener("change", fillPerson);
    $("hh-filter").addEventListener("input", renderHouseholds);
    imei.picker($("rec-stock"), $("rec-imei"), function () { return availableStock(); });
    store.purgeIfExpired().then(load);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(app.dataset.sw, { scope: "/" }).catch(function () {});
    }
  });
})();
