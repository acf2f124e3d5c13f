package web

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
)

// TestFormKeepsWhatItCannotShow: an activity read into the form and
// written back gives the store the same input — its excluded and extra
// dates, which the form has no control for, included.
func TestFormKeepsWhatItCannotShow(t *testing.T) {
	t.Parallel()
	bxl, _ := time.LoadLocation("Europe/Brussels")
	start := time.Date(2027, 3, 4, 10, 0, 0, 0, bxl)
	parent := int64(7)
	v := &models.ActivityView{ID: 3, Version: 4, Kind: "staff_talks", Title: "Hybrid staff exchange", Start: start, End: start.Add(90 * time.Minute), TimeZone: "Europe/Brussels",
		RRule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=10", ExDates: []time.Time{start.AddDate(0, 0, 14).UTC()}, RDates: []time.Time{start.AddDate(0, 0, 1).UTC()},
		Status: "tentative", Format: "hybrid", Venue: "NATO-HQ", LeadOrganization: "EU", Visibility: []string{"EU", "NATO"}, Areas: []string{"hybrid_threats", "cyber"},
		Series: "Hybrid exchanges", Parent: &parent, Reminders: []string{"P2D", "PT1H"}, ConferenceURL: "https://vtc.example/room",
		Participants: []models.ParticipantView{{Type: "body", IDOrCode: "PSC", Role: "audience", Required: true}, {Type: "person", IDOrCode: "a@b.example", Role: "briefer"}}}
	f := formFromView(v)
	// What the browser sends back is what the form holds.
	back := url.Values{"exdates": {f.ExDates}, "rdates": {f.RDates}}
	if g := readForm(back); g.ExDates != f.ExDates || g.RDates != f.RDates {
		t.Fatalf("hidden dates do not come back: %q %q", g.ExDates, g.RDates)
	}
	in, errs := f.input(refKinds{}, func(k string, _ ...any) string { return k })
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := v.Input()
	checks := []struct {
		name      string
		got, want any
	}{
		{"start", in.Start.Unix(), want.Start.Unix()},
		{"end", in.End.Unix(), want.End.Unix()},
		{"rrule", in.RRule, want.RRule},
		{"exdates", fmt.Sprint(in.ExDates), fmt.Sprint(want.ExDates)},
		{"rdates", fmt.Sprint(in.RDates), fmt.Sprint(want.RDates)},
		{"visibility", fmt.Sprint(in.Visibility), fmt.Sprint(want.Visibility)},
		{"areas", fmt.Sprint(in.Areas), fmt.Sprint(want.Areas)},
		{"reminders", fmt.Sprint(in.Reminders), fmt.Sprint(want.Reminders)},
		{"parent", in.Parent, want.Parent},
		{"venue", in.Venue, want.Venue},
		{"status", in.Status, want.Status},
		{"format", in.Format, want.Format},
		{"conference", in.ConferenceURL, want.ConferenceURL},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	if len(in.Participants) != 2 || in.Participants[0].Type != "body" || in.Participants[0].IDOrCode != "PSC" || in.Participants[0].Role != "audience" || !*in.Participants[0].Required ||
		in.Participants[1].Type != "person" || *in.Participants[1].Required {
		t.Errorf("participants: %+v", in.Participants)
	}
	if !slices.Equal(f.Days, []time.Weekday{time.Thursday}) || f.Interval != "2" || f.Count != "10" {
		t.Errorf("the builder shows %v every %s, %s times", f.Days, f.Interval, f.Count)
	}
}
