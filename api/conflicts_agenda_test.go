package api_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestConflictAgendaCache: a repeated agenda is served from the cache
// (and revalidates to 304); a write through this server, and a delete
// through a second store on the same database (another process), are
// seen by the next request; and viewers of different organisations never
// share an answer, so an EU-restricted side stays masked for NATO.
func TestConflictAgendaCache(t *testing.T) {
	t.Parallel()
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			dsn := b.DSN(t)
			e := newEnv(t, storagetest.OpenDSN(t, dsn))
			other := storagetest.OpenDSN(t, dsn)
			secret := meeting("EU", "EU secret talks", "2031-06-03T10:00:00+02:00", "2031-06-03T12:00:00+02:00", person("ben@nato.example", true))
			secret["visibility"] = []string{"EU"}
			e.expect(e.do("POST", "/api/v1/activities", "eu_planner", secret), 201)
			nac := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "nato_planner",
				meeting("NATO", "NAC", "2031-06-03T11:00:00+02:00", "2031-06-03T13:00:00+02:00", person("ben@nato.example", true))), 201))
			const path = "/api/v1/conflicts?from=2031-06-01T00:00:00Z&to=2031-07-01T00:00:00Z"
			agenda := func(who string, headers ...string) response {
				t.Helper()
				return e.do("GET", path, who, nil, headers...)
			}

			first := e.expect(agenda("eu_planner"), 200)
			if !strings.Contains(string(first.Body), "EU secret talks") || !strings.Contains(string(first.Body), `"NAC"`) {
				t.Fatalf("the EU planner's agenda lacks the clash: %s", first.Body)
			}
			etag := first.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			served := e.agendaAnswers("cache")
			again := e.expect(agenda("eu_planner"), 200)
			if string(again.Body) != string(first.Body) || again.Header.Get("ETag") != etag {
				t.Fatalf("the repeat differs: %s", again.Body)
			}
			// On PostgreSQL the version is the server's snapshot, which every
			// other test's commits move too, so a hit cannot be counted on
			// there; this test's SQLite file is written by it alone.
			if got := e.agendaAnswers("cache"); b.Name == "sqlite" && got != served+1 {
				t.Fatalf("the repeat was not served from the cache: %d answers from it, want %d", got, served+1)
			}
			e.expect(agenda("eu_planner", "If-None-Match", etag), 304)

			// Another organisation's viewers with the same window compute
			// their own answer: the clash, with the EU side masked.
			for _, who := range []string{"nato_planner", "nato_viewer"} {
				masked := e.expect(agenda(who), 200)
				if strings.Contains(string(masked.Body), "EU secret talks") || !strings.Contains(string(masked.Body), `"NAC"`) {
					t.Fatalf("%s's agenda: %s", who, masked.Body)
				}
				if masked.Header.Get("ETag") == etag {
					t.Fatalf("%s got the EU planner's ETag", who)
				}
				e.expect(agenda(who, "If-None-Match", etag), 200)
			}

			// A write here: a third meeting Ben is invited to.
			e.expect(e.do("POST", "/api/v1/activities", "nato_planner",
				meeting("NATO", "Military Committee", "2031-06-03T11:30:00+02:00", "2031-06-03T12:30:00+02:00", person("ben@nato.example", false))), 201)
			afterWrite := e.expect(agenda("eu_planner", "If-None-Match", etag), 200)
			if !strings.Contains(string(afterWrite.Body), "Military Committee") {
				t.Fatalf("the agenda after a write here lacks the new clash: %s", afterWrite.Body)
			}

			// A delete by another process: the NAC meeting goes.
			ctx := context.Background()
			cur, err := other.GetActivity(ctx, models.System(), nac)
			if err != nil {
				t.Fatal(err)
			}
			if err := other.DeleteActivity(ctx, models.System(), nac, cur.Version); err != nil {
				t.Fatal(err)
			}
			afterDelete := e.expect(agenda("eu_planner"), 200)
			if strings.Contains(string(afterDelete.Body), `"NAC"`) || !strings.Contains(string(afterDelete.Body), "Military Committee") {
				t.Fatalf("the agenda after another process's delete: %s", afterDelete.Body)
			}
		})
	}
}

// TestConflictAgendaComputedOnce: identical requests arriving together
// on a cold cache share one computation.
func TestConflictAgendaComputedOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	for i := range 60 {
		start := fmt.Sprintf("2031-06-%02dT10:00:00+02:00", 2+i%20)
		end := fmt.Sprintf("2031-06-%02dT11:00:00+02:00", 2+i%20)
		e.expect(e.do("POST", "/api/v1/activities", "admin", meeting("EU", fmt.Sprintf("Meeting %d", i), start, end, person("ben@nato.example", false))), 201)
	}
	const requests = 8
	// A commit during the burst (the outbox sending the invitations just
	// booked, say) moves the data version, and the requests after it
	// rightly compute again: such a burst proves nothing, so it is made
	// again on a window of its own, still cold.
	for attempt := range 5 {
		before, err := e.store.DataVersion(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		computed := e.agendaAnswers("computed")
		to := fmt.Sprintf("2031-07-01T00:00:%02dZ", attempt)
		e.agendaBurst(requests, "/api/v1/conflicts?from=2031-06-01T00:00:00Z&to="+to)
		after, err := e.store.DataVersion(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got := e.agendaAnswers("computed") - computed
		if before != after {
			t.Logf("attempt %d: the data version moved during the burst (%d computations); again", attempt, got)
			continue
		}
		if got != 1 {
			t.Fatalf("%d concurrent identical requests computed the agenda %d times, want once", requests, got)
		}
		return
	}
	t.Fatal("the data version moved during every burst")
}

// agendaBurst sends n identical agenda requests at once as the
// administrator and checks that each is answered.
func (e *env) agendaBurst(n int, path string) {
	e.t.Helper()
	var (
		wg    sync.WaitGroup
		ready = make(chan struct{})
		codes = make([]int, n)
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequest("GET", e.srv.URL+path, nil)
			if err != nil {
				e.t.Error(err)
				return
			}
			req.Header.Set("Authorization", "Bearer "+e.tokens["admin"])
			<-ready
			res, err := e.srv.Client().Do(req)
			if err != nil {
				e.t.Error(err)
				return
			}
			res.Body.Close()
			codes[i] = res.StatusCode
		}()
	}
	close(ready)
	wg.Wait()
	for i, code := range codes {
		if code != http.StatusOK {
			e.t.Fatalf("request %d: status %d", i, code)
		}
	}
}

// agendaAnswers reads jointcal_agenda_answers_total for a source from
// /metrics.
func (e *env) agendaAnswers(source string) int {
	e.t.Helper()
	res, err := e.srv.Client().Get(e.srv.URL + "/metrics")
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	prefix := fmt.Sprintf("jointcal_agenda_answers_total{source=%q} ", source)
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				e.t.Fatal(err)
			}
			return int(n)
		}
	}
	e.t.Fatalf("/metrics has no %s", prefix)
	return 0
}
