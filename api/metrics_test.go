package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jointcal/jointcal/api"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestMetricsToken: with JOINTCAL_METRICS_TOKEN set, /metrics answers only
// a request bearing it.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(func(k string) string {
		if k == "JOINTCAL_METRICS_TOKEN" {
			return "scrape-secret-0123456789"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	s := api.New(storagetest.Open(t), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(s.Close)
	t.Cleanup(srv.Close)
	cases := []struct {
		name, auth string
		want       int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "Bearer scrape-secret-0123456780", http.StatusUnauthorized},
		{"wrong scheme", "Basic scrape-secret-0123456789", http.StatusUnauthorized},
		{"right token", "Bearer scrape-secret-0123456789", http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest("GET", srv.URL+"/metrics", nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Fatalf("GET /metrics with %q: %d, want %d", tc.auth, res.StatusCode, tc.want)
			}
		})
	}
}
