// The browser storage of the offline hand-out session (IndexedDB "phocap-offline"):
//   meta        the open session (user, commune, village, programme, when it expires)
//   households  the village's priority list      } personal data kept only for the session:
//   stock       the commune's phones in stock    } cleared at sync, logout, or expiry
//   recipients  the village's recipients to visit }
//   queue       hand-outs and visits recorded, not yet sent (`kind`; kept until sent or discarded)
// Loaded on every page so that logging out, or a session past its expiry, clears the
// cached personal data wherever the official is.
(function () {
  "use strict";
  var NAME = "phocap-offline";
  var CACHED = ["meta", "households", "stock", "recipients"];

  function open() {
    return new Promise(function (resolve, reject) {
      // Version 2 adds the recipients to visit; a queue kept by version 1 stays as it is.
      var req = indexedDB.open(NAME, 2);
      req.onupgradeneeded = function (event) {
        var db = req.result;
        if (event.oldVersion < 1) {
          db.createObjectStore("meta");
          db.createObjectStore("households", { keyPath: "id" });
          db.createObjectStore("stock", { keyPath: "imei" });
          db.createObjectStore("queue", { keyPath: "key" });
        }
        if (event.oldVersion < 2) db.createObjectStore("recipients", { keyPath: "handout" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  // fn(stores) runs in one transaction; the promise resolves once it is committed, with
  // fn's result (the result of a request it returned).
  function run(names, mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(names, mode);
        var stores = {};
        names.forEach(function (n) { stores[n] = t.objectStore(n); });
        var result = fn(stores);
        t.oncomplete = function () {
          db.close();
          resolve(result instanceof IDBRequest ? result.result : result);
        };
        t.onerror = t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }

  function all(store) { return run([store], "readonly", function (s) { return s[store].getAll(); }); }
  function get(store, key) { return run([store], "readonly", function (s) { return s[store].get(key); }); }
  function put(store, value, key) {
    return run([store], "readwrite", function (s) { key === undefined ? s[store].put(value) : s[store].put(value, key); });
  }
  function remove(store, key) { return run([store], "readwrite", function (s) { s[store].delete(key); }); }

  function clearCache() {
    return run(CACHED, "readwrite", function (s) { CACHED.forEach(function (n) { s[n].clear(); }); });
  }

  // A new session replaces the cached data of the previous one in one transaction.
  function saveSession(meta, households, stock, recipients) {
    return run(CACHED, "readwrite", function (s) {
      CACHED.forEach(function (n) { s[n].clear(); });
      s.meta.put(meta, "session");
      households.forEach(function (h) { s.households.put(h); });
      stock.forEach(function (d) { s.stock.put(d); });
      (recipients || []).forEach(function (r) { s.recipients.put(r); });
    });
  }

  function purgeIfExpired() {
    return get("meta", "session").then(function (meta) {
      if (meta && meta.expires_at < Date.now()) return clearCache().then(function () { return true; });
      return false;
    });
  }

  window.phocapOffline = { all: all, get: get, put: put, remove: remove, run: run, clearCache: clearCache,
                           saveSession: saveSession, purgeIfExpired: purgeIfExpired };

  if (!window.indexedDB) return;
  document.addEventListener("DOMContentLoaded", function () {
    purgeIfExpired().catch(function () {});
    // Logout clears the cached personal data (and the kept session page) before leaving.
    document.querySelectorAll("form[data-logout]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.cleared) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        if (navigator.serviceWorker && navigator.serviceWorker.controller) {
          navigator.serviceWorker.controller.postMessage("forget");
        }
        var done = function () { form.dataset.cleared = "1"; form.submit(); };
        clearCache().then(done, done);
      }, true);
    });
  });
})();
