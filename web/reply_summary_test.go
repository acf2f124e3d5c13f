package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// repliedMeeting books an EU meeting two days ahead for two required EU
// people: Rita declines it, Sam does not answer.
func repliedMeeting(t *testing.T, s *site) (day time.Time, id int64) {
	t.Helper()
	ctx := context.Background()
	for _, p := range []models.PersonInput{{Name: "Rita Required", Email: "rita@eeas.example"}, {Name: "Sam Silent", Email: "sam@eeas.example"}} {
		p.TimeZone, p.Organization = "Europe/Brussels", "EU"
		if _, err := s.Store.CreatePerson(ctx, models.System(), p); err != nil {
			t.Fatal(err)
		}
	}
	day = time.Date(s.Today.Year(), s.Today.Month(), s.Today.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 2)
	res, err := s.Store.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "meeting", Title: "Replied meeting", TimeZone: "Europe/Brussels",
		Start: day.Add(5 * time.Hour), End: day.Add(6 * time.Hour), LeadOrganization: "EU",
		Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "rita@eeas.example"}, {Type: "person", IDOrCode: "sam@eeas.example"}}},
		storage.WriteOptions{OverrideReason: "reply test"})
	if err != nil {
		t.Fatal(err)
	}
	rita, err := s.Store.GetPerson(ctx, "rita@eeas.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.ReplyFor(ctx, rita.ID, res.Activity.ID, models.ReplyInput{PartStat: "declined"}, models.ChannelLink); err != nil {
		t.Fatal(err)
	}
	return day, res.Activity.ID
}

// item is the agenda line of the calendar page that names title.
func item(body, title string) string {
	i := strings.Index(body, ">"+title+"</a>")
	if i < 0 {
		return ""
	}
	end := strings.Index(body[i:], "</li>")
	return body[i : i+end]
}

// TestRepliesInListsAndAgenda: the lead planner's calendar list says how
// the people answered ("1 declined, 1 no answer", in French too), the
// other organisation's planner sees no such line; the deconfliction
// agenda shows the lead planner the decline and the silence, in English
// and French, and the other organisation's planner neither.
func TestRepliesInListsAndAgenda(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	day, id := repliedMeeting(t, s)
	eu, nato := s.signedIn(euPlannerEmail), s.signedIn(natoPlannerEmail)

	calendar := "/calendar?view=week&date=" + day.Format(time.DateOnly)
	r := eu.get(calendar)
	if r.status != http.StatusOK || !strings.Contains(item(r.body, "Replied meeting"), `<span class="replies">1 declined, 1 no answer</span>`) {
		t.Errorf("the lead planner's list: %d %q", r.status, item(r.body, "Replied meeting"))
	}
	r = nato.get(calendar)
	if line := item(r.body, "Replied meeting"); r.status != http.StatusOK || line == "" || strings.Contains(line, "replies") {
		t.Errorf("the NATO planner's list: %d %q", r.status, line)
	}
	eu.lang = "fr"
	if r = eu.get("/activities/" + strconv.FormatInt(id, 10)); !strings.Contains(r.body, `<p class="replies">Réponses de toutes les personnes concernées : 1 refusé(s), 1 sans réponse</p>`) {
		t.Errorf("the lead planner's activity page has no summary")
	}
	if r = nato.get("/activities/" + strconv.FormatInt(id, 10)); r.status != http.StatusOK || strings.Contains(r.body, `class="replies"`) {
		t.Errorf("the NATO planner's activity page: %d, shows a summary %v", r.status, strings.Contains(r.body, `class="replies"`))
	}
	if r = eu.get(calendar); !strings.Contains(item(r.body, "Replied meeting"), "1 refusé(s), 1 sans réponse") {
		t.Errorf("the French list: %q", item(r.body, "Replied meeting"))
	}

	window := "/conflicts?from=" + day.AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + day.AddDate(0, 0, 1).Format(time.DateOnly)
	eu.lang = ""
	r = eu.get(window)
	for _, want := range []string{"declined by a required participant", "no answer from a required participant", "Rita Required", "Sam Silent",
		"A required participant declined: go ahead, move the activity or find a replacement."} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the lead planner's agenda lacks %q", want)
		}
	}
	eu.lang = "fr"
	if r = eu.get(window); !strings.Contains(r.body, "refusée par un participant requis") || !strings.Contains(r.body, "sans réponse d&#39;un participant requis") {
		t.Errorf("the French agenda lacks the reply items")
	}
	if r = nato.get(window); r.status != http.StatusOK || strings.Contains(r.body, "Rita Required") || strings.Contains(r.body, "Sam Silent") || strings.Contains(r.body, "A required participant") {
		t.Errorf("the NATO planner's agenda shows the EU meeting's replies")
	}
	if r = eu.get(window + "&rule=required_no_reply"); r.status != http.StatusOK || strings.Contains(r.body, "Rita Required") || !strings.Contains(r.body, "Sam Silent") {
		t.Errorf("filtered by rule: %d", r.status)
	}
}
