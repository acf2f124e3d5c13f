// jointcal's pages: what every page needs from script. The pages work
// without it; it adds the CSRF header to htmx's requests and keyboard
// niceties. No inline script anywhere: the Content-Security-Policy
// forbids it.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  // Every request htmx makes carries the session's CSRF token.
  document.addEventListener("htmx:configRequest", function (e) {
    if (csrf) { e.detail.headers["X-CSRF-Token"] = csrf; }
  });
  // An answer that is an error page still replaces its target, so that
  // the person sees the message instead of nothing.
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status >= 400 && e.detail.xhr.status !== 401) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  window.jointcal = { csrf: csrf };
})();
