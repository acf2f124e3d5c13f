package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// BenchmarkBookingInvitesBody: one booking over HTTP of a committee of
// 500 members, which queues 500 invitations in the booking's transaction
// (each iteration books another hour, so nothing conflicts). On SQLite
// (a file in a temporary directory), or on the PostgreSQL database named
// by JOINTCAL_BENCH_POSTGRES_URL.
func BenchmarkBookingInvitesBody(b *testing.B) {
	const members = 500
	var store *storage.Store
	if dsn := os.Getenv("JOINTCAL_BENCH_POSTGRES_URL"); dsn != "" {
		store = storagetest.OpenDSN(b, dsn)
	} else {
		store = storagetest.Open(b)
	}
	s := testServer(b, store, nil)
	ctx, sys := context.Background(), models.System()
	if _, err := store.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union"}); err != nil {
		b.Fatal(err)
	}
	refs := make([]models.Ref, members)
	for i := range refs {
		email := fmt.Sprintf("member%d@eeas.example", i)
		if _, err := store.CreatePerson(ctx, sys, models.PersonInput{Name: fmt.Sprintf("Member %d", i), Email: email, TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
			b.Fatal(err)
		}
		refs[i] = models.Ref(email)
	}
	if _, err := store.CreateBody(ctx, sys, models.BodyInput{Code: "BIG", Name: "Committee of 500", Organization: "EU", Members: refs}); err != nil {
		b.Fatal(err)
	}
	_, token, err := store.CreateToken(ctx, sys, models.TokenInput{Name: "bench", Role: models.RoleAdmin})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now().UTC().Add(30 * 24 * time.Hour).Truncate(time.Hour)
	var last string
	for i := 0; b.Loop(); i++ {
		at := start.Add(time.Duration(i) * time.Hour)
		body := fmt.Sprintf(`{"kind":"meeting","title":"Plenary %d","start":%q,"end":%q,"timezone":"Europe/Brussels","lead_organization":"EU","participants":[{"type":"body","id_or_code":"BIG"}]}`,
			i, at.Format(time.RFC3339), at.Add(time.Hour).Format(time.RFC3339))
		req := httptest.NewRequest(http.MethodPost, "/api/v1/activities", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
		last = rec.Body.String()
	}
	b.StopTimer()
	var id int64
	fmt.Sscanf(last[strings.Index(last, `"id":`)+5:], "%d", &id)
	page, err := store.ListReminders(ctx, sys, models.ReminderFilter{Activity: id, ListOptions: models.ListOptions{Limit: 500}})
	if err != nil {
		b.Fatal(err)
	}
	if page.Total != members {
		b.Fatalf("the last booking queued %d notices, want %d invitations", page.Total, members)
	}
}
