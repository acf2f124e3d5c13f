package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/api"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// env is a running API on a real database with a small world: EU and
// NATO, a few people and bodies, two venues, and a token per role.
type env struct {
	t      *testing.T
	store  *storage.Store
	server *api.Server
	srv    *httptest.Server
	tokens map[string]string // admin, eu_planner, nato_planner, eu_viewer, nato_viewer, viewer
}

func newEnv(t *testing.T, store *storage.Store) *env {
	t.Helper()
	return newEnvWith(t, store, nil)
}

// newEnvWith is newEnv with some JOINTCAL_* settings of its own.
func newEnvWith(t *testing.T, store *storage.Store, settings map[string]string) *env {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return settings[k] })
	if err != nil {
		t.Fatal(err)
	}
	s := api.New(store, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(s.Close)
	t.Cleanup(srv.Close)
	e := &env{t: t, store: store, server: s, srv: srv, tokens: map[string]string{}}
	ctx := context.Background()
	sys := models.System()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(store.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union", ContactEmail: "coop@eeas.example"}))
	must(store.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "NATO", Name: "North Atlantic Treaty Organization", ContactEmail: "coop@nato.example"}))
	must(store.CreatePerson(ctx, sys, models.PersonInput{Name: "Ana Planner", Email: "ana@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"}))
	must(store.CreatePerson(ctx, sys, models.PersonInput{Name: "Ben Briefer", Email: "ben@nato.example", TimeZone: "Europe/Brussels", Organization: "NATO"}))
	must(store.CreatePerson(ctx, sys, models.PersonInput{Name: "Chloé Liaison", Email: "chloe@eeas.example", TimeZone: "America/New_York", Organization: "EU"}))
	must(store.CreateBody(ctx, sys, models.BodyInput{Code: "PSC", Name: "Political and Security Committee", Organization: "EU", Members: []models.Ref{"ana@eeas.example"}}))
	must(store.CreateBody(ctx, sys, models.BodyInput{Code: "NAC", Name: "North Atlantic Council", Organization: "NATO", Members: []models.Ref{"ben@nato.example"}}))
	must(store.CreateVenue(ctx, sys, models.VenueInput{Code: "NATO-HQ", Name: "NATO Headquarters", TimeZone: "Europe/Brussels"}))
	must(store.CreateVenue(ctx, sys, models.VenueInput{Code: "VTC", Name: "Secure VTC", Virtual: true, TimeZone: "Europe/Brussels"}))
	for name, in := range map[string]models.TokenInput{
		"admin":        {Name: "admin", Role: models.RoleAdmin},
		"eu_planner":   {Name: "eu planner", Role: models.RolePlanner, Organization: "EU"},
		"nato_planner": {Name: "nato planner", Role: models.RolePlanner, Organization: "NATO"},
		"eu_viewer":    {Name: "eu viewer", Role: models.RoleViewer, Organization: "EU"},
		"nato_viewer":  {Name: "nato viewer", Role: models.RoleViewer, Organization: "NATO"},
		"viewer":       {Name: "unbound viewer", Role: models.RoleViewer},
	} {
		_, secret, err := store.CreateToken(ctx, sys, in)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[name] = secret
	}
	return e
}

// response is a decoded answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("answer is not a JSON object (%v): %s", err, r.Body)
	}
	return m
}

// do sends a request as the named token ("" for none). body may be a
// string (sent verbatim) or any value (JSON-encoded).
func (e *env) do(method, path, who string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	var sent []byte
	if rd != nil {
		var err error
		if sent, err = io.ReadAll(rd); err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(sent)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	r := response{Status: res.StatusCode, Header: res.Header, Body: raw}
	checkContract(e.t, req, sent, r)
	return r
}

// expect fails the test unless the status matches.
func (e *env) expect(r response, status int) response {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

// meeting returns a valid activity draft led by lead.
func meeting(lead, title, start, end string, participants ...map[string]any) map[string]any {
	if participants == nil {
		participants = []map[string]any{}
	}
	return map[string]any{
		"kind": "meeting", "title": title, "start": start, "end": end, "timezone": "Europe/Brussels",
		"lead_organization": lead, "participants": participants,
	}
}

func person(email string, required bool) map[string]any {
	return map[string]any{"type": "person", "id_or_code": email, "required": required}
}

func body(code string) map[string]any {
	return map[string]any{"type": "body", "id_or_code": code}
}

// count returns the total of a list endpoint as who sees it.
func (e *env) count(path, who string) int {
	e.t.Helper()
	r := e.expect(e.do("GET", path, who, nil), 200)
	return int(r.json(e.t)["total"].(float64))
}

func idOf(t *testing.T, r response) int64 {
	t.Helper()
	return int64(r.json(t)["id"].(float64))
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
