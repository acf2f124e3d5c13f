package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/gate"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// clashes books, a week and a half ahead, two EU meetings of the PSC at
// the same time, and an EU-only PSC preparation that a NATO meeting with
// the PSC overlaps: the agenda's material.
func clashes(t *testing.T, s *site) (day time.Time) {
	t.Helper()
	ctx := context.Background()
	day = time.Date(s.Today.Year(), s.Today.Month(), s.Today.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 10)
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	psc := []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}}
	for _, a := range []models.ActivityInput{
		{Kind: "meeting", Title: "PSC clash one", Start: at(5), End: at(6), LeadOrganization: "EU", Participants: psc},
		{Kind: "meeting", Title: "PSC clash two", Start: at(5), End: at(6), LeadOrganization: "EU", Participants: psc},
		{Kind: "meeting", Title: "EU-only PSC preparation", Start: at(14), End: at(15), LeadOrganization: "EU", Participants: psc, Visibility: []models.Ref{"EU"}},
		{Kind: "meeting", Title: "NATO briefing to the PSC", Start: at(14), End: at(15), LeadOrganization: "NATO", Participants: psc},
	} {
		a.TimeZone = "Europe/Brussels"
		if _, err := s.Store.CreateActivity(ctx, models.System(), a, storage.WriteOptions{OverrideReason: "agenda test"}); err != nil {
			t.Fatal(err)
		}
	}
	return day
}

func TestConflictsAgenda(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	day := clashes(t, s)
	window := "from=" + day.AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + day.AddDate(0, 0, 1).Format(time.DateOnly)
	eu, nato := s.signedIn(euPlannerEmail), s.signedIn(natoPlannerEmail)

	r := nato.get("/conflicts?" + window)
	if r.status != http.StatusOK || !strings.Contains(r.body, "NATO briefing to the PSC") || !strings.Contains(r.body, `<span class="busy">busy (restricted)</span>`) {
		t.Fatalf("NATO planner's agenda: %d, NATO side %v, restricted side %v", r.status, strings.Contains(r.body, "NATO briefing"), strings.Contains(r.body, "busy (restricted)"))
	}
	if strings.Contains(r.body, "EU-only PSC preparation") {
		t.Fatal("the NATO planner's agenda names the EU-only activity")
	}
	if strings.Count(r.body, "PSC clash one") != 1 || !strings.Contains(r.body, "Week of") {
		t.Errorf("the EU clash is not shown once under its week")
	}
	if !strings.Contains(r.body, "<title>Deconfliction agenda — jointcal</title>") {
		t.Error("the agenda has no title")
	}
	r = eu.get("/conflicts?" + window)
	if r.status != http.StatusOK || !strings.Contains(r.body, "EU-only PSC preparation") || !strings.Contains(r.body, "NATO briefing to the PSC") {
		t.Fatalf("EU planner's agenda: %d", r.status)
	}

	for _, tc := range []struct {
		query      string
		status     int
		has, hasNo string
	}{
		{"&severity=soft", http.StatusOK, "", "PSC clash one"},
		{"&rule=body_double_booked", http.StatusOK, "PSC clash one", ""},
		{"&rule=venue_double_booked", http.StatusOK, "No clash in this window.", "PSC clash one"},
		{"&organization=NATO", http.StatusOK, "NATO briefing to the PSC", "PSC clash one"},
		{"&rule=bogus", http.StatusUnprocessableEntity, `id="cf-rule" name="rule" aria-invalid="true" aria-describedby="cf-rule-error"`, "PSC clash one"},
		{"&severity=dreadful", http.StatusUnprocessableEntity, `aria-describedby="cf-severity-error"`, "PSC clash one"},
	} {
		r := eu.get("/conflicts?" + window + tc.query)
		if r.status != tc.status || (tc.has != "" && !strings.Contains(r.body, tc.has)) || (tc.hasNo != "" && strings.Contains(r.body, tc.hasNo)) {
			t.Errorf("%s: %d, has %q: %v, has %q: %v", tc.query, r.status, tc.has, strings.Contains(r.body, tc.has), tc.hasNo, tc.hasNo != "" && strings.Contains(r.body, tc.hasNo))
		}
	}
	if r := nato.get("/conflicts?from=2030-01-01&to=2034-01-01"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `aria-describedby="cf-to-error"`) {
		t.Errorf("a window of four years: %d", r.status)
	}
}

