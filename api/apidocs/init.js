// init.js starts Swagger UI on jointcal's own OpenAPI document. It lives
// in its own file so that the page's Content-Security-Policy can forbid
// inline scripts.
"use strict";
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.yaml",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Bearer tokens entered under "Authorize" last only for the page.
    persistAuthorization: false,
  });
});
