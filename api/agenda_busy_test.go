package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestAgendaBusyAsksToRetry: an agenda refused because every computation
// slot stayed taken leaves as a 503 problem of its own kind with
// Retry-After, so that a client (or the page) asks again instead of
// reporting a failure.
func TestAgendaBusyAsksToRetry(t *testing.T) {
	t.Parallel()
	s := testServer(t, storagetest.Open(t), nil)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/conflicts?from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z", nil)
	rec := httptest.NewRecorder()
	s.errorHandler(fmt.Errorf("list conflicts: %w", models.ErrAgendaBusy), s.echo.NewContext(req, rec))
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("not a problem document: %v: %s", err, rec.Body)
	}
	if rec.Code != http.StatusServiceUnavailable || p.Type != "urn:jointcal:problem:agenda-busy" || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("busy agenda answered %d %q with Retry-After %q", rec.Code, p.Type, rec.Header().Get("Retry-After"))
	}
}
