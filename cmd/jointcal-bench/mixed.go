package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// mixedSettings are the flags of `jointcal-bench mixed`.
type mixedSettings struct {
	bases       []string
	token       string
	duration    time.Duration
	warmup      time.Duration
	concurrency int
	collide     float64
	hotPerSec   int
	verifyDB    string
	label       string
	seed        uint64
}

// op names one kind of request of the mixed load, as reported.
type op string

const (
	opList      op = "list"       // GET /api/v1/activities, one week
	opGet       op = "get"        // GET /api/v1/activities/{id}
	opFeed      op = "feed"       // GET /feeds/{token}.ics, whole feed, with If-None-Match half the time
	opFeedMonth op = "feed-month" // GET /feeds/{token}.ics?from&to, one month
	opCheck     op = "check"      // POST /api/v1/conflicts/check
	opBook      op = "book"       // POST /api/v1/activities, a random slot
	opBookHot   op = "book-hot"   // POST /api/v1/activities, a slot other clients are booking too
)

// opOrder is the order of the report.
var opOrder = []op{opList, opGet, opFeed, opFeedMonth, opCheck, opBook, opBookHot}

// isRead tells the operations counted as reads and feeds (70 % of the mix).
func isRead(o op) bool { return o == opList || o == opGet || o == opFeed || o == opFeedMonth }

// pick draws the next operation: 25 % lists, 15 % gets, 20 % whole feeds,
// 10 % month feeds (70 % reads and feeds), 20 % conflict checks, 10 %
// bookings of which the share collide go to a contested slot.
func pick(rng *rand.Rand, collide float64) op {
	n := rng.IntN(100)
	switch {
	case n < 25:
		return opList
	case n < 40:
		return opGet
	case n < 60:
		return opFeed
	case n < 70:
		return opFeedMonth
	case n < 90:
		return opCheck
	case rng.Float64() < collide:
		return opBookHot
	default:
		return opBook
	}
}

// sample is one timed request.
type sample struct {
	op     op
	status int
	took   time.Duration
}

// multiClient spreads requests over several jointcal processes in turn.
type multiClient struct {
	bases []string
	token string
	next  atomic.Uint64
	http  *http.Client
	// perBase counts requests sent to each base URL.
	perBase []atomic.Int64
}

func newMultiClient(bases []string, token string, conns int) *multiClient {
	return &multiClient{
		bases: bases, token: token, perBase: make([]atomic.Int64, len(bases)),
		http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConns: conns * len(bases), MaxIdleConnsPerHost: conns}},
	}
}

// do sends one request to the next base URL in turn and reads the whole
// answer; it returns the status (0 when the request failed), the body and
// the answer's ETag.
func (m *multiClient) do(method, path string, body any, headers ...string) (int, []byte, string) {
	i := int(m.next.Add(1) % uint64(len(m.bases)))
	m.perBase[i].Add(1)
	c := client{base: m.bases[i], token: m.token, http: m.http}
	st, raw, etag, err := c.doETag(method, path, body, headers...)
	if err != nil {
		return 0, nil, ""
	}
	return st, raw, etag
}

// doETag is client.do that also returns the answer's ETag.
func (c *client) doETag(method, path string, body any, headers ...string) (int, []byte, string, error) {
	var etag string
	st, raw, err := c.doWith(method, path, body, func(res *http.Response) { etag = res.Header.Get("ETag") }, headers...)
	return st, raw, etag, err
}

// mixedFixture is what the load needs to exist before it starts: ids to
// read and feed paths to fetch.
type mixedFixture struct {
	ids   []int64
	feeds []string
}