func TestConflictsAccept(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	day := clashes(t, s)
	back := "from=" + day.AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + day.AddDate(0, 0, 1).Format(time.DateOnly)
	ctx := context.Background()
	person, err := s.Store.GetPerson(ctx, euPlannerEmail)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Store.ActorForPerson(ctx, person.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.Store.ListConflicts(ctx, a, models.ConflictFilter{From: day, To: day.AddDate(0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var k models.ConflictKey
	for _, c := range list {
		if c.Activity.Title == "PSC clash one" || c.Other.Title == "PSC clash one" {
			k = c.Key()
		}
	}
	if k.ActivityID == 0 {
		t.Fatalf("no clash of the two EU meetings in %+v", list)
	}
	form := func(c *client, note string) url.Values {
		return url.Values{"csrf_token": {c.csrf()}, "back": {back}, "activity_id": {itoa(k.ActivityID)}, "other_id": {itoa(k.OtherID)}, "rule": {k.Rule}, "occurrence": {strconv.FormatInt(k.Occurrence.Unix(), 10)}, "note": {note}}
	}
	eu, nato := s.signedIn(euPlannerEmail), s.signedIn(natoPlannerEmail)
	if r := nato.post("/conflicts/accept", form(nato, "not ours")); r.status != http.StatusForbidden {
		t.Errorf("NATO planner accepts an EU clash: %d", r.status)
	}
	r := eu.post("/conflicts/accept", form(eu, "  "))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `-note-error" class="error">Say why the clash may stand.`) || !strings.Contains(r.body, `name="note" rows="2" aria-invalid="true"`) {
		t.Fatalf("accept without a note: %d", r.status)
	}
	if r := eu.post("/conflicts/accept", url.Values{"note": {"no token"}, "activity_id": {itoa(k.ActivityID)}}); r.status != http.StatusForbidden {
		t.Errorf("accept without CSRF: %d", r.status)
	}
	if marks, _ := s.Store.AcceptedConflicts(ctx, []models.ConflictKey{k}); len(marks) != 0 {
		t.Fatal("a refused accept was recorded")
	}
	r = eu.post("/conflicts/accept", form(eu, "The chair agreed to split the PSC."))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/conflicts?"+back {
		t.Fatalf("accept: %d to %q", r.status, r.header.Get("Location"))
	}
	r = nato.get("/conflicts?" + back)
	if !strings.Contains(r.body, `<span class="accepted-tag">accepted</span>`) || !strings.Contains(r.body, "<q>The chair agreed to split the PSC.</q>") {
		t.Errorf("the accepted clash is not shown as accepted")
	}
	if r := nato.get("/conflicts?" + back + "&accepted=hide"); strings.Contains(r.body, "PSC clash one") || !strings.Contains(r.body, "NATO briefing to the PSC") {
		t.Errorf("hiding accepted clashes hides the wrong ones")
	}
}

// TestConflictsAgendaBusy: with every slot for computing agendas taken,
// the agenda and the programme pages answer 503 with Retry-After and a
// message in the planner's language asking to reload, not an error in
// English; once a slot is free the agenda is shown.
func TestConflictsAgendaBusy(t *testing.T) {
	t.Parallel()
	slots := gate.New(1, 20*time.Millisecond)
	set := models.DefaultSettings()
	set.AgendaGate = slots
	s := newSiteOn(t, storagetest.OpenWith(t, storagetest.Backends()[0].DSN(t), set), nil) // SQLite, as every site
	day := clashes(t, s)
	window := "from=" + day.AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + day.AddDate(0, 0, 1).Format(time.DateOnly)
	eu := s.signedIn(euPlannerEmail)
	eu.lang = "fr"
	if !slots.Enter(context.Background()) {
		t.Fatal("the only slot was not free")
	}
	for _, path := range []string{"/conflicts?" + window, "/programme"} {
		r := eu.get(path)
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "rechargez la page dans quelques secondes") {
			t.Fatalf("%s with every agenda slot taken: %d, Retry-After %q, French message %v", path, r.status, r.header.Get("Retry-After"), strings.Contains(r.body, "rechargez la page"))
		}
	}
	slots.Leave()
	if r := eu.get("/conflicts?" + window); r.status != http.StatusOK || !strings.Contains(r.body, "PSC clash one") {
		t.Fatalf("with the slot free: %d", r.status)
	}
}

// TestConflictsAgendaPages: a window with more clashes than a page holds
// shows the nearest first with a link to the later ones; following it
// shows the rest, none twice and none lost; a link whose cursor was cut
// short says so and shows the window from its start.
func TestConflictsAgendaPages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	day := time.Date(s.Today.Year(), s.Today.Month(), s.Today.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 10)
	for i := range 15 { // 15 PSC meetings at once: 105 clashes, two by two
		if _, err := s.Store.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "meeting", Title: fmt.Sprintf("PSC crowd %d", i),
			Start: day.Add(9 * time.Hour), End: day.Add(10 * time.Hour), LeadOrganization: "EU", TimeZone: "Europe/Brussels",
			Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}}}, storage.WriteOptions{OverrideReason: "agenda paging test"}); err != nil {
			t.Fatal(err)
		}
	}
	eu := s.signedIn(euPlannerEmail)
	window := "/conflicts?from=" + day.AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + day.AddDate(0, 0, 1).Format(time.DateOnly)
	anchor := regexp.MustCompile(`<li id="(clash-[^"]+)"`)
	later := regexp.MustCompile(`<a href="(/conflicts\?[^"]+)" rel="next">Later clashes →</a>`)
	seen := map[string]bool{}
	path, pages := window, 0
	for path != "" {
		r := eu.get(path)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d", path, r.status)
		}
		pages++
		for _, m := range anchor.FindAllStringSubmatch(r.body, -1) {
			if seen[m[1]] {
				t.Fatalf("page %d shows %s again", pages, m[1])
			}
			seen[m[1]] = true
		}
		path = ""
		if m := later.FindStringSubmatch(r.body); m != nil {
			if !strings.Contains(r.body, "More may follow on the next page.") {
				t.Errorf("page %d links to later clashes without saying so", pages)
			}
			path = html.UnescapeString(m[1])
		}
	}
	if pages != 2 || len(seen) != 105 {
		t.Fatalf("%d clashes on %d pages, want 105 on 2", len(seen), pages)
	}
	r := eu.get(window + "&after=not-a-cursor")
	if r.status != http.StatusOK || !strings.Contains(r.body, "The link to later clashes was not valid") || len(anchor.FindAllString(r.body, -1)) != 100 {
		t.Fatalf("a bad cursor: %d, %d clashes shown", r.status, len(anchor.FindAllString(r.body, -1)))
	}
}

