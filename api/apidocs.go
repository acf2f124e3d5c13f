package api

import (
	"embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// apidocsFS holds the browsable API reference: a page, its start-up
// script and the vendored Swagger UI (api/apidocs/vendor, refreshed by
// api/apidocs/refresh-vendor.sh), embedded so that the binary serves it
// with no Node, network or files beside it.
//
//go:embed apidocs/index.html apidocs/init.js apidocs/vendor/swagger-ui
var apidocsFS embed.FS

// apidocsFile is one file of the reference and its media type.
type apidocsFile struct {
	path, contentType string
}

// apidocsFiles are the only names served under /api/v1/docs/: an
// allow-list, so nothing else of the embedded tree is reachable.
var apidocsFiles = map[string]apidocsFile{
	"init.js":                          {"apidocs/init.js", "text/javascript; charset=utf-8"},
	"swagger-ui-bundle.js":             {"apidocs/vendor/swagger-ui/swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
	"swagger-ui.css":                   {"apidocs/vendor/swagger-ui/swagger-ui.css", "text/css; charset=utf-8"},
	"LICENSE":                          {"apidocs/vendor/swagger-ui/LICENSE", "text/plain; charset=utf-8"},
	"NOTICE":                           {"apidocs/vendor/swagger-ui/NOTICE", "text/plain; charset=utf-8"},
	"swagger-ui-bundle.js.LICENSE.txt": {"apidocs/vendor/swagger-ui/swagger-ui-bundle.js.LICENSE.txt", "text/plain; charset=utf-8"},
}

// apidocsCSP lets the page run only its own scripts (no inline script, no
// eval) and talk only to this server. Inline styles stay allowed: Swagger
// UI sets a few style attributes, and styles cannot run code.
const apidocsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// apidocsPage serves the reference page.
func (s *Server) apidocsPage(c echo.Context) error {
	return serveAPIDocs(c, apidocsFile{"apidocs/index.html", "text/html; charset=utf-8"})
}

// apidocsAsset serves one allowed file of the reference page.
func (s *Server) apidocsAsset(c echo.Context) error {
	f, ok := apidocsFiles[c.Param("file")]
	if !ok {
		return problem(http.StatusNotFound, "not-found", "no such file of the API reference")
	}
	return serveAPIDocs(c, f)
}

func serveAPIDocs(c echo.Context, f apidocsFile) error {
	body, err := apidocsFS.ReadFile(f.path)
	if err != nil {
		return err // embedded at build time: only a broken build gets here
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", apidocsCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "public, max-age=3600")
	return c.Blob(http.StatusOK, f.contentType, body)
}