// prepareMixed reads activity ids and creates the feeds the load fetches
// (organisation feeds and a few people's feeds, as calendar clients hold).
func prepareMixed(m *multiClient) (mixedFixture, error) {
	var fx mixedFixture
	cursor := ""
	for len(fx.ids) < 2000 {
		path := "/api/v1/activities?limit=200"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		st, raw, _ := m.do("GET", path, nil)
		if st != 200 {
			return fx, fmt.Errorf("list activities: status %d: %s", st, raw)
		}
		var page struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return fx, fmt.Errorf("list activities: %w", err)
		}
		for _, it := range page.Items {
			fx.ids = append(fx.ids, it.ID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(fx.ids) == 0 {
		return fx, errors.New("the database holds no activities: load `jointcal demo --scale N` first")
	}
	owners := []map[string]any{{"type": "organization", "id_or_code": "EU"}, {"type": "organization", "id_or_code": "NATO"}}
	for i := 0; i < 6; i++ {
		owners = append(owners, map[string]any{"type": "person", "id_or_code": fmt.Sprintf("staff%d@scale.example", i*7)})
	}
	for _, owner := range owners {
		st, raw, _ := m.do("POST", "/api/v1/feeds", map[string]any{"name": "Mixed load", "owner": owner})
		if st != 201 {
			return fx, fmt.Errorf("create a feed for %v: status %d: %s", owner["id_or_code"], st, raw)
		}
		var f struct {
			URL string `json:"url"`
		}
		if err := json.Unmarshal(raw, &f); err != nil {
			return fx, fmt.Errorf("create a feed: %w", err)
		}
		i := strings.Index(f.URL, "/feeds/")
		if i < 0 {
			return fx, fmt.Errorf("feed url %q has no /feeds/ path", f.URL)
		}
		fx.feeds = append(fx.feeds, f.URL[i:])
	}
	return fx, nil
}

// hotSlot is a booking many clients make at once: the same person and
// venue at the same hour. Slots change every second, so each second
// brings fresh races; they lie in the year before the generated data
// (which starts today), so only the racers compete for them.
type hotSlot struct {
	index int64
	start time.Time
	body  map[string]any
}

func newHotSlot(base time.Time, now time.Time, perSec, k int) hotSlot {
	// 2-hour steps over 8,000 slots (about 2 years back): the index wraps
	// after 8,000/perSec seconds, longer than any run.
	idx := (now.Unix()*int64(perSec) + int64(k)) % 8000
	start := base.AddDate(-2, 0, 0).Add(time.Duration(idx) * 2 * time.Hour)
	venue := idx % 300
	if venue%10 == 0 { // every tenth generated room is virtual and never conflicts
		venue++
	}
	return hotSlot{index: idx, start: start, body: map[string]any{
		"kind": "meeting", "title": "Mixed load: contested slot", "start": start.Format(time.RFC3339), "end": start.Add(time.Hour).Format(time.RFC3339),
		"timezone": "Europe/Brussels", "lead_organization": "EU", "status": "confirmed",
		"participants": []map[string]any{{"type": "person", "id_or_code": fmt.Sprintf("staff%d@scale.example", idx%1200)}},
		"venue":        fmt.Sprintf("ROOM-%d", venue),
	}}
}

// mixedResult is what one worker saw.
type mixedResult struct {
	samples []sample
	booked  []int64         // ids of the activities it booked (201)
	hotWins map[int64]int   // contested slot → bookings that got 201
	hotTry  map[int64]int64 // contested slot → attempts
}

// benchMixed drives the mixed load against every base URL and reports it.
func benchMixed(args []string) error {
	s, err := parseMixed(args)
	if err != nil {
		return err
	}
	_, err = runMixed(s, os.Stdout)
	return err
}

// runMixed drives the load s describes, writes the report to out and
// returns it; an error means the load could not run, or a double-booking.
func runMixed(s mixedSettings, out io.Writer) (mixedReport, error) {
	m := newMultiClient(s.bases, s.token, s.concurrency)
	fx, err := prepareMixed(m)
	if err != nil {
		return mixedReport{}, err
	}
	base := time.Now().UTC().Truncate(24 * time.Hour)
	fmt.Fprintf(out, "mixed load: %s, %d clients over %d process(es) for %s after a %s warm-up; %d activities to read, %d feeds\n",
		s.label, s.concurrency, len(s.bases), s.duration, s.warmup, len(fx.ids), len(fx.feeds))
	results := make([]mixedResult, s.concurrency)
	var wg sync.WaitGroup
	// Requests of the warm-up (first renders of the new feeds, connections)
	// are made and their bookings verified, but not timed.
	start := time.Now().Add(s.warmup)
	deadline := start.Add(s.duration)
	for w := range s.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[w] = mixedWorker(m, fx, base, s, uint64(w), start, deadline)
		}()
	}
	wg.Wait()
	rep := summarise(results, time.Since(start))
	rep.print(out, m)
	rep.double = -1
	if s.verifyDB != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if rep.double, err = countDoubleBookings(ctx, out, s.verifyDB, rep.booked); err != nil {
			return rep, fmt.Errorf("verify double-bookings: %w", err)
		}
		fmt.Fprintf(out, "double-bookings in PostgreSQL involving the %d activities booked in this run: %d\n", len(rep.booked), rep.double)
	}
	fmt.Fprintln(out, rep.row(s.label))
	if rep.hotMulti > 0 || rep.double > 0 {
		return rep, fmt.Errorf("double-bookings: %d contested slots booked more than once, %d overlapping pairs in the database", rep.hotMulti, rep.double)
	}
	return rep, nil
}

