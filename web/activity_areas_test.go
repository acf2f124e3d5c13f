package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// TestActivityPageNamesAreas: an activity's areas of cooperation read as
// the reports name them, in the person's language; an area the catalogue
// does not know stays as written.
func TestActivityPageNamesAreas(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	start := s.Today.AddDate(0, 0, 20).Add(10 * time.Hour)
	r, err := s.Store.CreateActivity(context.Background(), models.System(), models.ActivityInput{Kind: "meeting", Title: "Areas named", Start: start, End: start.Add(time.Hour),
		TimeZone: "Europe/Brussels", LeadOrganization: "EU", Status: "confirmed", Visibility: []models.Ref{},
		Participants: []models.ParticipantInput{}, Areas: []string{"political_dialogue", "space_weather"}, Reminders: []string{}}, storage.WriteOptions{OverrideReason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	c := s.signedIn(euPlannerEmail)
	for lang, want := range map[string]string{"en": "Political dialogue, space_weather", "fr": "space_weather"} {
		c.lang = lang
		page := c.get(fmt.Sprintf("/activities/%d", r.Activity.ID))
		if page.status != 200 || !strings.Contains(page.body, want) || strings.Contains(page.body, "political_dialogue") {
			t.Errorf("%s: %d, want the areas as %q and no code:\n%s", lang, page.status, want, page.body)
		}
	}
}
