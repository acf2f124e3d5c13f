package web_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// BenchmarkCalendarMonth measures the server's time for the month view
// of a planner who sees 500 activities that month (the target in
// docs/PERFORMANCE.md: ≤ 50 ms p50), over HTTP on loopback, on SQLite.
//
//	go test ./web -run '^$' -bench CalendarMonth -benchtime 200x
func BenchmarkCalendarMonth(b *testing.B) {
	s, month := monthOf500(b)
	c := s.signedIn(euPlannerEmail)
	path := "/calendar?date=" + month.Format("2006-01-02")
	if r := c.get(path); r.status != http.StatusOK || strings.Count(r.body, "Load webinar") < 1000 {
		b.Fatalf("month view: %d, %d webinars", r.status, strings.Count(r.body, "Load webinar"))
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if r := c.get(path); r.status != http.StatusOK {
			b.Fatal(r.status)
		}
		times = append(times, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
}

// BenchmarkCalendarFirstRender loads the month view in Chromium on
// loopback and reads the browser's Navigation Timing: the time to the
// first paint of the page and until the calendar component has drawn
// its events (500 that month). Skipped without Chromium.
//
//	go test ./web -run '^$' -bench CalendarFirstRender -benchtime 20x
func BenchmarkCalendarFirstRender(b *testing.B) {
	s, month := monthOf500(b)
	br := s.browser(b)
	br.signIn(euPlannerEmail)
	url := s.URL + "/calendar?date=" + month.Format("2006-01-02")
	var paint, drawn, dcl []float64
	for b.Loop() {
		br.run("month view", chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`#ec .ec-event`)))
		// Navigation Timing and Paint Timing, in milliseconds from the
		// start of the navigation.
		m := eval[map[string]float64](br, "timing", `(() => { const n = performance.getEntriesByType("navigation")[0]; const p = performance.getEntriesByName("first-contentful-paint")[0]; return {dcl: n.domContentLoadedEventEnd, paint: p ? p.startTime : 0, drawn: performance.now()}; })()`)
		paint, drawn, dcl = append(paint, m["paint"]), append(drawn, m["drawn"]), append(dcl, m["dcl"])
	}
	median := func(xs []float64) float64 { sort.Float64s(xs); return xs[len(xs)/2] }
	b.ReportMetric(median(dcl), "domcontentloaded-ms")
	b.ReportMetric(median(paint), "first-paint-ms")
	b.ReportMetric(median(drawn), "events-drawn-ms")
}

// monthOf500 is the demo site with 500 EU webinars in the month three
// months ahead, which it returns.
func monthOf500(b *testing.B) (*site, time.Time) {
	s := newSite(b)
	ctx := context.Background()
	month := time.Date(s.Today.Year(), s.Today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 3, 0)
	for i := range 500 {
		start := month.AddDate(0, 0, i%28).Add(time.Duration(8+i%10) * time.Hour)
		in := models.ActivityInput{Kind: "webinar", Title: fmt.Sprintf("Load webinar %d", i), Start: start, End: start.Add(45 * time.Minute), TimeZone: "Europe/Brussels", Status: "confirmed", Format: "virtual", LeadOrganization: "EU"}
		if _, err := s.Store.CreateActivity(ctx, models.System(), in, storage.WriteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	return s, month
}
