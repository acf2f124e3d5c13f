package main

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"
)

// pageRequest is one kind of read a planner waits for, timed by
// benchPages: path builds the request for a random window.
type pageRequest struct {
	name string
	path func(rng *rand.Rand) string
}

// pageRequests are the reads of the 100,000-activity targets (issue 16):
// the first page of the activity list, a month of occurrences, the
// conflicts agenda of a month (whole, and its first page of 50), and
// availability of five resources over two weeks, each window drawn at
// random within the generated span.
func pageRequests(base time.Time) []pageRequest {
	window := func(rng *rand.Rand, length time.Duration) (string, string) {
		from := base.Add(time.Duration(rng.IntN(3*365-31)) * 24 * time.Hour)
		return from.Format(time.RFC3339), from.Add(length).Format(time.RFC3339)
	}
	month := 30 * 24 * time.Hour
	return []pageRequest{
		{"GET /api/v1/activities (first page)", func(*rand.Rand) string { return "/api/v1/activities" }},
		{"GET /api/v1/occurrences (one month)", func(rng *rand.Rand) string {
			from, to := window(rng, month)
			return "/api/v1/occurrences?" + url.Values{"from": {from}, "to": {to}}.Encode()
		}},
		{"GET /api/v1/conflicts (one month)", func(rng *rand.Rand) string {
			from, to := window(rng, month)
			return "/api/v1/conflicts?" + url.Values{"from": {from}, "to": {to}}.Encode()
		}},
		{"GET /api/v1/conflicts (one month, first page of 50)", func(rng *rand.Rand) string {
			from, to := window(rng, month)
			return "/api/v1/conflicts?" + url.Values{"from": {from}, "to": {to}, "limit": {"50"}}.Encode()
		}},
		{"GET /api/v1/availability (5 resources, two weeks)", func(rng *rand.Rand) string {
			from, to := window(rng, 14*24*time.Hour)
			parts := ""
			for i := 0; i < 4; i++ {
				parts += fmt.Sprintf("person:staff%d@scale.example,", rng.IntN(1200))
			}
			parts += fmt.Sprintf("body:BODY-%d", rng.IntN(500))
			return "/api/v1/availability?" + url.Values{"participants": {parts}, "duration": {"PT1H"}, "from": {from}, "to": {to},
				"working_hours": {"09:00-18:00"}, "days": {"MO,TU,WE,TH,FR"}, "timezone": {"Europe/Brussels"}}.Encode()
		}},
	}
}

// benchPages times each page request n times, sequentially over HTTP, and
// prints p50, p90 and p99 with the size of the last answer; only, when
// set, keeps the requests whose name contains it. With repeat > 0 each
// drawn request is asked repeat more times, then once with If-None-Match
// naming its ETag, and those are printed apart: the first request of a
// window is what it costs to compute, the repeats what a cache serves.
func benchPages(c *client, base time.Time, n int, only string, repeat int) error {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, pr := range pageRequests(base) {
		if !strings.Contains(pr.name, only) {
			continue
		}
		var first, again, revalidated []time.Duration
		size, notModified := 0, 0
		for i := 0; i < n; i++ {
			path := pr.path(rng)
			var etag string
			for r := 0; r <= repeat; r++ {
				t0 := time.Now()
				st, raw, tag, err := c.doETag("GET", path, nil)
				took := time.Since(t0)
				if err != nil || st != 200 {
					return fmt.Errorf("%s: %d %v %.300s", path, st, err, raw)
				}
				if r == 0 {
					first, etag, size = append(first, took), tag, len(raw)
				} else {
					again = append(again, took)
				}
			}
			if repeat > 0 && etag != "" {
				t0 := time.Now()
				st, raw, _, err := c.doETag("GET", path, nil, "If-None-Match", etag)
				revalidated = append(revalidated, time.Since(t0))
				if err != nil || (st != 200 && st != 304) {
					return fmt.Errorf("%s: %d %v %.300s", path, st, err, raw)
				}
				if st == 304 {
					notModified++
				}
			}
		}
		printLatencies(pr.name, first)
		fmt.Printf(" (last answer %d bytes)\n", size)
		if len(again) > 0 {
			printLatencies(pr.name+", repeated", again)
			fmt.Println()
		}
		if len(revalidated) > 0 {
			printLatencies(pr.name+", If-None-Match", revalidated)
			fmt.Printf(" (%d answered 304)\n", notModified)
		}
	}
	return nil
}

// printLatencies prints a line's start: the name, the count and the
// p50, p90 and p99 of lat.
func printLatencies(name string, lat []time.Duration) {
	fmt.Printf("%s: n=%d p50=%s p90=%s p99=%s", name, len(lat),
		percentile(lat, .5).Round(time.Microsecond), percentile(lat, .9).Round(time.Microsecond), percentile(lat, .99).Round(time.Microsecond))
}
