package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// TestCalendarSaysHowManyItLeavesOut: a month holding more occurrences
// than a view loads shows the first ones, says how many the period holds
// and up to which day it shows them, and links that day's view, where
// the rest of the day is.
func TestCalendarSaysHowManyItLeavesOut(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	month := time.Date(s.Today.Year(), s.Today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 5, 0)
	// 25 daily series of 42 occurrences from the Monday of the month's
	// grid: 1,050 occurrences in its six weeks.
	grid := month.AddDate(0, 0, -((int(month.Weekday()) + 6) % 7))
	for i := range 25 {
		start := grid.Add(time.Duration(7+i%12) * time.Hour)
		in := models.ActivityInput{Kind: "webinar", Title: fmt.Sprintf("Daily webinar %02d", i), Start: start, End: start.Add(30 * time.Minute), TimeZone: "Europe/Brussels",
			RRule: "FREQ=DAILY;COUNT=42", Status: "confirmed", Format: "virtual", LeadOrganization: "EU"}
		if _, err := s.Store.CreateActivity(ctx, models.System(), in, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	c := s.signedIn(euPlannerEmail)
	r := c.get("/calendar?date=" + month.Format("2006-01-02"))
	if r.status != http.StatusOK {
		t.Fatalf("month: %d", r.status)
	}
	m := regexp.MustCompile(`This period holds (\d+) occurrences: the calendar shows the first 1000, up to `).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("the month does not say how many occurrences it leaves out")
	}
	if n, _ := strconv.Atoi(m[1]); n < 1050 {
		t.Errorf("the month counts %d occurrences, want at least 1050", n)
	}
	if got := strings.Count(r.body, "Daily webinar"); got > 2*1000+50 {
		t.Errorf("%d mentions of the webinars: more than the view's bound", got)
	}
	link := regexp.MustCompile(`<a href="(/calendar\?view=day&amp;date=\d{4}-\d\d-\d\d)">Open the day of`).FindStringSubmatch(r.body)
	if link == nil {
		t.Fatal("no link to the day the month's view stops at")
	}
	day := c.get(html.UnescapeString(link[1]))
	if day.status != http.StatusOK || strings.Contains(day.body, "This period holds") || !strings.Contains(day.body, "Daily webinar 24") {
		t.Errorf("the day the month stops at: %d, all of it shown: %v", day.status, !strings.Contains(day.body, "This period holds"))
	}
	fr := s.signedIn(euPlannerEmail)
	fr.lang = "fr"
	if r := fr.get("/calendar?date=" + month.Format("2006-01-02")); !strings.Contains(r.body, "le calendrier montre les 1000 premières") {
		t.Error("the French month does not say how many it leaves out")
	}

	// The calendar component loads the periods a planner moves to from
	// /calendar/events, which has no notice to give: it keeps the
	// larger bound, and the six weeks' 1,050 come whole.
	events := c.get("/calendar/events?start=" + grid.Format(time.DateOnly) + "&end=" + grid.AddDate(0, 0, 42).Format(time.DateOnly))
	if n := strings.Count(events.body, "Daily webinar"); events.status != http.StatusOK || n < 1050 {
		t.Errorf("/calendar/events over the six weeks: %d, %d of the 1,050 occurrences", events.status, n)
	}
	// The link to the day keeps the calendar's filters, as query
	// parameters of their own.
	filtered := c.get("/calendar?date=" + month.Format("2006-01-02") + "&kind=webinar&organization=EU")
	if !strings.Contains(filtered.body, "&amp;kind=webinar&amp;organization=EU\">Open the day of") {
		t.Error("the link to the day the filtered month stops at loses its filters")
	}
}

// TestFiltersOfferEveryBody: a body beyond the first page of bodies (500)
// is still a choice of the calendar's filter.
func TestFiltersOfferEveryBody(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	for i := range 501 {
		if _, err := s.Store.CreateBody(ctx, models.System(), models.BodyInput{Code: fmt.Sprintf("ZZ-%03d", i), Name: fmt.Sprintf("Working group %03d", i), Organization: "EU"}); err != nil {
			t.Fatal(err)
		}
	}
	r := s.signedIn(euPlannerEmail).get("/calendar")
	if r.status != http.StatusOK || !strings.Contains(r.body, `<option value="ZZ-500">`) {
		t.Errorf("the calendar's filter lacks the 501st body created: %d", r.status)
	}
}
