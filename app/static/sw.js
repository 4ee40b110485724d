/* Học vụ số's service worker (served at /sw.js after its SETTINGS, app/offline/routes.py):
   pages read online are kept to read offline, anything else offline gets a Vietnamese page,
   and answers waiting on the phone are sent on background sync. */
importScripts(SETTINGS.queue);
var PAGES = "hvs-pages", ASSETS = "hvs-assets-" + SETTINGS.version;

function keepAll(name, urls) {
  return caches.open(name).then(function (cache) {
    return Promise.all(urls.map(function (u) { return cache.add(u).catch(function () {}); }));
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(Promise.all([keepAll(PAGES, SETTINGS.pages), keepAll(ASSETS, SETTINGS.assets)])
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {  // drop the assets of older versions
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("hvs-assets-") === 0 && n !== ASSETS; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function kept(url) {
  return (url.pathname === "/" || SETTINGS.keep.some(function (p) { return url.pathname.indexOf(p) === 0; }))
    && !/\.html$/.test(url.pathname);  // a course's single-file download is not a page
}

function asset(request) {  // fingerprinted: never changes, so the copy is always right
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (res) {
      if (res.ok) { var copy = res.clone(); caches.open(ASSETS).then(function (c) { c.put(request, copy); }); }
      return res;
    });
  });
}

function offlineCopy(url) {
  var tries = [url.pathname + url.search], check = url.pathname.match(/^\/checks\/([^/]+)\/([^/]+)$/);
  if (check) tries.push("/offline/checks/" + check[1] + "/" + check[2]);
  tries.push(SETTINGS.offline);
  return tries.reduce(function (found, key) {
    return found.then(function (hit) { return hit || caches.match(key, {ignoreVary: true}); });
  }, Promise.resolve(null)).then(function (hit) {
    return hit || new Response('<!doctype html><meta charset="utf-8"><meta name="viewport" ' +
      'content="width=device-width, initial-scale=1"><title>Học vụ số</title><p>' + SETTINGS.fallback,
      {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
  });
}

function page(request, url) {
  return fetch(request).then(function (res) {
    if (res.status === 200 && res.type === "basic" && !res.redirected && kept(url)) {
      var copy = res.clone();
      caches.open(PAGES).then(function (c) { c.put(url.pathname + url.search, copy); });
    }
    return res;
  }, function () { return offlineCopy(url); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/assets/") === 0) event.respondWith(asset(request));
  else if (request.mode === "navigate") event.respondWith(page(request, url));
});

function sendAndTell() {
  return self.HvsQueue.send().then(function () { return self.clients.matchAll(); })
    .then(function (tabs) { tabs.forEach(function (t) { t.postMessage("sent"); }); });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "hvs-send") event.waitUntil(sendAndTell());
});
