// Punto's service worker: pages and data once seen open again offline.
// Network first (content changes), the cache when the network fails.
"use strict";
// The node serves this file with the shell's files at their hashed URLs
// (/assets/{hash}/app.js, see assets/site.go), so each release is a new
// worker with a cache of its own, named after the hash; the old one goes.
const SHELL = [
  "/",
  "/assets/app.js",
  "/assets/lib/toolkit.js",
  "/assets/lib/format.js",
  "/assets/lib/reach.js",
  "/assets/core.js",
  "/assets/fallback.js",
  "/assets/idle.js",
  "/assets/live.js",
  "/assets/alerts.js",
  "/assets/freshness.js",
  "/assets/closure.js",
  "/assets/screens/start.js",
  "/assets/screens/home.js",
  "/assets/screens/results.js",
  "/assets/screens/search.js",
  "/assets/screens/detail.js",
  "/assets/screens/found.js",
  "/assets/screens/closure.js",
  "/assets/map.js",
  "/assets/style.css",
  "/assets/icon.svg",
  "/manifest.webmanifest",
];
const CACHE = `punto-${SHELL[1].split("/")[2]}`;

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== self.location.origin) return;
  // The live channel streams; the editor holds a session: neither is
  // cached, nor are the editor's own files.
  if (url.pathname === "/api/v1/live" || url.pathname.startsWith("/editor") || /^\/assets\/[^/]+\/editor\//.test(url.pathname)) return;
  // Deep links are the one page.
  const key = url.pathname.startsWith("/s/") ? new Request(url.pathname + url.search) : e.request;
  e.respondWith(fetch(e.request).then((res) => {
    if (res.ok) {
      const copy = res.clone();
      caches.open(CACHE).then((c) => c.put(key, copy));
    }
    return res;
  }).catch(() => caches.match(key).then((hit) => {
    if (hit) return hit;
    // Data never seen: say so as data, not with the page.
    if (url.pathname.startsWith("/api/")) {
      return new Response(JSON.stringify({ error: "offline" }), { status: 503, headers: { "Content-Type": "application/json" } });
    }
    return caches.match("/");
  })));
});
