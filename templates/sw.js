{% autoescape off %}// phocap service worker (own, small). It keeps what the offline hand-out session needs to
// open without a connection: the session page and its static files. Data (priority list,
// stock, queued hand-outs) is not here but in IndexedDB, written by the page itself.
// Everything else goes to the network untouched.
"use strict";
const VERSION = "{{ version }}";
const CACHE = "phocap-shell-" + VERSION;   // static files of this version
const PAGE = "phocap-page";                    // the session page (names the user): cleared at logout
const ASSETS = {{ assets }};
const SHELL = {{ shell }};

// The session page is kept only as the signed-in official got it (never a login page).
function keepShell(response) {
  if (!response.ok || response.redirected) return Promise.resolve();
  return caches.open(PAGE).then((cache) => cache.put(SHELL, response));
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS))
    .then(() => fetch(SHELL, { credentials: "same-origin" }).then(keepShell).catch(() => null))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("phocap-shell-") && k !== CACHE)
      .map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("message", (event) => {
  // Logout: the session page (which names the user and the communes) leaves the cache.
  if (event.data === "forget") event.waitUntil(caches.delete(PAGE));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SHELL) {
    // Network first (fresh page and CSRF cookie when online), the kept copy when offline.
    event.respondWith(fetch(request).then((response) => {
      keepShell(response.clone());
      return response;
    }).catch(() => caches.open(PAGE).then((cache) => cache.match(SHELL)).then((hit) => hit || Response.error())));
    return;
  }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.open(CACHE).then((cache) => cache.match(url.pathname)).then((hit) => hit || fetch(request)));
  }
});
{% endautoescape %}
