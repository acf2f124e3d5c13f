package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestReportsCountWhatThePersonMaySee: the report page draws the
// progress report's figures from the plan, in the person's language, and
// counts another organisation's restricted activities for nobody else.
func TestReportsCountWhatThePersonMaySee(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	hidden := findActivity(t, s, restrictedDemo)
	window := "/reports?from=" + hidden.Start.AddDate(0, 0, -1).Format("2006-01-02") + "&to=" + hidden.Start.AddDate(0, 0, 1).Format("2006-01-02")
	eu, nato := s.signedIn(euPlannerEmail), s.signedIn(natoPlannerEmail)
	total := func(c *client) string {
		t.Helper()
		r := c.get(window)
		if r.status != http.StatusOK {
			t.Fatalf("reports: %d", r.status)
		}
		i := strings.Index(r.body, `<p role="status">`)
		if i < 0 {
			t.Fatalf("no total in\n%s", r.body)
		}
		return r.body[i : i+strings.Index(r.body[i:], "</p>")]
	}
	euTotal, natoTotal := total(eu), total(nato)
	if euTotal == natoTotal {
		t.Errorf("the EU-only activity is counted for NATO too: EU %q, NATO %q", euTotal, natoTotal)
	}
	r := eu.get("/reports")
	for _, want := range []string{"Activities by area of cooperation", "Cross-briefings per year", "Political dialogue", "/api/v1/reports/activities?"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the report page lacks %q", want)
		}
	}
	if r := eu.get("/reports?from=2026-05-01&to=2026-04-01"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="r-to" name="to" type="date" value="2026-04-01" aria-invalid="true"`) {
		t.Errorf("a window ending before it starts: %d", r.status)
	}
	c := s.signedIn(euPlannerEmail)
	c.lang = "fr"
	if r := c.get("/reports"); !strings.Contains(r.body, "Exposés croisés par année") {
		t.Error("the French page is not French")
	}
}
