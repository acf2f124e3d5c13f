// Copy buttons: a button with data-copy="<input id>" copies that input's
// value to the clipboard and says so in the element whose
// data-copy-status names the same input. Without script the button stays
// hidden and the address can be selected by hand.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (btn) {
    var id = btn.getAttribute("data-copy");
    var input = document.getElementById(id);
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (!input) { return; }
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var done = function () { if (status) { status.textContent = btn.getAttribute("data-copied"); } };
      input.select();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