func parseMixed(args []string) (mixedSettings, error) {
	fs := flag.NewFlagSet("mixed", flag.ContinueOnError)
	urls := fs.String("urls", "http://127.0.0.1:8080", "comma-separated base URLs of the jointcal processes, used in turn")
	token := fs.String("token", "", "admin API token (default: $JOINTCAL_BENCH_TOKEN)")
	duration := fs.Duration("duration", 30*time.Second, "how long to drive the load, after the warm-up")
	warmup := fs.Duration("warmup", 5*time.Second, "load driven first and left out of the figures (double-bookings are still counted)")
	concurrency := fs.Int("concurrency", 16, "concurrent clients")
	collide := fs.Float64("collide", 0.5, "share of bookings aimed at contested slots (same person, venue and hour as other clients' bookings)")
	hot := fs.Int("hot-per-second", 2, "contested slots opened each second")
	verify := fs.String("verify-db", "", "postgres:// URL of the database: count overlapping hard bookings there after the run")
	label := fs.String("label", "", "name of this run in the report row")
	seed := fs.Uint64("seed", 1, "random seed of the clients")
	if err := fs.Parse(args); err != nil {
		return mixedSettings{}, err
	}
	s := mixedSettings{token: *token, duration: *duration, warmup: *warmup, concurrency: *concurrency, collide: *collide, hotPerSec: *hot, verifyDB: *verify, label: *label, seed: *seed}
	if s.token == "" {
		s.token = os.Getenv("JOINTCAL_BENCH_TOKEN")
	}
	for _, u := range strings.Split(*urls, ",") {
		if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
			s.bases = append(s.bases, u)
		}
	}
	switch {
	case len(s.bases) == 0:
		return s, errors.New("--urls: name at least one base URL")
	case s.token == "":
		return s, errors.New("--token (or JOINTCAL_BENCH_TOKEN): an admin token is needed")
	case s.concurrency < 1 || s.duration <= 0 || s.warmup < 0 || s.hotPerSec < 1:
		return s, errors.New("--concurrency, --duration and --hot-per-second must be positive, --warmup not negative")
	case s.collide < 0 || s.collide > 1:
		return s, errors.New("--collide: a share between 0 and 1")
	}
	if s.label == "" {
		s.label = fmt.Sprintf("%d process(es)", len(s.bases))
	}
	return s, nil
}

