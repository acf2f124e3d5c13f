package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

//go:embed static
var staticFS embed.FS

// asset is one static file, under a name that carries its content's hash
// ("app.3f2a9c1b.js"), so that browsers may keep it for a year and a new
// release is fetched at once.
type asset struct {
	body, gzipped []byte
	contentType   string
}

// staticFiles maps hashed names to files, and plain names to hashed URLs.
type staticFiles struct {
	byHashed map[string]*asset
	urls     map[string]string
}

func loadStatic() (*staticFiles, error) {
	s := &staticFiles{byHashed: map[string]*asset{}, urls: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		ext := path.Ext(name)
		if ext != ".js" && ext != ".css" && ext != ".svg" {
			return nil // licences and version notes stay in the source only
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		flat := strings.ReplaceAll(strings.TrimSuffix(name, ext), "/", "-")
		hashed := flat + "." + hex.EncodeToString(sum[:5]) + ext
		a := &asset{body: body, contentType: mime.TypeByExtension(ext)}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		if _, err := zw.Write(body); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		if gz.Len() < len(body) {
			a.gzipped = gz.Bytes()
		}
		s.byHashed[hashed] = a
		s.urls[name] = "/static/" + hashed
		return nil
	})
	return s, err
}

// url is the hashed URL of a static file; an unknown name is a template
// bug, which the page tests catch by its empty link.
func (s *staticFiles) url(name string) string { return s.urls[name] }

// serveStatic answers a hashed file with a year-long immutable cache
// lifetime, gzipped for the browsers that take it.
func (w *Web) serveStatic(c echo.Context) error {
	a, ok := w.static.byHashed[c.Param("file")]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "no such file")
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	body := a.body
	if a.gzipped != nil && strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = a.gzipped
	}
	return c.Blob(http.StatusOK, a.contentType, body)
}
