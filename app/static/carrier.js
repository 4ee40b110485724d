/* The ambassador's phone as a carrier (issue 16, app/ambassadors/carrier.py): a kit prepared
   online is kept on this device (kit page, with the page that runs it), run without a signal
   one question per screen, and its answers wait in the learner's queue (queue.js, offline.js)
   until the signal returns. Texts come from this script tag's data-*. */
(function () {
  "use strict";
  var T = document.currentScript.dataset, Q = window.HvsQueue, O = window.HvsOffline;
  if (!Q || !O) return;

  var made = document.querySelector("template[data-kit]");
  if (made) {
    var d = made.dataset;
    Q.kits.put({key: d.key, token: d.token, name: d.name, expires: d.expires, day: d.day,
                count: d.count, html: made.innerHTML})
      .then(function () { return window.caches && caches.open("hvs-pages").then(function (c) { return c.add(T.page); }); })
      .catch(function () {})
      .then(O.show).then(function () { O.say(T.kept, "flash-success"); });
  }

  var list = document.getElementById("kit-list"), form = document.getElementById("kit-run");
  if (!list || !form) return;
  var box = document.getElementById("kit-questions"), back = document.getElementById("kit-back"),
    next = document.getElementById("kit-next"), step = document.getElementById("kit-step"), kit, at, steps, started;

  function listKits() {
    return Q.kits.all().then(function (kits) {
      list.textContent = "";
      document.getElementById("no-kits").hidden = kits.length > 0;
      kits.forEach(function (k) {
        var li = O.el("li", "", "card"), start = O.el("button", T.start);
        li.appendChild(O.el("p", k.name, "h3"));
        li.appendChild(O.el("p", T.count.replace("{n}", k.count).replace("{d}", k.day), "meta"));
        start.type = "button";
        start.addEventListener("click", function () { run(k); });
        li.appendChild(start);
        list.appendChild(li);
      });
    });
  }

  function show(i) {
    at = i;
    steps.forEach(function (f, n) { f.hidden = n !== i; });
    step.textContent = T.step.replace("{n}", i + 1).replace("{t}", steps.length);
    next.textContent = i === steps.length - 1 ? T.finish : T.next;
    back.hidden = i === 0;
    steps[i].querySelector("legend").scrollIntoView();
  }

  function run(k) {
    if (Date.parse(k.expires) < Date.now()) { O.say(T.expired, "flash-error"); return; }
    kit = k;
    started = new Date().toISOString();
    box.innerHTML = k.html;  // the server's own rendering of the kit's questions, no answers
    steps = Array.prototype.slice.call(box.querySelectorAll("fieldset.question"));
    document.getElementById("kit-who").textContent = T.who.replace("{s}", k.name);
    list.parentNode.hidden = true;
    form.hidden = false;
    show(0);
  }

  back.addEventListener("click", function () { show(at - 1); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    event.stopPropagation();  // not offline.js's "needs a signal": this form never leaves the phone
    if (O.blank(steps[at])) { O.say(T.missing, "flash-error"); return; }
    if (at < steps.length - 1) { show(at + 1); return; }
    var item = {key: O.uuid(), kind: "session", url: T.sync, state: "waiting", title: kit.name,
                token: kit.token, answers: O.answersOf(form), started_at: started,
                taken_at: new Date().toISOString()};
    Q.put(item).then(function () { return Q.kits.remove(kit.key); }).then(function () {
      form.hidden = true;
      box.textContent = "";
      list.parentNode.hidden = false;
      O.later();
      return Promise.all([listKits(), O.sendNow()]);
    });
  });
  listKits();
})();