// mixedWorker is one client: it draws operations until the deadline.
func mixedWorker(m *multiClient, fx mixedFixture, base time.Time, s mixedSettings, w uint64, measured, deadline time.Time) mixedResult {
	rng := rand.New(rand.NewPCG(s.seed, w))
	res := mixedResult{hotWins: map[int64]int{}, hotTry: map[int64]int64{}}
	etags := map[string]string{}
	for time.Now().Before(deadline) {
		o := pick(rng, s.collide)
		var st int
		var raw []byte
		var hot hotSlot
		t0 := time.Now()
		switch o {
		case opList:
			from := base.Add(time.Duration(rng.IntN(3*52)) * 7 * 24 * time.Hour)
			st, _, _ = m.do("GET", fmt.Sprintf("/api/v1/activities?limit=50&from=%s&to=%s", url.QueryEscape(from.Format(time.RFC3339)), url.QueryEscape(from.AddDate(0, 0, 7).Format(time.RFC3339))), nil)
		case opGet:
			st, _, _ = m.do("GET", fmt.Sprintf("/api/v1/activities/%d", fx.ids[rng.IntN(len(fx.ids))]), nil)
		case opFeed:
			path := fx.feeds[rng.IntN(len(fx.feeds))]
			var hdr []string
			if e := etags[path]; e != "" && rng.IntN(2) == 0 {
				hdr = []string{"If-None-Match", e}
			}
			var etag string
			st, _, etag = m.do("GET", path, nil, hdr...)
			if st == 200 {
				etags[path] = etag
			}
		case opFeedMonth:
			from := base.AddDate(0, rng.IntN(24), 0)
			st, _, _ = m.do("GET", fmt.Sprintf("%s?from=%s&to=%s", fx.feeds[rng.IntN(len(fx.feeds))], url.QueryEscape(from.Format(time.RFC3339)), url.QueryEscape(from.AddDate(0, 1, 0).Format(time.RFC3339))), nil)
		case opCheck:
			st, _, _ = m.do("POST", "/api/v1/conflicts/check", draft(rng, base, 5, 2*time.Hour))
		case opBook:
			body := draft(rng, base, 3, time.Hour)
			body["title"] = "Mixed load booking"
			st, raw, _ = m.do("POST", "/api/v1/activities", body)
		case opBookHot:
			hot = newHotSlot(base, time.Now(), s.hotPerSec, rng.IntN(s.hotPerSec))
			res.hotTry[hot.index]++
			st, raw, _ = m.do("POST", "/api/v1/activities", hot.body)
		}
		if !t0.Before(measured) {
			res.samples = append(res.samples, sample{op: o, status: st, took: time.Since(t0)})
		}
		if st == 201 {
			var a struct {
				ID int64 `json:"id"`
			}
			if json.Unmarshal(raw, &a) == nil && a.ID > 0 {
				res.booked = append(res.booked, a.ID)
			}
			if o == opBookHot {
				res.hotWins[hot.index]++
			}
		}
	}
	return res
}

// opStats is the report of one operation.
type opStats struct {
	n                                    int
	p50, p99                             time.Duration
	ok, created, notMod, conflict, other int
}

// mixedReport is the whole run's report.
type mixedReport struct {
	elapsed  time.Duration
	total    int
	reads    int
	feeds    int
	ops      map[op]opStats
	booked   []int64
	hotSlots int // contested slots tried
	hotWon   int // contested slots with exactly one booking
	hotMulti int // contested slots booked more than once: double-bookings
	hotTries int64
	// double counts the overlaps found in PostgreSQL (-1: not checked).
	double int64
}

