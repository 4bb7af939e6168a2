/*
 * The portal's service worker (served by notifications/pwa.py at /sw.js, scope "/").
 *
 * Caches, all named "portal-…" and versioned:
 *  - shell-<version>: the offline page, the manifest and the static files: cache first;
 *  - pages-<version>: public pages a signed-out visitor saw: network first, offline
 *    fallback to the copy, then to the offline page;
 *  - card-<viewer>: the signed-in member's card page, network first, so it opens
 *    offline after one online visit (on the very first visit, before this worker
 *    controls the page, pwa.js asks it to fetch and keep the card: CACHE_CARD).
 *    The copy served offline is marked data-offline-copy, so the page says it is
 *    an offline copy and shows its day code. Deleted on every login/logout request
 *    and as soon as any page shows another viewer (or none): never shown to
 *    someone else.
 * A new version waits until the page asks it to take over (the user agreed).
 * Push: every message is shown as a visible notification; a click opens its link.
 */
"use strict";

const CONFIG = {{ config_json|safe }};
const SHELL = "portal-shell-" + CONFIG.version;
const PAGES = "portal-pages-" + CONFIG.version;
const CARD_PREFIX = "portal-card-";
const MAX_PAGES = 40;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(CONFIG.shell)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("portal-") && !name.startsWith(CARD_PREFIX) &&
          name !== SHELL && name !== PAGES) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "SKIP_WAITING") {
    self.skipWaiting();
  } else if (data.type === "CACHE_CARD") {
    event.waitUntil(keepCard().catch(() => undefined));
  } else if (data.type === "CLEAR_CARD") {
    event.waitUntil(clearCards());
  } else if (data.type === "VERSION" && event.ports && event.ports[0]) {
    event.ports[0].postMessage({ version: CONFIG.version });
  }
});

async function clearCards(keep) {
  for (const name of await caches.keys()) {
    if (name.startsWith(CARD_PREFIX) && name !== keep) {
      await caches.delete(name);
    }
  }
}

// The cached copy, marked as such: card.html shows its offline notice and day code
// for a page whose card element carries data-offline-copy.
async function cachedCard() {
  for (const name of await caches.keys()) {
    if (name.startsWith(CARD_PREFIX)) {
      const cache = await caches.open(name);
      const response = await cache.match(CONFIG.cardUrl);
      if (response) {
        const html = (await response.text()).replace(
          "data-card-page ", "data-card-page data-offline-copy ");
        return new Response(html, { status: 200, headers: response.headers });
      }
    }
  }
  return undefined;
}

async function offlinePage() {
  const cache = await caches.open(SHELL);
  return (await cache.match(CONFIG.offlineUrl)) ||
    new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
}

// Whoever a fresh page was made for: a card cached for anyone else goes.
async function noteViewer(response) {
  const viewer = response.headers.get(CONFIG.viewerHeader);
  if (!viewer) {
    return;
  }
  if (viewer === "anon") {
    await clearCards();
  } else {
    await clearCards(CARD_PREFIX + viewer);
  }
}

async function trimPages(cache) {
  const keys = await cache.keys();
  for (let i = 0; i < keys.length - MAX_PAGES; i += 1) {
    await cache.delete(keys[i]);
  }
}

async function storeCard(response) {
  const viewer = response.headers.get(CONFIG.viewerHeader) || "";
  await noteViewer(response);
  const url = new URL(response.url);
  if (response.ok && !response.redirected && url.pathname === CONFIG.cardUrl &&
      viewer.startsWith("u-")) {
    const cache = await caches.open(CARD_PREFIX + viewer);
    await cache.put(CONFIG.cardUrl, response.clone());
  }
}

async function keepCard() {
  await storeCard(await fetch(CONFIG.cardUrl, { credentials: "same-origin", cache: "no-store" }));
}

async function cardPage(request) {
  try {
    const response = await fetch(request);
    await storeCard(response);
    return response;
  } catch (error) {
    return (await cachedCard()) || offlinePage();
  }
}

async function page(request) {
  try {
    const response = await fetch(request);
    await noteViewer(response);
    const control = response.headers.get("Cache-Control") || "";
    if (response.ok && response.type === "basic" && !response.redirected &&
        response.headers.get(CONFIG.viewerHeader) === "anon" &&
        !/no-store|private/.test(control)) {
      const cache = await caches.open(PAGES);
      await cache.put(request, response.clone());
      trimPages(cache);
    }
    return response;
  } catch (error) {
    const cache = await caches.open(PAGES);
    return (await cache.match(request)) || offlinePage();
  }
}

async function staticFile(request) {
  const cache = await caches.open(SHELL);
  const hit = await cache.match(request);
  if (hit) {
    return hit;
  }
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method !== "GET") {
    if (url.pathname.startsWith(CONFIG.accountPrefix)) {
      // Logging in or out: no card may outlive the session it was made for.
      event.respondWith(clearCards().then(() => fetch(request)));
    }
    return;
  }
  if (url.pathname.startsWith(CONFIG.staticUrl)) {
    event.respondWith(staticFile(request));
  } else if (request.mode === "navigate" && url.pathname === CONFIG.cardUrl) {
    event.respondWith(cardPage(request));
  } else if (request.mode === "navigate" && !url.pathname.startsWith(CONFIG.adminPrefix)) {
    event.respondWith(page(request));
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  const title = data.title || "お知らせ";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    icon: data.icon || CONFIG.defaultIcon,
    badge: CONFIG.defaultIcon,
    tag: data.tag || undefined,
    lang: "ja",
    data: { url: data.url || "/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/",
    self.location.origin);
  if (target.origin !== self.location.origin) {
    return;
  }
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of windows) {
      if ("navigate" in client && "focus" in client) {
        await client.focus();
        return client.navigate(target.href);
      }
    }
    return self.clients.openWindow(target.href);
  })());
});
