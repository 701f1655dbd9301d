// 网格通's service worker, served at /m/sw.js with the shell's URLs filled in (web/pages/mobile.py).
// Install: precache the app shell. Fetch: the page from the network, else the cached one; static
// files (versioned URLs) and photos from the cache first; the app's GET API reads from the
// network, else the last answer kept. Writes are never touched: the page's outbox replays them.
const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const SHELL_CACHE = `m-shell-${VERSION}`;
const DATA_CACHE = "m-data";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("m-shell-") && n !== SHELL_CACHE).map((n) => caches.delete(n)),
      ))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, cacheName, fallbackKey) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(cacheName);
      await cache.put(fallbackKey ?? request, response.clone());
    }
    return response;
  } catch (err) {
    const cached = await caches.match(fallbackKey ?? request);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(DATA_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === "/m") {
    event.respondWith(networkFirst(request, SHELL_CACHE, "/m"));
  } else if (url.pathname.startsWith("/static/") || url.pathname.startsWith("/media/")) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname.startsWith("/api/v1/") || url.pathname.startsWith("/i18n/")
             || url.pathname === "/m/manifest.webmanifest") {
    event.respondWith(networkFirst(request, DATA_CACHE));
  }
});

self.addEventListener("message", (event) => {
  if (event.data === "sign-out") event.waitUntil(caches.delete(DATA_CACHE));
});
