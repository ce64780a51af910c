// The offline session (distribution:handout_session). Online, the official (or the community
// digital technology team) opens a session for a village: its priority list and the commune's
// stock (hand-outs, commune officials only) and its recipients to visit go to IndexedDB
// (offline_store.js). Offline, hand-outs and follow-up visits are recorded into one queue
// (`kind`), each with an idempotency key made when it is recorded. Back online, the queue goes
// to the write API in chunks (POST /api/v1/handouts/sync/, /api/v1/visits/sync/) with those
// keys, so a retry never records twice; what the server refuses is listed with what happened
// and the choices.
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
  var HAND_OUT = app.dataset.handOut === "1";  // a commune official: hand-outs too, not only visits
  var CHUNK = 50;  // records per sync request (the API takes up to 200)
  var SYNC_URL = { handout: "handouts/sync/", visit: "visits/sync/" };
  var LOGIN_CODES = ["not_authenticated", "authentication_failed", "permission_denied"];
  var $ = function (id) { return document.getElementById(id); };

  var state = { meta: null, households: [], stock: [], recipients: [], queue: [], current: null, visiting: null,
                syncing: false };

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
  function kind(r) { return r.kind || "handout"; }  // records queued before visits existed are hand-outs

  function isoDay(ms) {
    var d = new Date(ms);
    var p = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate());
  }

  function dayText(iso) { var p = String(iso).split("-"); return p[2] + "/" + p[1] + "/" + p[0]; }

  function describe(r) {
    if (kind(r) === "visit") return fmt(T.visit_line, { name: r.recipient_name, household: r.household_name, on: dayText(r.visited_on) });
    return r.recipient_name + " — " + r.household_name + " — IMEI " + r.imei + " — " + when(r.handed_at_ms);
  }

  function render() {
    var queue = state.queue.filter(mine);
    var pending = queue.filter(function (r) { return r.status !== "conflict"; });
    var conflicts = queue.filter(function (r) { return r.status === "conflict"; });
    var hasSession = !!state.meta;
    $("open-session").hidden = hasSession;
    $("session").hidden = !hasSession && !queue.length;
    $("session-title").parentNode.hidden = !hasSession;
    $("hh-section").hidden = !hasSession || !HAND_OUT;
    $("visit-section").hidden = !hasSession;
    if (hasSession) {
      $("session-title").textContent = fmt(T.session_title, { village: state.meta.village_name, commune: COMMUNE_NAME });
      $("session-expiry").textContent = fmt(T.expiry, { opened: when(state.meta.opened_at), expires: when(state.meta.expires_at) });
    }

    $("queue-count").textContent = pending.length;
    var list = $("queue-list");
    list.innerHTML = "";
    pending.forEach(function (r) {
      list.appendChild(el("li", { "data-key": r.key, "data-kind": kind(r) }, describe(r)));
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
    renderRecipients();
  }

  function renderRecipients() {
    var ul = $("rc-list");
    ul.innerHTML = "";
    var queued = {};
    state.queue.filter(function (q) { return mine(q) && kind(q) === "visit"; }).forEach(function (q) { queued[q.handout] = true; });
    state.recipients.forEach(function (r) {
      var li = el("li", { "class": "rc", "data-handout": r.handout });
      li.appendChild(el("strong", {}, r.recipient_name));
      li.appendChild(el("span", { "class": "muted" }, " · " + r.household_name + " · " + dayText(r.handed_out_on)));
      if (r.latest_visit) li.appendChild(el("span", { "class": "badge ok" }, fmt(T.visited, { on: dayText(r.latest_visit.visited_on) })));
      else li.appendChild(el("span", { "class": "badge" }, T.not_visited));
      if (queued[r.handout]) li.appendChild(el("span", { "class": "badge warn" }, T.queued));
      var b = el("button", { type: "button", "class": "primary" }, T.record_visit);
      b.addEventListener("click", function () { openVisit(r); });
      li.appendChild(el("br"));
      li.appendChild(b);
      ul.appendChild(li);
    });
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
                        store.all("queue"), store.all("recipients")]).then(function (r) {
      var meta = r[0];
      if (meta && (meta.user !== USER || meta.commune !== COMMUNE)) meta = null;  // another account's
      state.meta = meta || null;
      state.households = meta ? r[1] : [];
      state.stock = meta ? r[2] : [];
      state.recipients = meta ? r[4] : [];
      state.queue = r[3].sort(function (a, b) { return a.created - b.created; });
      var queued = {};
      state.queue.filter(function (q) { return mine(q) && kind(q) === "handout"; }).forEach(function (q) { queued[q.household] = true; });
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
    var none = Promise.resolve({ rows: [], data: {} });
    Promise.all([HAND_OUT ? getAll(API + "villages/" + village + "/priority/", "households") : none,
                 HAND_OUT ? getAll(API + "communes/" + COMMUNE + "/stock/", "devices") : none,
                 getAll(API + "villages/" + village + "/visits/", "recipients")])
      .then(function (r) {
        var now = Date.now();
        var meta = {
          user: USER, commune: COMMUNE, village: village, village_name: select.options[select.selectedIndex].text,
          programme: r[0].data.programme || PROGRAMME, opened_at: now, expires_at: now + T.days * 86400000,
          phone_statuses: r[2].data.phone_statuses || [],
        };
        var stock = r[1].rows.map(function (d) { return { imei: d.imei, model: d.model || "" }; });
        return store.saveSession(meta, r[0].rows.map(household), stock, r[2].rows);
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
    return state.queue.filter(function (r) { return r.key !== exceptKey && kind(r) === "handout"; })
      .map(function (r) { return r.imei; });
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
    $("rec-exception").value = "";
    $("rec-consent").checked = false;
    $("record-error").hidden = true;
    $("visit").hidden = true;
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
    if (!$("rec-consent").checked) return recordError(T.err_consent);
    var personId = $("rec-person").value ? +$("rec-person").value : null;
    var record = {
      key: uuid4(), user: USER, commune: COMMUNE, programme: state.meta.programme, household: h.id,
      household_name: h.head_name, person: personId, recipient_name: name, citizen_id: cid, imei: code,
      handed_at_ms: at, consent: true, exception_reason: $("rec-exception").value.trim() || null,
      kind: "handout", status: "pending", created: Date.now(), conflict: null,
    };
    store.put("queue", record).then(function () {
      $("record").hidden = true;
      $("sync-status").textContent = fmt(T.saved, { imei: code, name: name });
      return load();
    });
  }

  // --- recording a visit ---------------------------------------------------------------------

  function openVisit(r) {
    state.visiting = r;
    $("visit").hidden = false;
    $("record").hidden = true;
    $("visit-recipient").textContent = r.recipient_name + " — " + r.household_name;
    $("vis-on").value = isoDay(Date.now());
    $("vis-on").max = isoDay(Date.now());
    document.querySelector("input[name=vis-vneid][value='0']").checked = true;
    ["vis-online", "vis-account", "vis-cashless"].forEach(function (id) { $(id).checked = false; });
    var sel = $("vis-phone");
    sel.innerHTML = "";
    ((state.meta && state.meta.phone_statuses) || []).forEach(function (p) { sel.appendChild(el("option", { value: p[0] }, p[1])); });
    $("vis-note").value = "";
    $("visit-error").hidden = true;
    $("visit").scrollIntoView();
  }

  function visitError(text) {
    $("visit-error").textContent = text;
    $("visit-error").hidden = false;
  }

  function saveVisit() {
    var r = state.visiting;
    var on = $("vis-on").value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(on)) return visitError(T.err_visit_date);
    if (on > isoDay(Date.now())) return visitError(T.err_visit_future);
    if (on < r.handed_out_on) return visitError(fmt(T.err_visit_before, { on: dayText(r.handed_out_on) }));
    if ($("vis-cashless").checked && !$("vis-account").checked) return visitError(T.err_visit_cashless);
    var record = {
      kind: "visit", key: uuid4(), user: USER, commune: COMMUNE, handout: r.handout, recipient_name: r.recipient_name,
      household_name: r.household_name, visited_on: on,
      vneid_level: +document.querySelector("input[name=vis-vneid]:checked").value,
      online_service_used: $("vis-online").checked, cashless_account_open: $("vis-account").checked,
      cashless_used: $("vis-cashless").checked, phone_status: $("vis-phone").value || "in_use",
      note: $("vis-note").value.trim(), status: "pending", created: Date.now(), conflict: null,
    };
    store.put("queue", record).then(function () {
      $("visit").hidden = true;
      $("sync-status").textContent = fmt(T.visit_saved, { name: r.recipient_name });
      return load();
    });
  }

  // --- sending ------------------------------------------------------------------------------

  function item(r) {
    if (kind(r) === "visit") {
      return {
        idempotency_key: r.key, handout: r.handout, visited_on: r.visited_on, vneid_level: r.vneid_level,
        online_service_used: r.online_service_used, cashless_account_open: r.cashless_account_open,
        cashless_used: r.cashless_used, phone_status: r.phone_status, note: r.note || "",
      };
    }
    return {
      idempotency_key: r.key, household: r.household, person: r.person, recipient_name: r.recipient_name,
      citizen_id: r.citizen_id, imei: r.imei, handed_at: new Date(r.handed_at_ms).toISOString(),
      programme: r.programme || null, consent: !!r.consent, exception_reason: r.exception_reason || null,
    };
  }

  // The server's words for a refused item, with what it said of each field.
  function explain(a) {
    var parts = [a.detail || ""];
    Object.keys(a.fields || {}).forEach(function (f) {
      var said = a.fields[f];
      parts.push(f + ": " + (Array.isArray(said) ? said.join(" ") : typeof said === "string" ? said : JSON.stringify(said)));
    });
    return parts.join(" ").trim() || String(a.http_status);
  }

  // One chunk of records of one kind: resolves with how many the server took; a refusal marks
  // its record as a conflict; rejects with {stop: message} (the chunk stays pending).
  function sendChunk(records) {
    return fetch(API + SYNC_URL[kind(records[0])], {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ items: records.map(item) }),
    }).catch(function () { throw { stop: T.sync_offline }; }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok || !Array.isArray(data.items)) {
          // Not signed in (any more), or the CSRF cookie is stale: nothing is lost, sign in again.
          if (response.status === 401 || response.status === 403 && (!data.code || LOGIN_CODES.indexOf(data.code) >= 0)) {
            throw { stop: T.sync_login };
          }
          throw { stop: fmt(T.sync_error, { detail: data.detail || response.status }) };
        }
        var byKey = {};
        data.items.forEach(function (a) { byKey[a.key] = a; });
        var taken = 0;
        return store.run(["queue"], "readwrite", function (s) {
          records.forEach(function (r) {
            var a = byKey[r.key];
            if (!a) return;  // not answered: stays pending for the next run
            if (a.http_status < 300) {
              taken += 1;
              s.queue.delete(r.key);
            } else {
              s.queue.put(Object.assign({}, r, { status: "conflict",
                conflict: { code: a.code || "invalid", detail: explain(a) } }));
            }
          });
        }).then(function () { return taken; });
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
    var chunks = [];
    ["handout", "visit"].forEach(function (k) {
      var ofKind = todo.filter(function (r) { return kind(r) === k; });
      for (var i = 0; i < ofKind.length; i += CHUNK) chunks.push(ofKind.slice(i, i + CHUNK));
    });
    var sent = 0;
    var chain = chunks.reduce(function (p, chunk) {
      return p.then(function () { return sendChunk(chunk); }).then(function (n) { sent += n; });
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
    var visit = kind(r) === "visit";
    var li = el("li", { "class": "conflict card", "data-key": r.key, "data-code": r.conflict.code, "data-kind": kind(r) });
    li.appendChild(el("strong", {}, describe(r)));
    li.appendChild(el("p", {}, visit ? T.conflict_visit : (T["conflict_" + r.conflict.code] || T.conflict_other)));
    li.appendChild(el("p", { "class": "muted" }, r.conflict.detail));
    var choices = el("div", { "class": "choices" });
    li.appendChild(choices);
    var area = el("div");
    li.appendChild(area);

    if (!visit && r.conflict.code !== "household_already_received") {
      var phone = el("button", { type: "button", "class": "choose-phone" }, T.choose_phone);
      phone.addEventListener("click", function () { choosePhone(r, area); });
      choices.appendChild(phone);
    }
    if (!visit && r.conflict.code === "household_already_received" && state.households.length) {
      var other = el("button", { type: "button", "class": "choose-household" }, T.choose_household);
      other.addEventListener("click", function () { chooseHousehold(r, area); });
      choices.appendChild(other);
    }
    var drop = el("button", { type: "button", "class": "danger discard" }, T.discard);
    drop.addEventListener("click", function () {
      if (window.confirm(visit ? T.discard_visit_confirm : T.discard_confirm)) store.remove("queue", r.key).then(afterResolve);
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
    $("visit-save").addEventListener("click", saveVisit);
    $("visit-cancel").addEventListener("click", function () { $("visit").hidden = true; });
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
