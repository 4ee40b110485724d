// Progressive enhancement: refresh the commune list when the province changes.
// Without JavaScript the form still works: the server re-offers the right list.
(function () {
  var province = document.getElementById("province_code");
  var commune = document.getElementById("commune_code");
  if (!province || !commune || !window.fetch) return;
  province.addEventListener("change", function () {
    fetch("/auth/localities/" + encodeURIComponent(province.value) + "/communes.json")
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (list) {
        var first = commune.options[0];
        commune.innerHTML = "";
        commune.appendChild(first);
        list.forEach(function (c) {
          var o = document.createElement("option");
          o.value = c.code; o.textContent = c.name;
          commune.appendChild(o);
        });
      })
      .catch(function () { /* keep the old list; the server will ask again */ });
  });
})();
