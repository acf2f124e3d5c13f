// The booking form: the "use this slot" button of the live conflict
// check puts the free slot's times into the form (which re-runs the
// check). Everything else works without script; htmx brings the live
// check, the rule preview and the pickers.
(function () {
  "use strict";
  var form = document.getElementById("booking");
  if (!form) { return; }
  function set(id, value) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.value = value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("button.use-slot") : null;
    if (!b) { return; }
    set("start", b.dataset.start);
    set("end", b.dataset.end);
    document.getElementById("start").focus();
  });
})();
