package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestImportJobsAreBounded: with maxImportJobs jobs running, another is
// told to come back (503 with Retry-After) and writes nothing; once a job
// ends its slot serves the next. The running jobs are stood in for by
// taking their slots, so the test does not depend on how fast they run.
func TestImportJobsAreBounded(t *testing.T) {
	t.Parallel()
	store := storagetest.Open(t)
	ctx := context.Background()
	if _, err := store.CreateOrganization(ctx, models.System(), models.OrganizationInput{Code: "NATO", Name: "NATO"}); err != nil {
		t.Fatal(err)
	}
	_, secret, err := store.CreateToken(ctx, models.System(), models.TokenInput{Name: "admin", Role: models.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	s := testServer(t, store, nil)
	post := func() *httptest.ResponseRecorder {
		ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//slots//EN\r\nBEGIN:VEVENT\r\nUID:slot-1\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20310101T080000Z\r\nDTEND:20310101T090000Z\r\nSUMMARY:One\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		req := httptest.NewRequest("POST", "/api/v1/import/ics?organization=NATO&async=true", strings.NewReader(ics))
		req.Header.Set("Content-Type", "text/calendar")
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec
	}
	for i := 0; i < maxImportJobs; i++ {
		s.importSlots <- struct{}{}
	}
	busy := post()
	if busy.Code != http.StatusServiceUnavailable || busy.Header().Get("Retry-After") == "" || !strings.Contains(busy.Body.String(), "import-busy") {
		t.Fatalf("a job beyond the bound: %d %v %s", busy.Code, busy.Header(), busy.Body)
	}
	if page, err := store.ListActivities(ctx, models.System(), models.ActivityFilter{}); err != nil || page.Total != 0 {
		t.Fatalf("the refused import wrote %d activities (%v)", page.Total, err)
	}
	<-s.importSlots
	if r := post(); r.Code != http.StatusAccepted {
		t.Fatalf("with a slot free: %d %s", r.Code, r.Body)
	}
	<-s.importSlots
}
