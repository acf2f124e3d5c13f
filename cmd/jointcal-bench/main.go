// Command jointcal-bench measures jointcal against its performance
// targets (docs/PERFORMANCE.md) through its real HTTP API: conflict-check latency against a
// database of generated activities, bookings per second, and feed
// serving. It starts the service in-process on loopback, so one command
// gives figures that docs/PERFORMANCE.md can quote with how they were made;
// `mixed` instead drives `jointcal serve` processes already running
// (bench/scaleout.sh starts one, two and three on one PostgreSQL).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"sort"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata"

	"github.com/jointcal/jointcal/api"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/demo"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "jointcal-bench:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	if len(args) > 0 && args[0] == "reminders" {
		return benchReminders(args[1:])
	}
	if len(args) > 0 && args[0] == "mixed" {
		return benchMixed(args[1:])
	}
	if len(args) == 0 || (args[0] != "conflicts" && args[0] != "feed" && args[0] != "pages") {
		return errors.New("usage: jointcal-bench conflicts|feed|pages|reminders|mixed [flags] (each has --help)")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	db := fs.String("db", "bench.db", "database: SQLite file or postgres:// URL (generated data is added when it holds fewer activities)")
	activities := fs.Int("activities", 36000, "generated activities to hold (36,000 give about 100,000 occurrences)")
	checks := fs.Int("checks", 2000, "conflict checks to time (conflicts)")
	creates := fs.Int("creates", 2000, "bookings to make (conflicts)")
	concurrency := fs.Int("concurrency", 4, "concurrent clients for bookings")
	requests := fs.Int("requests", 2000, "feed requests of each kind (feed), page requests of each kind (pages)")
	only := fs.String("only", "", "time only the page requests whose name contains this text (pages)")
	repeat := fs.Int("repeat", 0, "ask each drawn page request this many more times and once with If-None-Match, timed apart from the first (pages: what a cache answers)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the measured part to this file")
	as := fs.String("as", "", "ask as a planner of this organisation (its code, e.g. EU) instead of an administrator: a planner's reads apply visibility and reply summaries to their own organisation's activities")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	ctx := context.Background()
	store, err := storage.Open(*db, models.DefaultSettings())
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.Migrate(ctx); err != nil {
		return err
	}
	base := time.Now().UTC().Truncate(24 * time.Hour)
	page, err := store.ListActivities(ctx, models.System(), models.ActivityFilter{ListOptions: models.ListOptions{Limit: 1}})
	if err != nil {
		return err
	}
	if have := int(page.Total); have < *activities {
		fmt.Printf("generating %d activities (have %d)…\n", *activities-have, have)
		started := time.Now()
		if _, err := demo.Scale(ctx, store, *activities-have, base, uint64(have+1), nil); err != nil {
			return err
		}
		fmt.Printf("generated in %s\n", time.Since(started).Round(time.Second))
	}
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		return err
	}
	srv := api.New(store, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer srv.Close()
	// A plain loopback server: the tool must not ship net/http/httptest.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen on loopback: %w", err)
	}
	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = httpSrv.Serve(ln) }()
	defer httpSrv.Close()
	in := models.TokenInput{Name: "bench", Role: models.RoleAdmin}
	if *as != "" {
		in = models.TokenInput{Name: "bench", Role: models.RolePlanner, Organization: models.Ref(*as)}
	}
	_, token, err := store.CreateToken(ctx, models.System(), in)
	if err != nil {
		return fmt.Errorf("bench token (--as %q): %w", *as, err)
	}
	c := &client{base: "http://" + ln.Addr().String(), token: token, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	if n, err := store.CountOccurrences(ctx); err == nil {
		fmt.Printf("database: %s, %d stored occurrences\n", store.Dialect(), n)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	switch args[0] {
	case "feed":
		return benchFeed(c, *requests, *concurrency)
	case "pages":
		return benchPages(c, base, *requests, *only, *repeat)
	}
	return benchConflicts(c, base, *checks, *creates, *concurrency)
}

type client struct {
	base, token string
	http        *http.Client
}

func (c *client) do(method, path string, body any, headers ...string) (int, []byte, error) {
	return c.doWith(method, path, body, nil, headers...)
}

// doWith is do that also shows the answer's headers to seen (when not nil).
func (c *client) doWith(method, path string, body any, seen func(*http.Response), headers ...string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	if seen != nil {
		seen(res)
	}
	raw, err := io.ReadAll(res.Body)
	return res.StatusCode, raw, err
}

// draft is a booking of people and bodies from the generated pool.
func draft(rng *rand.Rand, base time.Time, participants int, length time.Duration) map[string]any {
	start := base.Add(time.Duration(rng.IntN(3*365*24)) * time.Hour)
	parts := make([]map[string]any, 0, participants)
	seen := map[int]bool{}
	for len(parts) < participants {
		i := rng.IntN(1200)
		if seen[i] {
			continue
		}
		seen[i] = true
		parts = append(parts, map[string]any{"type": "person", "id_or_code": fmt.Sprintf("staff%d@scale.example", i)})
	}
	return map[string]any{
		"kind": "meeting", "title": "Benchmark booking", "start": start.Format(time.RFC3339), "end": start.Add(length).Format(time.RFC3339),
		"timezone": "Europe/Brussels", "lead_organization": "EU", "participants": parts,
		"venue": fmt.Sprintf("ROOM-%d", rng.IntN(300)),
	}
}

func percentile(d []time.Duration, p float64) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

func benchConflicts(c *client, base time.Time, checks, creates, concurrency int) error {
	rng := rand.New(rand.NewPCG(7, 11))
	lat := make([]time.Duration, 0, checks)
	conflicting := 0
	for i := 0; i < checks; i++ {
		body := draft(rng, base, 10, 7*24*time.Hour)
		t0 := time.Now()
		st, raw, err := c.do("POST", "/api/v1/conflicts/check", body)
		lat = append(lat, time.Since(t0))
		if err != nil || st != 200 {
			return fmt.Errorf("check: %d %v %s", st, err, raw)
		}
		if !bytes.Contains(raw, []byte(`"conflicts":[]`)) {
			conflicting++
		}
	}
	fmt.Printf("POST /conflicts/check (10 participants, one week): n=%d p50=%s p90=%s p99=%s max=%s (%d with hard conflicts)\n",
		checks, percentile(lat, .5), percentile(lat, .9), percentile(lat, .99), percentile(lat, 1), conflicting)

	var made, refused, failed atomic.Int64
	var wg sync.WaitGroup
	next := atomic.Int64{}
	t0 := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for next.Add(1) <= int64(creates) {
				st, _, err := c.do("POST", "/api/v1/activities", draft(r, base, 3, time.Hour))
				switch {
				case err != nil:
					failed.Add(1)
				case st == 201:
					made.Add(1)
				case st == 409:
					refused.Add(1)
				default:
					failed.Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
	el := time.Since(t0)
	fmt.Printf("POST /activities with conflict check: %d requests in %s with %d clients = %.0f/s (%d created, %d refused as conflicting, %d errors)\n",
		creates, el.Round(time.Millisecond), concurrency, float64(creates)/el.Seconds(), made.Load(), refused.Load(), failed.Load())
	if failed.Load() > 0 {
		return errors.New("some bookings failed")
	}
	return nil
}

func benchFeed(c *client, requests, concurrency int) error {
	st, raw, err := c.do("POST", "/api/v1/feeds", map[string]any{"name": "Bench EU", "owner": map[string]any{"type": "organization", "id_or_code": "EU"}})
	if err != nil || st != 201 {
		return fmt.Errorf("create feed: %d %v %s", st, err, raw)
	}
	var f struct{ URL string }
	if err := json.Unmarshal(raw, &f); err != nil {
		return err
	}
	path := f.URL[len("http://127.0.0.1:8080"):]
	t0 := time.Now()
	st, body, err := c.do("GET", path, nil)
	if err != nil || st != 200 {
		return fmt.Errorf("feed: %d %v", st, err)
	}
	fmt.Printf("cold feed GET (query + render): %s, %d bytes, %d events\n", time.Since(t0).Round(time.Microsecond), len(body), bytes.Count(body, []byte("BEGIN:VEVENT")))
	_, _, _ = c.do("GET", path, nil)
	for _, mode := range []struct {
		name    string
		headers []string
	}{{"cached full GET", nil}, {"cached gzip GET", []string{"Accept-Encoding", "gzip"}}, {"If-None-Match → 304", nil}} {
		h := mode.headers
		if mode.name == "If-None-Match → 304" {
			req, _ := http.NewRequest("GET", c.base+path, nil)
			res, err := c.http.Do(req)
			if err != nil {
				return err
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			h = []string{"If-None-Match", res.Header.Get("ETag")}
		}
		var wg sync.WaitGroup
		var n atomic.Int64
		t0 := time.Now()
		for w := 0; w < concurrency; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n.Add(1) <= int64(requests) {
					if _, _, err := c.do("GET", path, nil, h...); err != nil {
						return
					}
				}
			}()
		}
		wg.Wait()
		el := time.Since(t0)
		fmt.Printf("%s: %d in %s = %.0f/s\n", mode.name, requests, el.Round(time.Millisecond), float64(requests)/el.Seconds())
	}
	return nil
}
