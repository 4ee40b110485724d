// Progressive enhancement: when a place is chosen, offer what lies in it: the province's
// communes (sign-up, profile), the commune's units (the ambassador's register form).
// Without JavaScript the form still works: the server re-offers the right list (on the
// register form through its "show units" button, which this script hides while it works).
(function () {
  if (!window.fetch) return;
  var LINKS = [  // [chosen select, select to refill, URL of its list, the key of each option]
    ["province_code", "commune_code", "/auth/localities/{}/communes.json", "code"],
    ["commune_code", "unit_id", "/ambassador/communes/{}/units.json", "id"]
  ];
  LINKS.forEach(function (link) {
    var chosen = document.getElementById(link[0]);
    var target = document.getElementById(link[1]);
    if (!chosen || !target) return;
    var first = target.options[0];
    var button = chosen.form && chosen.form.querySelector("button[name=show_units]");
    if (button) button.parentNode.hidden = true;
    function fill(list) {
      target.innerHTML = "";
      target.appendChild(first);
      list.forEach(function (item) {
        var o = document.createElement("option");
        o.value = item[link[3]]; o.textContent = item.name;
        target.appendChild(o);
      });
    }
    chosen.addEventListener("change", function () {
      if (chosen.value === "0") { fill([]); return; }  // "— Chọn … —": nothing lies in it
      fetch(link[2].replace("{}", encodeURIComponent(chosen.value)), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(fill)
        // Keep the old list; the server checks the pair and the button asks it again.
        .catch(function () { if (button) button.parentNode.hidden = false; });
    });
  });
})();
