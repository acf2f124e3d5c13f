package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// listConflicts answers the deconfliction agenda of a window: whole, or
// a page at a time when the request names a limit or a cursor. Computing
// a whole month reads tens of thousands of rows at 100,000 activities,
// so the encoded answer is cached per viewer and request (agendaCache)
// and served again while the database's data version is the one it was
// computed at — any commit, here or in another process, moves it — and
// for at most agendaMaxAge; its ETag lets a client's repeat get a 304.
func (s *Server) listConflicts(c echo.Context) error {
	from, to, err := window(c)
	if err != nil {
		return err
	}
	opts, err := listOptions(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	ctx := c.Request().Context()
	who := actor(c)
	// rule keeps the clashes of one rule, as the conflicts page's filter
	// does; the store refuses a rule it does not know (422 naming rule).
	f := models.ConflictFilter{From: from, To: to, Organization: models.Ref(c.QueryParam("organization")), Severity: c.QueryParam("severity"), Rule: c.QueryParam("rule")}
	// accepted=hide leaves out the clashes accepted with a note, as the
	// conflicts page's parameter; the store drops them before it fills a
	// page, so a page of limit N holds N still to settle.
	switch c.QueryParam("accepted") {
	case "", "show":
	case "hide":
		f.HideAccepted = true
	default:
		return unprocessable("accepted", "want show or hide")
	}
	key := agendaKey{actor: who, from: from.Format(time.RFC3339Nano), to: to.Format(time.RFC3339Nano), organization: string(f.Organization), severity: f.Severity, rule: f.Rule, hideAccepted: f.HideAccepted,
		paged: q.Has("limit") || q.Has("cursor"), limit: opts.Limit, cursor: opts.Cursor}
	version, err := s.store.DataVersion(ctx)
	if err != nil {
		return err
	}
	answer, ok := s.agendaCache.get(key, version, time.Now())
	if !ok {
		// Identical requests at the same version share one computation
		// (the first requester leaving does not stop it: its result is
		// cached for the others).
		v, err, _ := s.agendaFlights.Do(fmt.Sprintf("%#v\x00%s", key, version), func() (any, error) {
			// A flight that ended between this request's miss and now
			// has cached the answer: computing it again would be waste.
			if a, ok := s.agendaCache.get(key, version, time.Now()); ok {
				return a, nil
			}
			return s.computeAgenda(context.WithoutCancel(ctx), key, f, version)
		})
		if err != nil {
			return err
		}
		answer = v.(*agendaAnswer)
	}
	return sendAgenda(c, answer)
}

// computeAgenda computes, encodes and caches the agenda of key at
// version: the whole window ({items, total}) or, paged, the page the key
// asks for ({items, next_cursor}).
func (s *Server) computeAgenda(ctx context.Context, key agendaKey, f models.ConflictFilter, version string) (*agendaAnswer, error) {
	var answer any
	if key.paged {
		page, err := s.store.ListConflictsPage(ctx, key.actor, f, models.ListOptions{Limit: key.limit, Cursor: key.cursor})
		if err != nil {
			return nil, err
		}
		answer = page
	} else {
		items, err := s.store.ListConflicts(ctx, key.actor, f)
		if err != nil {
			return nil, err
		}
		answer = map[string]any{"items": items, "total": len(items)}
	}
	s.agendaCache.computed.Add(1)
	encoded, err := encodeAgenda(version, answer)
	if err != nil {
		return nil, err
	}
	s.agendaCache.put(key, encoded)
	return encoded, nil
}

// encodeAgenda encodes an agenda once, plain and gzip-compressed, with
// an ETag of its content (so an unchanged agenda recomputed after an
// unrelated write still revalidates).
func encodeAgenda(version string, answer any) (*agendaAnswer, error) {
	var body bytes.Buffer
	if err := json.NewEncoder(&body).Encode(answer); err != nil {
		return nil, fmt.Errorf("encode the conflicts agenda: %w", err)
	}
	gz, err := compressed(bytes.NewReader(body.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("the conflicts agenda: %w", err)
	}
	sum := sha256.Sum256(body.Bytes())
	return &agendaAnswer{version: version, expires: time.Now().Add(agendaMaxAge), etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`, body: body.Bytes(), gz: gz}, nil
}

// sendAgenda writes an encoded agenda: 304 when the client holds it,
// gzip when the client accepts it. The answer is the viewer's own
// (private) and must be revalidated before each use (no-cache).
func sendAgenda(c echo.Context, a *agendaAnswer) error {
	h := c.Response().Header()
	h.Set("ETag", encodedETag(c, a.etag))
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Vary", "Accept-Encoding")
	req := c.Request()
	if inm := req.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, a.etag) {
		return c.NoContent(http.StatusNotModified)
	}
	if acceptsGzip(req.Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, a.gz)
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, a.body)
}
