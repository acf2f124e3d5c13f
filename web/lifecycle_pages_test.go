package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// demoTemplate is a template of the demo data (demo/seed.json).
const demoTemplate = "EU Integrated Resolve"

// templateByName finds a stored template.
func templateByName(t *testing.T, s *site, name string) *models.ExerciseTemplate {
	t.Helper()
	tpl, err := s.Store.GetExerciseTemplate(context.Background(), models.Ref(name))
	if err != nil {
		t.Fatalf("template %q: %v", name, err)
	}
	return tpl
}

// titled lists the live activities titled title, as the system sees them.
func titled(t *testing.T, s *site, title string) []models.ActivityView {
	t.Helper()
	page, err := s.Store.ListActivities(context.Background(), models.System(), models.ActivityFilter{Q: title, ListOptions: models.ListOptions{Limit: models.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	var out []models.ActivityView
	for _, a := range page.Items {
		if a.Title == title {
			out = append(out, a)
		}
	}
	return out
}

// marked reports whether the control with id is marked invalid.
func marked(body, id string) bool {
	return regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*aria-invalid="true"`).MatchString(body)
}

// templateForm is a valid editor form of a two-entry template.
func templateForm(csrf, name string) url.Values {
	return url.Values{"csrf_token": {csrf}, "name": {name}, "series": {"Test series"}, "kind": {"exercise"}, "lead_organization": {"EU"},
		"e.0.title": {"Initial planning conference"}, "e.0.kind": {"exercise_phase"}, "e.0.offset": {"-9 months"}, "e.0.duration": {"2 days"}, "e.0.lead": {""},
		"e.0.participants": {"body:PSC (participant)"},
		"e.1.title":        {"After-action review"}, "e.1.kind": {"workshop"}, "e.1.offset": {"P1M"}, "e.1.duration": {"PT4H"}, "e.1.lead": {"EU"}, "e.1.participants": {""},
		"e.2.title": {""}, "e.2.kind": {"exercise_phase"}, "e.2.offset": {""}, "e.2.duration": {""}, "e.2.lead": {""}, "e.2.participants": {""}}
}

func TestTemplatesAdminsManagePlannersRead(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	admin, eu := s.signedIn(adminEmail), s.signedIn(euPlannerEmail)
	ctx := context.Background()
	count := func() int {
		list, err := s.Store.ListExerciseTemplates(ctx, models.ExerciseTemplateFilter{ListOptions: models.ListOptions{Limit: models.MaxLimit}})
		if err != nil {
			t.Fatal(err)
		}
		return len(list.Items)
	}
	before := count()

	r := eu.get("/templates")
	if r.status != http.StatusOK || !strings.Contains(r.body, demoTemplate) || strings.Contains(r.body, `href="/templates/new"`) {
		t.Fatalf("a planner's template list: %d, lists the demo template %v, offers a new one %v", r.status, strings.Contains(r.body, demoTemplate), strings.Contains(r.body, `href="/templates/new"`))
	}
	if r := admin.get("/admin"); !strings.Contains(r.body, `href="/admin/templates"`) {
		t.Error("the administration index does not link the templates")
	}
	if r := admin.get("/admin/templates"); r.status != http.StatusOK || !strings.Contains(r.body, `href="/templates/new"`) {
		t.Errorf("the administrator's template list: %d", r.status)
	}
	tpl := templateByName(t, s, demoTemplate)
	r = eu.get(fmt.Sprintf("/templates/%d", tpl.ID))
	if r.status != http.StatusOK || !strings.Contains(r.body, tpl.Entries[0].Title) || strings.Contains(r.body, "/edit") {
		t.Fatalf("a planner's template page: %d, lists its entries %v, offers to edit it %v", r.status, strings.Contains(r.body, tpl.Entries[0].Title), strings.Contains(r.body, "/edit"))
	}

	// A planner may not get the editor nor save through it.
	if r := eu.get("/templates/new"); r.status != http.StatusForbidden {
		t.Errorf("a planner's editor: %d", r.status)
	}
	if r := eu.post("/templates/new", templateForm(eu.csrf(), "Planner's template")); r.status != http.StatusForbidden {
		t.Errorf("a planner's save: %d", r.status)
	}
	if r := eu.post(fmt.Sprintf("/templates/%d/delete", tpl.ID), url.Values{"csrf_token": {eu.csrf()}, "confirm": {"yes"}}); r.status != http.StatusForbidden {
		t.Errorf("a planner's delete: %d", r.status)
	}
	// No CSRF token: refused.
	if r := admin.post("/templates/new", templateForm("", "Forged template")); r.status != http.StatusForbidden {
		t.Errorf("a save without CSRF: %d", r.status)
	}
	if n := count(); n != before {
		t.Fatalf("refused saves changed the templates: %d, then %d", before, n)
	}

	// Bad input comes back marked, on the right row, and saves nothing.
	bad := templateForm(admin.csrf(), "Unknown participant")
	bad.Set("e.1.participants", "nobody-known")
	r = admin.post("/templates/new", bad)
	if r.status != http.StatusUnprocessableEntity || !marked(r.body, "e-1-participants") || !strings.Contains(r.body, `value="nobody-known"`) {
		t.Fatalf("an unknown participant: %d, marked %v", r.status, marked(r.body, "e-1-participants"))
	}
	if r := admin.post("/templates/new", templateForm(admin.csrf(), "")); r.status != http.StatusUnprocessableEntity || !marked(r.body, "tf-name") {
		t.Fatalf("a template without a name: %d, marked %v", r.status, marked(r.body, "tf-name"))
	}
	bad = templateForm(admin.csrf(), "Bad offset")
	bad.Set("e.1.offset", "soon")
	if r := admin.post("/templates/new", bad); r.status != http.StatusUnprocessableEntity || !marked(r.body, "e-1-offset") || marked(r.body, "e-0-offset") {
		t.Fatalf("a bad offset: %d, its row marked %v", r.status, marked(r.body, "e-1-offset"))
	}
	if n := count(); n != before {
		t.Fatalf("bad input changed the templates: %d, then %d", before, n)
	}

	// Rows are added and removed by submitting, without saving.
	add := templateForm(admin.csrf(), "Rows")
	add.Set("add_row", "1")
	if r := admin.post("/templates/new", add); r.status != http.StatusOK || !strings.Contains(r.body, `id="e-3-title"`) {
		t.Errorf("add a row: %d, a fourth row %v", r.status, strings.Contains(r.body, `id="e-3-title"`))
	}
	remove := templateForm(admin.csrf(), "Rows")
	remove.Set("remove_row", "0")
	if r := admin.post("/templates/new", remove); r.status != http.StatusOK || strings.Contains(r.body, "Initial planning conference") || !strings.Contains(r.body, "After-action review") {
		t.Errorf("remove the first row: %d", r.status)
	}
	if n := count(); n != before {
		t.Fatalf("adding and removing rows saved: %d, then %d", before, n)
	}

	// A good one is saved, its shorthand offsets in ISO 8601.
	r = admin.post("/templates/new", templateForm(admin.csrf(), "Test life cycle"))
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	saved := templateByName(t, s, "Test life cycle")
	if r.header.Get("Location") != fmt.Sprintf("/templates/%d", saved.ID) || len(saved.Entries) != 2 || saved.Entries[0].Offset != "-P9M" || saved.Entries[0].Duration != "P2D" ||
		len(saved.Entries[0].Participants) != 1 || saved.Entries[0].Participants[0].Role != "participant" {
		t.Fatalf("saved: %s, %+v", r.header.Get("Location"), saved.Entries)
	}
	// Edited: the editor shows it, the save replaces it.
	if r := admin.get(fmt.Sprintf("/templates/%d/edit", saved.ID)); r.status != http.StatusOK || !strings.Contains(r.body, `value="-P9M"`) {
		t.Fatalf("the editor of the saved template: %d", r.status)
	}
	edit := templateForm(admin.csrf(), "Test life cycle, revised")
	edit.Set("version", strconv.Itoa(saved.Version))
	if r := admin.post(fmt.Sprintf("/templates/%d/edit", saved.ID), edit); r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d", r.status)
	}
	// An edit of a version that is no longer current is refused.
	stale := templateForm(admin.csrf(), "Lost update")
	stale.Set("version", strconv.Itoa(saved.Version))
	if r := admin.post(fmt.Sprintf("/templates/%d/edit", saved.ID), stale); r.status != http.StatusPreconditionFailed {
		t.Fatalf("a stale edit: %d", r.status)
	}
	if templateByName(t, s, strconv.FormatInt(saved.ID, 10)).Name != "Test life cycle, revised" {
		t.Fatal("the edit was not saved, or the stale one was")
	}
	// Deleted after a confirmation.
	del := fmt.Sprintf("/templates/%d/delete", saved.ID)
	if r := admin.post(del, url.Values{"csrf_token": {admin.csrf()}}); r.status != http.StatusOK || !strings.Contains(r.body, `name="confirm"`) {
		t.Fatalf("delete asks first: %d", r.status)
	}
	if n := count(); n != before+1 {
		t.Fatal("deleted before the confirmation")
	}
	if r := admin.post(del, url.Values{"csrf_token": {admin.csrf()}, "confirm": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	if n := count(); n != before {
		t.Fatal("not deleted")
	}
	if r := eu.get(fmt.Sprintf("/templates/%d", saved.ID)); r.status != http.StatusNotFound {
		t.Errorf("a deleted template: %d", r.status)
	}
}

// instantiate posts the "create an exercise from this template" form.
func instantiate(c *client, id int64, title string, start time.Time, extra url.Values) answer {
	form := url.Values{"csrf_token": {c.csrf()}, "title": {title}, "start": {start.Format("2006-01-02T15:04")}, "end": {start.AddDate(0, 0, 5).Format("2006-01-02T15:04")},
		"timezone": {"Europe/Brussels"}, "lead_organization": {"EU"}}
	for k, v := range extra {
		form[k] = v
	}
	return c.post(fmt.Sprintf("/templates/%d/instantiate", id), form)
}

func TestCreateAnExerciseFromATemplateAndMoveIt(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	eu, nato := s.signedIn(euPlannerEmail), s.signedIn(natoPlannerEmail)
	tpl := templateByName(t, s, demoTemplate)
	start := time.Date(s.Today.Year()+3, 10, 6, 9, 0, 0, 0, time.UTC)
	const title = "Integrated Resolve from the page"

	if r := eu.get(fmt.Sprintf("/templates/%d", tpl.ID)); !strings.Contains(r.body, fmt.Sprintf(`action="/templates/%d/instantiate"`, tpl.ID)) {
		t.Fatal("the template page offers no form to create an exercise")
	}
	if r := eu.get("/programme"); !strings.Contains(r.body, `href="/templates"`) {
		t.Error("the programme does not link the templates")
	}
	// Bad input: marked, nothing created.
	r := instantiate(eu, tpl.ID, title, start, url.Values{"start": {"next autumn"}, "timezone": {"Mars/Olympus"}})
	if r.status != http.StatusUnprocessableEntity || !marked(r.body, "mk-start") || !marked(r.body, "mk-timezone") {
		t.Fatalf("bad start and zone: %d, start marked %v, zone marked %v", r.status, marked(r.body, "mk-start"), marked(r.body, "mk-timezone"))
	}
	// Refused by the store: an end before the start, marked on the form.
	if r := instantiate(eu, tpl.ID, title, start, url.Values{"end": {start.AddDate(0, 0, -1).Format("2006-01-02T15:04")}}); r.status != http.StatusUnprocessableEntity || !marked(r.body, "mk-end") {
		t.Fatalf("an end before the start: %d, marked %v", r.status, marked(r.body, "mk-end"))
	}
	if r := instantiate(eu, tpl.ID, title, start, url.Values{"csrf_token": {"forged"}}); r.status != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d", r.status)
	}
	if n := len(titled(t, s, title)); n != 0 {
		t.Fatalf("refused forms created %d exercises", n)
	}

	r = instantiate(eu, tpl.ID, title, start, nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	made := titled(t, s, title)
	if len(made) != 1 || r.header.Get("Location") != fmt.Sprintf("/activities/%d", made[0].ID) {
		t.Fatalf("created %d, sent to %s", len(made), r.header.Get("Location"))
	}
	r = eu.get(r.header.Get("Location"))
	if r.status != http.StatusOK || !strings.Contains(r.body, `id="children"`) {
		t.Fatalf("the exercise's page lists no children: %d", r.status)
	}
	for _, e := range tpl.Entries {
		if !strings.Contains(r.body, e.Title) {
			t.Errorf("the exercise's page does not list %q", e.Title)
		}
	}

	// A phase made EU-only is not listed to NATO, the others are.
	ctx := context.Background()
	kids, err := s.Store.ListChildren(ctx, models.System(), made[0].ID)
	if err != nil || len(kids) == 0 {
		t.Fatalf("children: %v", err)
	}
	in := kids[0].Input()
	in.Visibility = []models.Ref{"EU"}
	if _, err := s.Store.UpdateActivity(ctx, models.System(), kids[0].ID, in, storage.WriteOptions{OverrideReason: "test"}); err != nil {
		t.Fatal(err)
	}
	if r := nato.get(fmt.Sprintf("/activities/%d", made[0].ID)); r.status != http.StatusOK || strings.Contains(r.body, kids[0].Title) || !strings.Contains(r.body, kids[1].Title) {
		t.Errorf("NATO's view of the children: %d, sees the EU-only one %v", r.status, strings.Contains(r.body, kids[0].Title))
	}
	in.Visibility = []models.Ref{}
	if _, err := s.Store.UpdateActivity(ctx, models.System(), kids[0].ID, in, storage.WriteOptions{OverrideReason: "test"}); err != nil {
		t.Fatal(err)
	}

	// The same again at the same time: its people are busy, so the whole
	// set is refused with one report, and nothing is created.
	const again = "Integrated Resolve twice"
	r = instantiate(eu, tpl.ID, again, start, nil)
	if r.status != http.StatusConflict || !strings.Contains(r.body, `id="set-report"`) || !strings.Contains(r.body, `class="hard"`) || strings.Count(r.body, `id="set-report"`) != 1 {
		t.Fatalf("a clashing set: %d", r.status)
	}
	if n := len(titled(t, s, again)); n != 0 {
		t.Fatalf("a refused set created %d exercises", n)
	}
	if r := instantiate(eu, tpl.ID, again, start, url.Values{"override": {"1"}}); r.status != http.StatusUnprocessableEntity || !marked(r.body, "mk-override_reason") {
		t.Fatalf("an override without a reason: %d", r.status)
	}
	if r := instantiate(eu, tpl.ID, again, start, url.Values{"override": {"1"}, "override_reason": {"rehearsal of the rehearsal"}}); r.status != http.StatusSeeOther {
		t.Fatalf("an override with a reason: %d", r.status)
	}

	// Move the first one with its children by a week.
	id := made[0].ID
	before, err := s.Store.ListChildren(ctx, models.System(), id)
	if err != nil || len(before) != len(tpl.Entries) {
		t.Fatalf("children: %d, %v", len(before), err)
	}
	move := func(c *client, form url.Values) answer {
		form.Set("csrf_token", c.csrf())
		return c.post(fmt.Sprintf("/activities/%d/move", id), form)
	}
	cur, _ := s.Store.GetActivity(ctx, models.System(), id)
	if r := move(eu, url.Values{"start": {"whenever"}, "version": {strconv.Itoa(cur.Version)}}); r.status != http.StatusUnprocessableEntity || !marked(r.body, "move-start") {
		t.Fatalf("a bad new start: %d", r.status)
	}
	if r := move(nato, url.Values{"start": {start.AddDate(0, 0, 7).In(mustZone(t, "Europe/Brussels")).Format("2006-01-02T15:04")}}); r.status != http.StatusForbidden {
		t.Fatalf("NATO moves the EU's exercise: %d", r.status)
	}
	if r := nato.get(fmt.Sprintf("/activities/%d", id)); strings.Contains(r.body, `id="move-all-form"`) {
		t.Error("NATO's planner is offered to move the EU's exercise")
	}
	newStart := start.AddDate(0, 0, 7).In(mustZone(t, "Europe/Brussels")).Format("2006-01-02T15:04")
	if r := move(eu, url.Values{"start": {newStart}, "version": {strconv.Itoa(cur.Version)}}); r.status != http.StatusSeeOther {
		t.Fatalf("move: %d %s", r.status, r.body)
	}
	after, err := s.Store.ListChildren(ctx, models.System(), id)
	if err != nil || len(after) != len(before) {
		t.Fatalf("children after the move: %d, %v", len(after), err)
	}
	for i := range after {
		if d := after[i].Start.Sub(before[i].Start); d < 6*24*time.Hour || d > 8*24*time.Hour {
			t.Errorf("child %q moved by %v, not a week", after[i].Title, d)
		}
	}
	// The version the form carried is no longer current.
	if r := move(eu, url.Values{"start": {newStart}, "version": {strconv.Itoa(cur.Version)}}); r.status != http.StatusPreconditionFailed {
		t.Errorf("a move from a stale page: %d", r.status)
	}
	// Onto the overridden twin: the whole move is refused, nothing moves.
	moved, _ := s.Store.GetActivity(ctx, models.System(), id)
	back := start.In(mustZone(t, "Europe/Brussels")).Format("2006-01-02T15:04")
	if r := move(eu, url.Values{"start": {back}, "version": {strconv.Itoa(moved.Version)}}); r.status != http.StatusConflict || !strings.Contains(r.body, `id="move-report"`) {
		t.Fatalf("a move onto clashes: %d", r.status)
	}
	if still, _ := s.Store.GetActivity(ctx, models.System(), id); !still.Start.Equal(moved.Start) {
		t.Fatal("a refused move moved the exercise")
	}
	if r := move(eu, url.Values{"start": {back}, "version": {strconv.Itoa(moved.Version)}, "override": {"1"}}); r.status != http.StatusUnprocessableEntity || !marked(r.body, "move-reason") {
		t.Fatalf("an override of the move without a reason: %d", r.status)
	}
	if r := move(eu, url.Values{"start": {back}, "version": {strconv.Itoa(moved.Version)}, "override": {"1"}, "override_reason": {"both directors agreed"}}); r.status != http.StatusSeeOther {
		t.Fatalf("an override of the move with a reason: %d", r.status)
	}
	if back, _ := s.Store.GetActivity(ctx, models.System(), id); !back.Start.Equal(start) {
		t.Errorf("the overridden move left the exercise at %s, want %s", back.Start, start)
	}
}

// exercise books an exercise as the system.
func exercise(t *testing.T, s *site, title, lead string, start time.Time, visibility ...models.Ref) int64 {
	t.Helper()
	if visibility == nil {
		visibility = []models.Ref{}
	}
	r, err := s.Store.CreateActivity(context.Background(), models.System(), models.ActivityInput{Kind: "exercise", Title: title, Start: start, End: start.AddDate(0, 0, 10),
		TimeZone: "Europe/Brussels", LeadOrganization: models.Ref(lead), Status: "confirmed", Visibility: visibility,
		Participants: []models.ParticipantInput{}, Areas: []string{}, Reminders: []string{}}, storage.WriteOptions{OverrideReason: "test"})
	if err != nil {
		t.Fatalf("exercise %q: %v", title, err)
	}
	return r.Activity.ID
}

func TestPacePairsPage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	eu, nato := s.signedIn(euPlannerEmail), s.signedIn(natoPlannerEmail)
	ctx := context.Background()
	start := time.Date(s.Today.Year()+4, 3, 2, 0, 0, 0, 0, time.UTC)
	euX := exercise(t, s, "EU exercise to pair", "EU", start)
	natoX := exercise(t, s, "NATO exercise to pair", "NATO", start.AddDate(0, 0, 2))
	const secret = "NATO restricted exercise"
	exercise(t, s, secret, "NATO", start, "NATO")

	demoPairs, err := s.Store.ListPacePairs(ctx, models.System(), models.PacePairFilter{})
	if err != nil || len(demoPairs.Items) == 0 {
		t.Fatalf("demo pairs: %v", err)
	}
	demo := demoPairs.Items[0]
	r := eu.get("/pace-pairs")
	if r.status != http.StatusOK || !strings.Contains(r.body, demo.Exercises[0].Title) || !strings.Contains(r.body, fmt.Sprintf(`id="year-%d"`, demo.Year)) {
		t.Fatalf("the EU's pairs page: %d", r.status)
	}
	if strings.Contains(r.body, secret) {
		t.Fatal("NATO's restricted exercise is offered to the EU")
	}
	if r := nato.get("/pace-pairs"); !strings.Contains(r.body, secret) {
		t.Error("NATO does not see its own restricted exercise in the picker")
	}

	link := func(c *client, first, second int64, extra url.Values) answer {
		form := url.Values{"csrf_token": {c.csrf()}, "year": {strconv.Itoa(start.Year())}, "first": {strconv.FormatInt(first, 10)}, "second": {strconv.FormatInt(second, 10)}, "lead_organization": {"EU"}}
		for k, v := range extra {
			form[k] = v
		}
		return c.post("/pace-pairs", form)
	}
	count := func() int {
		list, err := s.Store.ListPacePairs(ctx, models.System(), models.PacePairFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(list.Items)
	}
	n := count()
	if r := link(eu, euX, 0, url.Values{"year": {"twenty"}}); r.status != http.StatusUnprocessableEntity || !marked(r.body, "pf-second") || !marked(r.body, "pf-year") {
		t.Fatalf("no second exercise, a bad year: %d", r.status)
	}
	if r := link(eu, euX, euX+1000000, nil); r.status != http.StatusUnprocessableEntity || !marked(r.body, "pf-second") {
		t.Fatalf("an exercise that does not exist: %d", r.status)
	}
	if r := link(eu, euX, natoX, url.Values{"csrf_token": {""}}); r.status != http.StatusForbidden {
		t.Fatalf("without CSRF: %d", r.status)
	}
	if count() != n {
		t.Fatal("refused links were stored")
	}
	if r := link(eu, euX, natoX, nil); r.status != http.StatusSeeOther {
		t.Fatalf("link: %d %s", r.status, r.body)
	}
	if count() != n+1 {
		t.Fatal("the pair was not stored")
	}
	if r := link(eu, natoX, euX, nil); r.status != http.StatusUnprocessableEntity || !marked(r.body, "pf-first") {
		t.Fatalf("the same pair again: %d", r.status)
	}
	pairs, _ := s.Store.ListPacePairs(ctx, models.System(), models.PacePairFilter{Activity: euX})
	pair := pairs.Items[0]

	// A coordination meeting: bad input marked, then booked and listed.
	meeting := func(form url.Values) answer {
		form.Set("csrf_token", eu.csrf())
		return eu.post(fmt.Sprintf("/pace-pairs/%d/meetings", pair.ID), form)
	}
	mStart := start.AddDate(0, -2, 0).Add(10 * time.Hour)
	good := url.Values{"title": {"PACE coordination meeting"}, "start": {mStart.Format("2006-01-02T15:04")}, "end": {mStart.Add(2 * time.Hour).Format("2006-01-02T15:04")}, "timezone": {"Europe/Brussels"}}
	bad := url.Values{"title": {"PACE coordination meeting"}, "start": {""}, "end": {good.Get("end")}, "timezone": {"Europe/Brussels"}}
	if r := meeting(bad); r.status != http.StatusUnprocessableEntity || !marked(r.body, fmt.Sprintf("m%d-start", pair.ID)) {
		t.Fatalf("a meeting without a start: %d", r.status)
	}
	if r := meeting(good); r.status != http.StatusSeeOther {
		t.Fatalf("a meeting: %d %s", r.status, r.body)
	}
	if r := eu.get("/pace-pairs"); !strings.Contains(r.body, "PACE coordination meeting") {
		t.Error("the meeting is not listed with its pair")
	}
	// Two meetings in one room at one time: the second is refused with
	// the clash listed and an override offered, and is not booked.
	venues, err := s.Store.ListVenues(ctx, models.VenueFilter{ListOptions: models.ListOptions{Limit: 1}})
	if err != nil || len(venues.Items) == 0 {
		t.Fatalf("venues: %v", err)
	}
	room := url.Values{"title": {"PACE meeting in a room"}, "start": {mStart.AddDate(0, 0, 1).Format("2006-01-02T15:04")}, "end": {mStart.AddDate(0, 0, 1).Add(time.Hour).Format("2006-01-02T15:04")},
		"timezone": {"Europe/Brussels"}, "venue": {venues.Items[0].Code}}
	if r := meeting(room); r.status != http.StatusSeeOther {
		t.Fatalf("a meeting in a room: %d", r.status)
	}
	room.Set("title", "PACE meeting in the same room")
	if r := meeting(room); r.status != http.StatusConflict || !strings.Contains(r.body, `class="hard"`) || !strings.Contains(r.body, fmt.Sprintf(`id="m%d-override_reason"`, pair.ID)) {
		t.Fatalf("a meeting in a taken room: %d", r.status)
	}
	if n := len(titled(t, s, "PACE meeting in the same room")); n != 0 {
		t.Fatalf("a refused meeting was booked %d times", n)
	}
	// The other side calls one too; it leads its own meeting.
	natoMeeting := url.Values{"csrf_token": {nato.csrf()}, "title": {"NATO-called PACE meeting"}, "start": {mStart.AddDate(0, 0, 7).Format("2006-01-02T15:04")},
		"end": {mStart.AddDate(0, 0, 7).Add(time.Hour).Format("2006-01-02T15:04")}, "timezone": {"Europe/Brussels"}}
	if r := nato.post(fmt.Sprintf("/pace-pairs/%d/meetings", pair.ID), natoMeeting); r.status != http.StatusSeeOther {
		t.Fatalf("NATO's meeting: %d %s", r.status, r.body)
	}
	if m := titled(t, s, "NATO-called PACE meeting"); len(m) != 1 || m[0].LeadOrganization != "NATO" {
		t.Errorf("NATO's meeting: %+v", m)
	}
	eu.lang = "fr"
	if r := eu.get("/pace-pairs"); !strings.Contains(r.body, "Associer deux exercices en paire PACE") {
		t.Error("the PACE pairs page is not in French")
	}
	if r := eu.get("/templates"); !strings.Contains(r.body, "Modèles d’exercice") {
		t.Error("the templates page is not in French")
	}
	eu.lang = ""

	// The programme marks the members of a pair.
	if r := eu.get(fmt.Sprintf("/programme?zoom=year&from=%d&to=%d", start.Year(), start.Year())); !strings.Contains(r.body, "pace-mark") || !strings.Contains(r.body, "NATO exercise to pair (PACE") {
		t.Errorf("the programme does not mark the pair: %d", r.status)
	}

	// Unlinked after a confirmation.
	del := fmt.Sprintf("/pace-pairs/%d/delete", pair.ID)
	if r := eu.post(del, url.Values{"csrf_token": {eu.csrf()}}); r.status != http.StatusOK || !strings.Contains(r.body, `name="confirm"`) || count() != n+1 {
		t.Fatalf("unlink asks first: %d", r.status)
	}
	if r := eu.post(del, url.Values{"csrf_token": {eu.csrf()}, "confirm": {"yes"}}); r.status != http.StatusSeeOther || count() != n {
		t.Fatalf("unlink: %d", r.status)
	}
}

// A pair with another organisation's restricted exercise is not shown,
// nor can it be answered about.
func TestPacePairWithARestrictedExerciseIsHidden(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	eu := s.signedIn(euPlannerEmail)
	ctx := context.Background()
	start := time.Date(s.Today.Year()+4, 6, 1, 0, 0, 0, 0, time.UTC)
	euX := exercise(t, s, "EU exercise paired in secret", "EU", start)
	natoX := exercise(t, s, "NATO secret exercise", "NATO", start, "NATO")
	p, err := s.Store.CreatePacePair(ctx, models.System(), models.PacePairInput{Year: start.Year(), Exercises: []int64{euX, natoX}, LeadOrganization: "NATO"})
	if err != nil {
		t.Fatal(err)
	}
	if r := eu.get("/pace-pairs"); strings.Contains(r.body, "NATO secret exercise") || strings.Contains(r.body, fmt.Sprintf(`id="pair-%d"`, p.ID)) {
		t.Fatal("the EU sees a pair with NATO's restricted exercise")
	}
	for _, path := range []string{"/pace-pairs/%d/delete", "/pace-pairs/%d/meetings"} {
		if r := eu.post(fmt.Sprintf(path, p.ID), url.Values{"csrf_token": {eu.csrf()}, "confirm": {"yes"}}); r.status != http.StatusNotFound || strings.Contains(r.body, "NATO secret exercise") {
			t.Errorf("%s of a hidden pair: %d", path, r.status)
		}
	}
	if r := eu.get(fmt.Sprintf("/programme?zoom=year&from=%d&to=%d", start.Year(), start.Year())); strings.Contains(r.body, "NATO secret exercise") {
		t.Error("the programme names NATO's restricted exercise")
	}
}