func summarise(results []mixedResult, elapsed time.Duration) mixedReport {
	rep := mixedReport{elapsed: elapsed, ops: map[op]opStats{}}
	lat := map[op][]time.Duration{}
	wins, tries := map[int64]int{}, map[int64]int64{}
	for _, r := range results {
		for _, sm := range r.samples {
			st := rep.ops[sm.op]
			st.n++
			switch {
			case sm.status == 200:
				st.ok++
			case sm.status == 201:
				st.created++
			case sm.status == 304:
				st.notMod++
			case sm.status == 409:
				st.conflict++
			default:
				st.other++
			}
			rep.ops[sm.op] = st
			lat[sm.op] = append(lat[sm.op], sm.took)
			rep.total++
			if isRead(sm.op) {
				rep.reads++
			}
			if sm.op == opFeed || sm.op == opFeedMonth {
				rep.feeds++
			}
		}
		rep.booked = append(rep.booked, r.booked...)
		for k, v := range r.hotWins {
			wins[k] += v
		}
		for k, v := range r.hotTry {
			tries[k] += v
		}
	}
	for o, d := range lat {
		st := rep.ops[o]
		st.p50, st.p99 = percentile(d, .5), percentile(d, .99)
		rep.ops[o] = st
	}
	rep.hotSlots = len(tries)
	for k, n := range tries {
		rep.hotTries += n
		switch w := wins[k]; {
		case w == 1:
			rep.hotWon++
		case w > 1:
			rep.hotMulti++
		}
	}
	sort.Slice(rep.booked, func(i, j int) bool { return rep.booked[i] < rep.booked[j] })
	return rep
}

func (r mixedReport) rate(n int) float64 { return float64(n) / r.elapsed.Seconds() }

func (r mixedReport) print(w io.Writer, m *multiClient) {
	fmt.Fprintf(w, "%d requests in %s = %.0f/s (reads and feeds %.0f/s, of which feeds %.0f/s)\n",
		r.total, r.elapsed.Round(time.Millisecond), r.rate(r.total), r.rate(r.reads), r.rate(r.feeds))
	fmt.Fprintf(w, "%-11s %7s %8s %9s %9s %6s %6s %6s %6s %6s\n", "operation", "n", "per s", "p50", "p99", "200", "201", "304", "409", "other")
	for _, o := range opOrder {
		st, ok := r.ops[o]
		if !ok {
			continue
		}
		fmt.Fprintf(w, "%-11s %7d %8.1f %9s %9s %6d %6d %6d %6d %6d\n", o, st.n, r.rate(st.n), ms(st.p50), ms(st.p99), st.ok, st.created, st.notMod, st.conflict, st.other)
	}
	var per []string
	for i := range m.bases {
		per = append(per, fmt.Sprintf("%s %d", m.bases[i], m.perBase[i].Load()))
	}
	fmt.Fprintf(w, "requests per process: %s\n", strings.Join(per, ", "))
	fmt.Fprintf(w, "contested slots: %d raced for by %d bookings; %d won by exactly one, %d booked more than once (must be 0)\n",
		r.hotSlots, r.hotTries, r.hotWon, r.hotMulti)
}

// row is the run as one Markdown table row for bench/scaleout.sh:
// label, requests/s, reads+feeds/s, feeds/s, p50/p99 of reads, checks
// and bookings, 201/409/other, double-bookings.
func (r mixedReport) row(label string) string {
	var readLat, checkLat, bookLat []string
	for _, o := range []op{opList, opGet, opFeed, opFeedMonth} {
		readLat = append(readLat, fmt.Sprintf("%s %s/%s", o, ms(r.ops[o].p50), ms(r.ops[o].p99)))
	}
	checkLat = append(checkLat, fmt.Sprintf("%s/%s", ms(r.ops[opCheck].p50), ms(r.ops[opCheck].p99)))
	for _, o := range []op{opBook, opBookHot} {
		bookLat = append(bookLat, fmt.Sprintf("%s/%s", ms(r.ops[o].p50), ms(r.ops[o].p99)))
	}
	var created, conflict, other int
	for _, st := range r.ops {
		created += st.created
		conflict += st.conflict
		other += st.other
	}
	doubles := "not checked"
	if r.double >= 0 {
		doubles = fmt.Sprint(r.double + int64(r.hotMulti))
	}
	return fmt.Sprintf("| %s | %.0f | %.0f | %.0f | %s | %s | %s | %d / %d / %d | %d of %d | %s |",
		label, r.rate(r.total), r.rate(r.reads), r.rate(r.feeds), strings.Join(readLat, ", "), checkLat[0], strings.Join(bookLat, ", "),
		created, conflict, other, r.hotWon, r.hotSlots, doubles)
}

// ms prints a latency in milliseconds with a precision that suits it.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}
