package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// BenchmarkPages100k times, over HTTP on loopback, every page a planner
// opens, signed in as the demo's EU planner and as its administrator, on
// a copy of a database made by `jointcal demo --scale 100000` (named by
// JOINTCAL_BENCH_DB; the demo's seed data and accounts are loaded into it
// first, as `serve --demo` would). Each sub-benchmark is one page and one
// role; p50-ms and p99-ms are the server time as the client sees it.
//
//	go build -o /tmp/w1/jointcal ./cmd/jointcal
//	JOINTCAL_DATABASE_URL=/tmp/w1/b100k.db /tmp/w1/jointcal demo --scale 100000
//	cp /tmp/w1/b100k.db /tmp/w1/copy.db
//	JOINTCAL_BENCH_DB=/tmp/w1/copy.db go test ./web -run '^$' -bench Pages100k -benchtime 20x
//
// JOINTCAL_BENCH_PAGES, when set, keeps the pages whose path contains it.
func BenchmarkPages100k(b *testing.B) {
	store := storagetest.OpenBench(b, models.DefaultSettings())
	if _, err := store.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	s := newSiteOn(b, store, nil)
	ctx := context.Background()
	// An activity of the generated set led by the EU, which both roles
	// may open and edit.
	list, err := store.ListActivities(ctx, models.System(), models.ActivityFilter{Q: "Generated activity", Organization: "EU", ListOptions: models.ListOptions{Limit: 1}})
	if err != nil || len(list.Items) == 0 {
		b.Fatalf("an EU activity of the generated set: %v (%d)", err, len(list.Items))
	}
	id := strconv.FormatInt(list.Items[0].ID, 10)
	today := s.Today
	monthStart := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	gridStart := monthStart.AddDate(0, 0, -((int(monthStart.Weekday()) + 6) % 7))
	events := "/calendar/events?" + url.Values{"start": {gridStart.Format("2006-01-02T15:04:05")}, "end": {gridStart.AddDate(0, 0, 42).Format("2006-01-02T15:04:05")}}.Encode()
	// The generated activities start today: the month two months ahead is
	// a full one (about 6,000 occurrences in its six weeks).
	full := monthStart.AddDate(0, 2, 0)
	fullGrid := full.AddDate(0, 0, -((int(full.Weekday()) + 6) % 7))
	fullEvents := "/calendar/events?" + url.Values{"start": {fullGrid.Format("2006-01-02T15:04:05")}, "end": {fullGrid.AddDate(0, 0, 42).Format("2006-01-02T15:04:05")}}.Encode()
	pages := []string{"/", "/calendar", events, "/calendar?date=" + full.Format("2006-01-02"), fullEvents, "/activities/" + id, "/activities/new", "/activities/" + id + "/edit",
		"/reports", "/availability", "/availability?people=staff1%40scale.example%2C+staff2%40scale.example&duration=60", "/timeline", "/programme", "/proposals", "/briefings", "/templates", "/feeds", "/programme?zoom=quarter", "/me", "/conflicts",
		"/admin/people", "/admin/venues", "/admin/audit", "/admin/outbox", "/admin/jobs"}
	only := os.Getenv("JOINTCAL_BENCH_PAGES")
	for _, role := range []struct{ name, email string }{{"eu-planner", euPlannerEmail}, {"admin", adminEmail}} {
		c := s.signedIn(role.email)
		for _, path := range pages {
			if !strings.Contains(path, only) || (strings.HasPrefix(path, "/admin") && role.email != adminEmail) {
				continue
			}
			b.Run(role.name+"/"+strings.ReplaceAll(path, "/", "_"), func(b *testing.B) {
				c.t = b
				want := http.StatusOK
				if path == "/" {
					want = http.StatusSeeOther
				}
				r := c.get(path)
				if r.status != want {
					b.Fatalf("%s: %d %.300s", path, r.status, r.body)
				}
				size := len(r.body)
				times := make([]time.Duration, 0, b.N)
				for b.Loop() {
					t0 := time.Now()
					if r := c.get(path); r.status != want {
						b.Fatal(r.status)
					}
					times = append(times, time.Since(t0))
				}
				sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
				b.ReportMetric(ms(times[len(times)/2]), "p50-ms")
				b.ReportMetric(ms(times[len(times)*99/100]), "p99-ms")
				b.ReportMetric(float64(size)/1000, "kB")
			})
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