// TestConflictsAgendaHiddenPage: when the first clashes of the window
// (more than a page reads) are all accepted and hidden, the page does not
// come out empty: the store leaves the hidden ones out before it fills a
// page, so the page opens on the clashes beyond them, and none hidden.
func TestConflictsAgendaHiddenPage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	day := time.Date(s.Today.Year(), s.Today.Month(), s.Today.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 10)
	book := func(title string, at time.Time) {
		t.Helper()
		if _, err := s.Store.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "meeting", Title: title, Start: at, End: at.Add(time.Hour),
			LeadOrganization: "EU", TimeZone: "Europe/Brussels", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}}},
			storage.WriteOptions{OverrideReason: "agenda paging test"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 29 { // 406 clashes, all to be accepted: more than the page reads
		book(fmt.Sprintf("PSC crowd %d", i), day.Add(9*time.Hour))
	}
	all, err := s.Store.ListConflicts(ctx, models.System(), models.ConflictFilter{From: day, To: day.AddDate(0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		if _, err := s.Store.AcceptConflict(ctx, models.System(), c.Key(), "agreed at the PSC"); err != nil {
			t.Fatal(err)
		}
	}
	book("Late clash one", day.AddDate(0, 0, 1).Add(9*time.Hour))
	book("Late clash two", day.AddDate(0, 0, 1).Add(9*time.Hour))
	eu := s.signedIn(euPlannerEmail)
	r := eu.get("/conflicts?accepted=hide&from=" + day.AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + day.AddDate(0, 0, 2).Format(time.DateOnly))
	if r.status != http.StatusOK || strings.Contains(r.body, "No clash in this window.") || !strings.Contains(r.body, "Late clash one") {
		t.Fatalf("a page after hidden clashes: %d, says none: %v, shows the late clash: %v", r.status, strings.Contains(r.body, "No clash in this window."), strings.Contains(r.body, "Late clash one"))
	}
	if strings.Contains(r.body, "PSC crowd") || strings.Contains(r.body, `class="accepted-tag"`) {
		t.Error("the page hiding accepted clashes shows an accepted one")
	}
	// The summary says the accepted ones are hidden, not that there are
	// none.
	if !strings.Contains(r.body, "clashes shown; accepted clashes are hidden.") || strings.Contains(r.body, "0 accepted") {
		t.Error("the summary of a page hiding accepted clashes does not say they are hidden")
	}
}
