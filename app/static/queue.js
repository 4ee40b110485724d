/* What waits on the phone to be sent (IndexedDB), and its sending: shared by the page
   (offline.js) and the service worker (sw.js, on background sync). The server grades each
   item once whatever the number of sendings (app/offline/services.py). An item names the
   address it goes to (default /offline/sync); `kits` keeps an ambassador's kits (carrier.js). */
(function (scope) {
  "use strict";
  var STORE = "items", KITS = "kits";

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open("hvs-queue", 2);
      req.onupgradeneeded = function () {
        [STORE, KITS].forEach(function (name) {
          if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name, {keyPath: "key"});
        });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function run(mode, work, name) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode), req = work(tx.objectStore(name));
        tx.oncomplete = function () { db.close(); resolve(req.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function store(name) {
    return {
      put: function (item) { return run("readwrite", function (s) { return s.put(item); }, name); },
      all: function () { return run("readonly", function (s) { return s.getAll(); }, name); },
      remove: function (key) { return run("readwrite", function (s) { return s.delete(key); }, name); }
    };
  }

  var Q = Object.assign(store(STORE), {
    kits: store(KITS),
    busy: null,
    send: function () {  // one pass at a time here; two tabs may overlap, the server dedups
      if (!Q.busy) {
        Q.busy = Q.all().then(function (items) {
          return items.filter(function (i) { return i.state === "waiting"; })
            .reduce(function (done, item) { return done.then(function () { return sendOne(item); }); },
                    Promise.resolve());
        }).finally(function () { Q.busy = null; });
      }
      return Q.busy;
    }
  });

  function sendOne(item) {
    return fetch(item.url || "/offline/sync", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify(item)})
      .then(function (res) {
        if ((res.headers.get("Content-Type") || "").indexOf("application/json") !== 0) return;
        return res.json().then(function (answer) {  // else signed out or server away: it waits
          if (!res.ok && answer.status !== "refused") return;
          item.state = res.ok ? "sent" : "refused";
          item.message = answer.message;
          item.result = answer.result || null;
          return Q.put(item);
        });
      }).catch(function () { /* no signal: it waits */ });
  }

  scope.HvsQueue = Q;
})(self);
