package api

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"

	"github.com/labstack/echo/v4"
)

// The pages the API serves outside the web application — a sign-in
// link's button and an invitation's answer link — are often the only
// pages of jointcal that staff who only read e-mails ever see. They carry
// a small stylesheet of their own, inline and allowed by its digest, so
// that they look like the application while their policy stays strict:
// no script, nothing fetched, no framing.

// standaloneStyle is the stylesheet of those pages: the application's
// fonts, colours, header, button and focus ring (web/static/app.css).
const standaloneStyle = `html{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1b1f24;background:#fff}` +
	`body{margin:0}` +
	`.top{padding:.5rem 1.25rem;background:#14213d;color:#fff;font-weight:700;font-size:1.2rem}` +
	`main{padding:1rem 1.25rem 2rem;max-width:36rem;margin:0 auto}` +
	`h1{font-size:1.6rem;margin:.25rem 0 .75rem}` +
	`label{font-weight:600}` +
	`textarea{font:inherit;padding:.35rem .5rem;border:1px solid #6b7580;border-radius:4px;width:100%;box-sizing:border-box}` +
	`button{font:inherit;cursor:pointer;border-radius:4px;border:2px solid #1f4e9c;background:#1f4e9c;color:#fff;padding:.4rem 1rem}` +
	`:focus-visible{outline:3px solid #ffbf47;outline-offset:2px;box-shadow:0 0 0 5px #1b1f24}`

// standaloneCSP is those pages' policy: the one stylesheet above, and
// forms posted only to this site.
var standaloneCSP = "default-src 'none'; style-src '" + styleDigest(standaloneStyle) + "'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// styleDigest is how a Content-Security-Policy names an inline style.
func styleDigest(css string) string {
	sum := sha256.Sum256([]byte(css))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// standalonePage is a page of that kind around body, a template whose
// data has Lang and Title.
func standalonePage(name, body string) *template.Template {
	return template.Must(template.New(name).Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — jointcal</title><style>` + standaloneStyle + `</style></head>
<body><header class="top">jointcal</header><main>
` + body + `
</main></body></html>
`))
}

// renderStandalone writes such a page with headers that keep the token in
// it from leaking: no caching, no referrer beyond this site, no framing,
// no script.
func renderStandalone(c echo.Context, status int, lang string, page *template.Template, data any) error {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", standaloneCSP)
	h.Set("Cache-Control", "no-store")
	// same-origin, not no-referrer: with no-referrer a browser sends
	// "Origin: null" with the form, which the origin check must refuse.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Language", lang)
	h.Set(echo.HeaderContentType, "text/html; charset=utf-8")
	c.Response().WriteHeader(status)
	return page.Execute(c.Response(), data)
}
