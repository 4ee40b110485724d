/* Working without a signal (issue 16), added on top of pages that work without it: registers
   the service worker, keeps the opened course for offline reading, saves what is done offline
   (a module read, a check answered) on the phone, sends it when the signal returns, and says
   what is waiting. Texts come from this script tag's data-* (base.html), in the page's language. */
(function () {
  "use strict";
  var T = document.currentScript.dataset, Q = window.HvsQueue;
  if (!("serviceWorker" in navigator) || !window.indexedDB || !Q) return;
  navigator.serviceWorker.register("/sw.js", {scope: "/"});
  var main = document.getElementById("main");

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    node.textContent = text || "";
    if (cls) node.className = cls;
    return node;
  }

  function box() {
    var found = document.getElementById("offline-status");
    if (!found) {
      found = el("div");
      found.id = "offline-status";
      found.setAttribute("role", "status");
      main.insertBefore(found, main.firstChild);
    }
    return found;
  }

  function say(text, cls) { box().appendChild(el("p", text, "flash " + (cls || "flash-info"))); }

  var unsent = 0;  // what signing out would delete: items waiting, kits not taken (carrier.js)

  function show() {  // what waits, and what was sent or refused, until the learner has read it
    return Promise.all([Q.all(), Q.kits.all()]).then(function (found) {
      var items = found[0], b = box(), waiting = items.filter(function (i) { return i.state === "waiting"; });
      unsent = waiting.length + found[1].length;
      b.textContent = "";
      if (waiting.length) {
        var p = el("p", T.waiting + " ", "flash flash-info"), list = el("ul");
        waiting.forEach(function (i) { list.appendChild(el("li", (T[i.kind] || T.check) + i.title)); });
        p.appendChild(list);
        p.appendChild(el("small", T.logout));
        b.appendChild(p);
      }
      items.filter(function (i) { return i.state !== "waiting"; }).forEach(function (i) {
        var p = el("p", (i.title ? i.title + ": " : "") + i.message + " ", "flash " + (i.state === "sent" ? "flash-success" : "flash-error"));
        if (i.result) { var a = el("a", T.see); a.href = i.result; p.appendChild(a); p.appendChild(el("span", " ")); }
        var ok = el("button", T.dismiss, "link");
        ok.type = "button";
        ok.addEventListener("click", function () { Q.remove(i.key).then(show); });
        p.appendChild(ok);
        b.appendChild(p);
      });
    });
  }

  function sendNow() { return Q.send().then(show); }  // offline, fetch fails at once: it waits

  function later() {  // background sync where the browser has it; else the next page or `online`
    navigator.serviceWorker.ready.then(function (r) { return r.sync && r.sync.register("hvs-send"); })
      .catch(function () {});
  }

  function uuid() {
    return self.crypto && crypto.randomUUID ? crypto.randomUUID()
      : Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function blank(f) {  // one question (fieldset) not answered yet
    var boxes = f.querySelectorAll("input[type=radio], input[type=checkbox]");
    var selects = Array.prototype.filter.call(f.querySelectorAll("select"), function (s) { return !s.value; });
    return (boxes.length && !f.querySelector("input:checked")) || selects.length > 0;
  }

  function answersOf(form) {  // as the form would post them: q-… fields, lists of values
    var answers = {};
    new FormData(form).forEach(function (v, k) {
      if (k.indexOf("q-") === 0) (answers[k] = answers[k] || []).push(v);
    });
    return answers;
  }

  function saveAnswers(form) {
    if (Array.prototype.some.call(form.querySelectorAll("fieldset.question"), blank)) { say(T.missing, "flash-error"); return; }
    var item = {key: uuid(), kind: "answer", state: "waiting", title: form.dataset.title,
                token: form.elements.token.value, answers: answersOf(form), taken_at: new Date().toISOString()};
    Q.put(item).then(function () { form.hidden = true; later(); return sendNow(); })
      .then(Q.all).then(function (items) {  // still here: no signal, it waits
        if (items.some(function (i) { return i.key === item.key && i.state === "waiting"; })) say(T.saved);
      });
  }

  function saveRead(form, course, module) {
    var h1 = document.querySelector("h1");
    Q.put({key: "read:" + course + ":" + module, kind: "read", state: "waiting", course: course,
           module: module, title: h1 ? h1.textContent : module})
      .then(function () { later(); return show(); })
      .then(function () {
        form.hidden = true;
        say(T.saved);
        if (form.dataset.check) { var a = el("a", T.take, "button"); a.href = form.dataset.check; box().appendChild(a); }
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-offline-check")) { event.preventDefault(); saveAnswers(form); return; }
    if (navigator.onLine && new URL(form.action).pathname === "/auth/logout") {  // it clears the phone
      if (unsent && !window.confirm(T.unsent)) event.preventDefault();
      return;
    }
    if (navigator.onLine) return;
    event.preventDefault();  // never the browser's error page for a form sent without a signal
    var read = new URL(form.action).pathname.match(/^\/courses\/([^/]+)\/([^/]+)\/read$/);
    if (read) saveRead(form, read[1], read[2]); else say(T.offline, "flash-warning");
  });

  function cachedRecently(res, path) {  // a check's signed draw is fetched again each day
    return path.indexOf("/offline/checks/") !== 0 || Date.now() - Date.parse(res.headers.get("Date")) < 864e5;
  }

  async function keepCourse(url) {  // every module and check of the course, within its budget
    var pack = await fetch(url, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.json() : null; });
    if (!pack || !window.caches) return;
    var cache = await caches.open("hvs-pages"), used = 0;
    for (var path of pack.urls) {
      var old = await cache.match(path, {ignoreVary: true});
      if (old && cachedRecently(old, path)) { used += (await old.blob()).size; continue; }
      var res = await fetch(path, {credentials: "same-origin", headers: {"X-Offline-Prefetch": "1"}});
      if (!res.ok || res.redirected) continue;
      var size = (await res.clone().blob()).size;
      if (used + size > pack.budget) break;
      used += size;
      await cache.put(path, res);
    }
    document.documentElement.dataset.offlineKept = used;  // for the tests and the curious
  }

  window.HvsOffline = {el: el, say: say, show: show, sendNow: sendNow, later: later, uuid: uuid,
                       blank: blank, answersOf: answersOf};  // for carrier.js
  navigator.serviceWorker.addEventListener("message", show);
  window.addEventListener("online", sendNow);
  sendNow();
  var course = document.querySelector("[data-offline-pack]");
  if (course && navigator.onLine) keepCourse(course.dataset.offlinePack).catch(function () {});
})();
