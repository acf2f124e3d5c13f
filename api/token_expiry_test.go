package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestExpiredTokenSaysSo: a token past its expiry is refused with a
// problem that says it expired (not "unknown token"), on every database.
func TestExpiredTokenSaysSo(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		now := time.Now().UTC()
		exp := now.Add(time.Hour)
		_, secret, err := s.CreateToken(t.Context(), models.System(), models.TokenInput{Name: "contractor", Role: models.RoleViewer, ExpiresAt: &exp})
		if err != nil {
			t.Fatal(err)
		}
		e.tokens["contractor"] = secret
		e.expect(e.do("GET", "/api/v1/organizations", "contractor", nil), 200)
		s.SetClock(func() time.Time { return now.Add(2 * time.Hour) })
		r := e.expect(e.do("GET", "/api/v1/organizations", "contractor", nil), 401)
		if !strings.Contains(string(r.Body), "token-expired") || !strings.Contains(string(r.Body), "expired") {
			t.Fatalf("expired token problem: %s", r.Body)
		}
		past := now.Add(-time.Minute)
		if _, _, err := s.CreateToken(t.Context(), models.System(), models.TokenInput{Name: "late", Role: models.RoleViewer, ExpiresAt: &past}); err == nil || !strings.Contains(err.Error(), "expires_at") {
			t.Fatalf("a token expiring in the past was created: %v", err)
		}
	})
}
