package storage_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// BenchmarkListWithReplySummaries: listing 1,000 activities (two pages of
// 500) as an administrator, each reaching two people directly and a
// committee of 20, a third of them answered — without summaries, with
// the summaries of each page read at once, and, for comparison, with the
// reply table read activity by activity; and the deconfliction agenda of
// the same activities without and with its reply items. On SQLite (a temporary file),
// or on the empty PostgreSQL database named by JOINTCAL_BENCH_POSTGRES_URL.
func BenchmarkListWithReplySummaries(b *testing.B) {
	const activities, members = 1000, 20
	var s *storage.Store
	if dsn := os.Getenv("JOINTCAL_BENCH_POSTGRES_URL"); dsn != "" {
		s = storagetest.OpenDSN(b, dsn)
	} else {
		s = storagetest.Open(b)
	}
	ctx, sys := context.Background(), models.System()
	if _, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union"}); err != nil {
		b.Fatal(err)
	}
	var refs []models.Ref
	for i := range members + 2 {
		email := fmt.Sprintf("p%d@eeas.example", i)
		if _, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: fmt.Sprintf("Person %d", i), Email: email, TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
			b.Fatal(err)
		}
		refs = append(refs, models.Ref(email))
	}
	if _, err := s.CreateBody(ctx, sys, models.BodyInput{Code: "C20", Name: "Committee of 20", Organization: "EU", Members: refs[2:]}); err != nil {
		b.Fatal(err)
	}
	first, err := s.GetPerson(ctx, refs[0])
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now().UTC().Add(30 * 24 * time.Hour).Truncate(time.Hour)
	for i := range activities {
		at := start.Add(time.Duration(i) * time.Hour)
		res, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "meeting", Title: fmt.Sprintf("Meeting %d", i), TimeZone: "Europe/Brussels",
			Start: at, End: at.Add(30 * time.Minute), LeadOrganization: "EU",
			Participants: []models.ParticipantInput{{Type: "person", IDOrCode: refs[0]}, {Type: "person", IDOrCode: refs[1]}, {Type: "body", IDOrCode: "C20"}}},
			storage.WriteOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := s.ReplyFor(ctx, first.ID, res.Activity.ID, models.ReplyInput{PartStat: "declined"}, models.ChannelLink); err != nil {
				b.Fatal(err)
			}
		}
	}
	admin := models.Actor{Name: "admin", Role: models.RoleAdmin}
	list := func(b *testing.B, summarise func([]models.ActivityView) error) {
		n, cursor := 0, ""
		for {
			page, err := s.ListActivities(ctx, admin, models.ActivityFilter{ListOptions: models.ListOptions{Limit: models.MaxLimit, Cursor: cursor}})
			if err != nil {
				b.Fatal(err)
			}
			if err := summarise(page.Items); err != nil {
				b.Fatal(err)
			}
			n += len(page.Items)
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if n != activities {
			b.Fatalf("listed %d", n)
		}
	}
	b.Run("without", func(b *testing.B) {
		for b.Loop() {
			list(b, func([]models.ActivityView) error { return nil })
		}
	})
	b.Run("summaries", func(b *testing.B) {
		for b.Loop() {
			list(b, func(vs []models.ActivityView) error { return s.FillReplySummaries(ctx, admin, vs) })
		}
	})
	// The deconfliction agenda over the same 1,000 activities: a viewer
	// gets the clashes alone, an administrator also the reply items
	// (1,000 occurrences without Person 1's answer or with his decline).
	window := models.ConflictFilter{From: start.Add(-time.Hour), To: start.Add(time.Duration(activities+1) * time.Hour)}
	for _, who := range []models.Actor{{Name: "viewer", Role: models.RoleViewer}, admin} {
		b.Run("agenda-"+who.Name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ListConflicts(ctx, who, window); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("per-activity", func(b *testing.B) {
		for b.Loop() {
			list(b, func(vs []models.ActivityView) error {
				for i := range vs {
					if _, err := s.ReplySummary(ctx, &vs[i]); err != nil {
						return err
					}
				}
				return nil
			})
		}
	})
}
