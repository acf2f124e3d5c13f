package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestDigestPreferences: the Monday digest goes to people who did not
// turn it (or reminders) off.
func TestDigestPreferences(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx, sys := context.Background(), models.System()
		if _, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union"}); err != nil {
			t.Fatal(err)
		}
		for email, prefs := range map[string]models.ReminderPreferences{
			"all@eeas.example":       {},
			"nodigest@eeas.example":  {NoDigest: true},
			"optout@eeas.example":    {OptOut: true},
			"noinvites@eeas.example": {NoInvitations: true},
		} {
			if _, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: email, Email: email, TimeZone: "Europe/Brussels", Organization: "EU", ReminderPreferences: prefs}); err != nil {
				t.Fatal(err)
			}
		}
		monday := time.Date(2030, 3, 4, 6, 30, 0, 0, time.UTC) // 07:30 in Brussels
		if _, err := s.PlanDigests(ctx, monday); err != nil {
			t.Fatal(err)
		}
		page, err := s.ListReminders(ctx, sys, models.ReminderFilter{ListOptions: models.ListOptions{Limit: 10}})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, r := range page.Items {
			got[r.RecipientEmail] = true
		}
		if len(got) != 2 || !got["all@eeas.example"] || !got["noinvites@eeas.example"] {
			t.Fatalf("digests for %v, want all@ and noinvites@", got)
		}
	})
}
