// The print button (a certificate, a login sheet): shown only when a script can press it;
// without JavaScript the browser's own Print command prints the same page.
(function () {
  var button = document.getElementById("print");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
