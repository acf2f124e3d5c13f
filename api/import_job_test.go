package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

func manyEvents(n int, bad int) []byte {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//jobs//EN\r\n")
	start := time.Date(2031, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		s := start.Add(time.Duration(i) * 90 * time.Minute)
		end := s.Add(time.Hour)
		if i == bad {
			end = s.Add(400 * 24 * time.Hour)
		}
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:job-%d\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Event %d\r\nEND:VEVENT\r\n",
			i, s.Format("20060102T150405Z"), end.Format("20060102T150405Z"), i)
	}
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String())
}

// poll waits for a job to leave the running state.
func (e *env) poll(path, who string) map[string]any {
	e.t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		job := e.expect(e.do("GET", path, who, nil), 200).json(e.t)
		if job["state"] != "running" {
			return job
		}
	}
	e.t.Fatal("the import job did not finish")
	return nil
}

// TestLargeImportRunsAsAJob: a file above JOINTCAL_IMPORT_ASYNC_EVENTS
// (120 here, to keep the test short; 2,000 by default) is answered 202 at
// once with a job to poll, whose report says what was written; the job is
// its creator's alone.
func TestLargeImportRunsAsAJob(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnvWith(t, s, map[string]string{"JOINTCAL_IMPORT_ASYNC_EVENTS": "120"})
		r := e.expect(e.postICS("organization=EU", "eu_planner", manyEvents(130, -1)), 202)
		e.expect(e.postICS("organization=EU&dry_run=true", "eu_planner", manyEvents(120, -1)), 200)
		loc := r.Header.Get("Location")
		if !strings.HasPrefix(loc, "/api/v1/import/jobs/") || r.json(t)["total"] != float64(130) {
			t.Fatalf("202 without a job: %s %s", loc, r.Body)
		}
		e.expect(e.do("GET", loc, "nato_planner", nil), 404)
		job := e.poll(loc, "eu_planner")
		rep, _ := job["report"].(map[string]any)
		if job["state"] != "done" || rep == nil || rep["created"] != float64(130) || job["done"] != float64(130) {
			t.Fatalf("job: %v", job)
		}
		if n := e.count("/api/v1/activities?limit=1", "admin"); n != 130 {
			t.Fatalf("%d activities", n)
		}
		e.expect(e.do("GET", loc, "admin", nil), 200)
		// async=true: a small file with an invalid event is a finished job
		// whose report lists it, and nothing is written.
		r = e.expect(e.postICS("organization=NATO&async=true", "nato_planner", manyEvents(300, 250)), 202)
		job = e.poll(r.Header.Get("Location"), "nato_planner")
		rep, _ = job["report"].(map[string]any)
		if job["state"] != "done" || rep == nil || len(rep["errors"].([]any)) != 1 || rep["created"] != float64(0) {
			t.Fatalf("invalid job: %v", job)
		}
		if n := e.count("/api/v1/activities?organization=NATO", "admin"); n != 0 {
			t.Fatalf("%d NATO activities written from an invalid file", n)
		}
		// A viewer may not start one.
		e.expect(e.postICS("organization=EU&async=true", "eu_viewer", manyEvents(3, -1)), 403)
	})
}
