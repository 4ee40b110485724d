// Progressive enhancement: refresh the unit list when the commune changes (the ambassador's
// register form). Without JavaScript the "show units" button asks the server for the list.
(function () {
  var commune = document.getElementById("commune_code");
  var unit = document.getElementById("unit_id");
  if (!commune || !unit || !window.fetch) return;
  var button = document.querySelector("button[name=show_units]");
  if (button) button.parentNode.hidden = true;
  commune.addEventListener("change", function () {
    var first = unit.options[0];
    function fill(list) {
      unit.innerHTML = "";
      unit.appendChild(first);
      list.forEach(function (u) {
        var o = document.createElement("option");
        o.value = u.id; o.textContent = u.name;
        unit.appendChild(o);
      });
    }
    if (commune.value === "0") { fill([]); return; }
    fetch("/ambassador/communes/" + encodeURIComponent(commune.value) + "/units.json",
          { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(fill)
      .catch(function () { if (button) button.parentNode.hidden = false; });
  });
})();
