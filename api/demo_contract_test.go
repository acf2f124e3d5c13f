package api_test

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/jointcal/jointcal/api"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/demo"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestDemoAgainstContract reads the whole demo data set through the API:
// every answer passes the OpenAPI check of the shared helper, so real
// activities (recurring, moved, restricted, with phases) cannot drift
// from the document the way GET /activities/19 once did.
func TestDemoAgainstContract(t *testing.T) {
	t.Parallel()
	store := storagetest.Open(t)
	ctx := t.Context()
	if _, err := demo.Load(ctx, store, store.Now()); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	s := api.New(store, cfg, quietLog())
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(s.Close)
	t.Cleanup(srv.Close)
	_, secret, err := store.CreateToken(ctx, models.System(), models.TokenInput{Name: "contract", Role: models.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: store, server: s, srv: srv, tokens: map[string]string{"admin": secret}}

	var first, last time.Time
	seen := 0
	for cursor := ""; ; {
		page := e.expect(e.do("GET", "/api/v1/activities?limit=500&cursor="+url.QueryEscape(cursor), "admin", nil), 200).json(t)
		for _, it := range page["items"].([]any) {
			a := it.(map[string]any)
			id := int64(a["id"].(float64))
			e.expect(e.do("GET", fmt.Sprintf("/api/v1/activities/%d", id), "admin", nil), 200)
			e.expect(e.do("GET", fmt.Sprintf("/api/v1/activities/%d/conflicts", id), "admin", nil), 200)
			start, _ := time.Parse(time.RFC3339, a["start"].(string))
			if first.IsZero() || start.Before(first) {
				first = start
			}
			if start.After(last) {
				last = start
			}
			seen++
		}
		next, _ := page["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if seen < 50 {
		t.Fatalf("only %d demo activities listed", seen)
	}
	occurrences := 0
	for from := first.Add(-24 * time.Hour); from.Before(last.AddDate(1, 0, 0)); from = from.AddDate(1, 0, 0) {
		q := fmt.Sprintf("from=%s&to=%s", from.UTC().Format(time.RFC3339), from.AddDate(1, 0, 0).UTC().Format(time.RFC3339))
		page := e.expect(e.do("GET", "/api/v1/occurrences?limit=500&"+q, "admin", nil), 200).json(t)
		occurrences += len(page["items"].([]any))
		e.expect(e.do("GET", "/api/v1/conflicts?"+q, "admin", nil), 200)
	}
	if occurrences < seen {
		t.Fatalf("%d occurrences for %d activities", occurrences, seen)
	}
	for _, path := range []string{"/api/v1/organizations", "/api/v1/bodies", "/api/v1/people?limit=500", "/api/v1/venues", "/api/v1/blackouts", "/api/v1/audit?limit=500", "/api/v1/reminders", "/api/v1/jobs", "/api/v1/feeds", "/api/v1/external-calendars"} {
		e.expect(e.do("GET", path, "admin", nil), 200)
	}
}
