package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
)

// committeeMeeting is a demo meeting of the PSC and the NAC, a body a
// cross-briefing clashes with.
const committeeMeeting = "Formal NAC–PSC meeting on EUFOR ALTHEA"

// crossBriefing is a booking form of an EU cross-briefing to the PSC at
// start (a wall time in Europe/Brussels), for an hour.
func crossBriefing(c *client, title string, start time.Time) url.Values {
	bxl, _ := time.LoadLocation("Europe/Brussels")
	return url.Values{
		"csrf_token": {c.csrf()}, "title": {title}, "kind": {"cross_briefing"}, "status": {"confirmed"}, "format": {"in_person"},
		"lead_organization": {"EU"}, "timezone": {"Europe/Brussels"},
		"start": {start.In(bxl).Format("2006-01-02T15:04")}, "end": {start.Add(time.Hour).In(bxl).Format("2006-01-02T15:04")},
		"p.0.ref": {"body:PSC"}, "p.0.role": {"audience"}, "p.0.required": {"1"},
		"p.1.ref": {"claire.dumont@eeas.example"}, "p.1.role": {"briefer"}, "p.1.required": {"1"},
		"p.2.ref": {""}, "p.2.role": {"participant"},
	}
}

// findExact is the demo activity of exactly this title (a search by
// words also finds those whose title contains it).
func findExact(t testing.TB, s *site, title string) models.ActivityView {
	t.Helper()
	page, err := s.Store.ListActivities(context.Background(), models.System(), models.ActivityFilter{Q: title})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range page.Items {
		if a.Title == title {
			return a
		}
	}
	t.Fatalf("no demo activity titled %q", title)
	return models.ActivityView{}
}

func countTitled(t *testing.T, s *site, title string) int {
	t.Helper()
	page, err := s.Store.ListActivities(context.Background(), models.System(), models.ActivityFilter{Q: title})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}

func TestBookingFormIsPrefilledFromItsLink(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(euPlannerEmail)
	q := url.Values{"title": {"Hybrid threats staff talks"}, "kind": {"staff_talks"}, "start": {"2027-03-04T10:00"}, "end": {"2027-03-04T12:00:00+01:00"},
		"timezone": {"Europe/Brussels"}, "venue": {"NATO-HQ"}, "participants": {"PSC,olivia.grant@nato.example,NATO"}, "lead": {"EU"}}
	r := c.get("/activities/new?" + q.Encode())
	if r.status != http.StatusOK {
		t.Fatalf("GET /activities/new: %d %s", r.status, r.body)
	}
	for _, want := range []string{`value="Hybrid threats staff talks"`, `value="staff_talks" selected`, `id="start" name="start" type="datetime-local" value="2027-03-04T10:00"`,
		`id="end" name="end" type="datetime-local" value="2027-03-04T12:00"`, `value="NATO-HQ" selected`, `value="body:PSC"`, `value="person:olivia.grant@nato.example"`, `value="organization:NATO"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the prefilled form lacks %s", want)
		}
	}
	// People without a planner's role are not offered the form (nor the
	// menu entry).
	viewer := s.signedIn("marek.nowicki@eeas.example")
	if r := viewer.get("/activities/new"); r.status != http.StatusForbidden {
		t.Errorf("a person who is no planner opens the booking form: %d", r.status)
	}
	if r := viewer.get("/calendar"); strings.Contains(r.body, `href="/activities/new"`) {
		t.Errorf("a person who is no planner is offered the booking menu entry")
	}
}

func TestBookingMarksBadFieldsAndWritesNothing(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(euPlannerEmail)
	form := crossBriefing(c, "", time.Now().AddDate(0, 1, 0))
	form.Set("start", "tomorrow at ten")
	form.Set("p.2.ref", "nobody-known")
	form.Set("interval", "zero")
	form.Set("freq", "WEEKLY")
	r := c.post("/activities/new", form)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad form: %d", r.status)
	}
	for _, want := range []string{`id="start" name="start" type="datetime-local" value="tomorrow at ten" required aria-invalid="true" aria-describedby="err-start"`, `<p id="err-start" class="error">`,
		`aria-describedby="who-hint err-p-2" aria-invalid="true"`, `id="err-interval"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the form does not mark %s", want)
		}
	}
	// The store's own validation (an empty title) is marked the same way.
	form = crossBriefing(c, "", time.Now().AddDate(0, 1, 0))
	r = c.post("/activities/new", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="title" name="title" value="" required aria-invalid="true" aria-describedby="err-title"`) {
		t.Errorf("empty title: %d, marked: %v", r.status, strings.Contains(r.body, `aria-describedby="err-title"`))
	}
	// Without the session's CSRF token nothing is written.
	form = crossBriefing(c, "Sent without a token", time.Now().AddDate(0, 1, 0))
	form.Del("csrf_token")
	if r := c.post("/activities/new", form); r.status != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", r.status)
	}
	if n := countTitled(t, s, "Sent without a token"); n != 0 {
		t.Errorf("%d activities written without a CSRF token", n)
	}
}

func TestEditIsForThoseWhoMayChange(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	hidden := findActivity(t, s, restrictedDemo)
	nato := s.signedIn(natoPlannerEmail)
	path := "/activities/" + strconv.FormatInt(hidden.ID, 10) + "/edit"
	if r := nato.get(path); r.status != http.StatusNotFound || strings.Contains(r.body, restrictedDemo) {
		t.Errorf("NATO planner opens the edit form of an EU-restricted activity: %d (title shown: %v)", r.status, strings.Contains(r.body, restrictedDemo))
	}
	if r := nato.post(path, url.Values{"csrf_token": {nato.csrf()}, "title": {"taken over"}}); r.status != http.StatusNotFound || strings.Contains(r.body, restrictedDemo) {
		t.Errorf("NATO planner saves an EU-restricted activity: %d", r.status)
	}
	// An EU activity NATO may see is readable but not changeable.
	open := findActivity(t, s, "EEAS Secretary-General briefs the NAC")
	if r := nato.get("/activities/" + strconv.FormatInt(open.ID, 10) + "/edit"); r.status != http.StatusForbidden && open.LeadOrganization == "EU" {
		t.Errorf("NATO planner opens the edit form of an EU activity: %d", r.status)
	}
	eu := s.signedIn(euPlannerEmail)
	r := eu.get(path)
	if r.status != http.StatusOK || !strings.Contains(r.body, restrictedDemo) || !strings.Contains(r.body, `id="vis-EU" name="visibility" type="checkbox" value="EU" checked`) {
		t.Errorf("EU planner's edit form: %d", r.status)
	}
}

// TestOverrideNeedsAReason: a cross-briefing to the PSC at the time of a
// PSC meeting is refused with the clash listed; an override without a
// reason is refused with the reason marked; with one it is booked, and
// the reason is in the activity's history.
func TestOverrideNeedsAReason(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	meeting := findExact(t, s, committeeMeeting)
	c := s.signedIn(euPlannerEmail)
	const title = "Cross-briefing on the clash"
	form := crossBriefing(c, title, meeting.Start)
	r := c.post("/activities/new", form)
	if r.status != http.StatusConflict || !strings.Contains(r.body, `class="hard"`) || !strings.Contains(r.body, "/activities/"+strconv.FormatInt(meeting.ID, 10)) {
		t.Fatalf("clashing booking: %d, clash listed and linked: %v", r.status, strings.Contains(r.body, "/activities/"+strconv.FormatInt(meeting.ID, 10)))
	}
	form.Set("override", "1")
	r = c.post("/activities/new", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `aria-describedby="err-override_reason"`) {
		t.Fatalf("override without a reason: %d", r.status)
	}
	if n := countTitled(t, s, title); n != 0 {
		t.Fatalf("%d written before the override", n)
	}
	form.Set("override_reason", "The Council asked for it that morning")
	r = c.post("/activities/new", form)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/activities/") {
		t.Fatalf("override with a reason: %d %s", r.status, r.header.Get("Location"))
	}
	page := c.get(r.header.Get("Location"))
	if !strings.Contains(page.body, "The Council asked for it that morning") || !strings.Contains(page.body, title) {
		t.Errorf("the override is not in the history")
	}
}

func TestLiveCheckAndPicker(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	meeting := findExact(t, s, committeeMeeting)
	c := s.signedIn(euPlannerEmail)
	hx := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "X-CSRF-Token": c.csrf()}
	form := crossBriefing(c, "Checked", meeting.Start)
	r := c.do("POST", "/activities/check", strings.NewReader(form.Encode()), hx)
	if r.status != http.StatusOK || !strings.Contains(r.body, `class="hard"`) || strings.Contains(r.body, "<html") {
		t.Fatalf("check on the meeting: %d %s", r.status, r.body)
	}
	off := crossBriefing(c, "Checked", meeting.Start.AddDate(0, 0, 1).Add(3*time.Hour))
	r = c.do("POST", "/activities/check", strings.NewReader(off.Encode()), hx)
	if r.status != http.StatusOK || strings.Contains(r.body, `class="hard"`) {
		t.Errorf("check off the meeting: %d %s", r.status, r.body)
	}
	// The check of a restricted activity's clash shows no title.
	hidden := findActivity(t, s, restrictedDemo)
	nato := s.signedIn(natoPlannerEmail)
	probe := url.Values{"title": {"Probe"}, "kind": {"meeting"}, "lead_organization": {"NATO"}, "timezone": {"Europe/Brussels"},
		"start": {hidden.Start.In(time.UTC).Format(time.RFC3339)}, "end": {hidden.End.In(time.UTC).Format(time.RFC3339)},
		"p.0.ref": {"person:isabelle.marchand@consilium.example"}, "p.0.role": {"participant"}, "p.0.required": {"1"}}
	r = nato.do("POST", "/activities/check", strings.NewReader(probe.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "X-CSRF-Token": nato.csrf()})
	if r.status != http.StatusOK || strings.Contains(r.body, restrictedDemo) || !strings.Contains(r.body, "busy (restricted)") {
		t.Errorf("NATO's check against an EU-only meeting: %d %s", r.status, r.body)
	}
	// Without the token the check is refused.
	form.Del("csrf_token")
	if r := c.do("POST", "/activities/check", strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); r.status != http.StatusForbidden {
		t.Errorf("check without CSRF: %d", r.status)
	}
	r = c.get("/activities/pick?p.0.ref=Political")
	if r.status != http.StatusOK || !strings.Contains(r.body, `<option value="body:PSC">`) {
		t.Errorf("picker: %d %s", r.status, r.body)
	}
	r = c.do("POST", "/activities/rule", strings.NewReader(url.Values{"start": {"2027-03-04T10:00"}, "end": {"2027-03-04T11:00"}, "timezone": {"Europe/Brussels"}, "freq": {"WEEKLY"}, "interval": {"2"}, "day": {"TH"}, "count": {"30"}}.Encode()), hx)
	if r.status != http.StatusOK || !strings.Contains(r.body, "every second Thursday, 30 times") || strings.Count(r.body, "<li>") != 5 {
		t.Errorf("rule preview: %d %s", r.status, r.body)
	}
}

// TestStaleEditShowsWhatChanged: two planners edit the same activity;
// the second save shows the first one's change beside their own and
// applies on a second save.
func TestStaleEditShowsWhatChanged(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(euPlannerEmail)
	start := time.Now().AddDate(0, 2, 0).Truncate(24 * time.Hour).Add(9 * time.Hour)
	form := crossBriefing(c, "Edited twice", start)
	form.Set("p.0.ref", "")
	r := c.post("/activities/new", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("booking: %d %s", r.status, r.body)
	}
	path := r.header.Get("Location") + "/edit"
	first := c.get(path)
	if first.status != http.StatusOK || !strings.Contains(first.body, `name="version" value="1"`) {
		t.Fatalf("edit form: %d", first.status)
	}
	form.Set("version", "1")
	form.Set("title", "Edited first")
	if r := c.post(path, form); r.status != http.StatusSeeOther {
		t.Fatalf("first edit: %d", r.status)
	}
	form.Set("title", "Edited second")
	form.Set("series", "Cross-briefings")
	r = c.post(path, form)
	if r.status != http.StatusPreconditionFailed || !strings.Contains(r.body, "Edited first") || !strings.Contains(r.body, `name="version" value="2"`) {
		t.Fatalf("stale edit: %d", r.status)
	}
	form.Set("version", "2")
	if r := c.post(path, form); r.status != http.StatusSeeOther {
		t.Fatalf("re-applied edit: %d", r.status)
	}
	if n := countTitled(t, s, "Edited second"); n != 1 {
		t.Errorf("%d activities with the re-applied title", n)
	}
}

// TestBookingReadsABareCodeOfABodyBeyondTheFirstPage: a bare participant
// reference naming a body past the first page of bodies (500) is read as
// that body, in a booking and in a prefill link.
func TestBookingReadsABareCodeOfABodyBeyondTheFirstPage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	for i := range models.MaxLimit + 1 {
		if _, err := s.Store.CreateBody(ctx, models.System(), models.BodyInput{Code: fmt.Sprintf("ZZ-%03d", i), Name: fmt.Sprintf("Working group %03d", i), Organization: "EU"}); err != nil {
			t.Fatal(err)
		}
	}
	last := fmt.Sprintf("ZZ-%03d", models.MaxLimit)
	c := s.signedIn(euPlannerEmail)
	if r := c.get("/activities/new?participants=" + last); r.status != http.StatusOK || !strings.Contains(r.body, `value="body:`+last+`"`) {
		t.Errorf("the prefill link does not read %s as a body: %d", last, r.status)
	}
	const title = "Briefing of the last working group"
	form := crossBriefing(c, title, time.Now().AddDate(0, 2, 0))
	form.Set("p.2.ref", last)
	r := c.post("/activities/new", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("booking with the bare reference %s: %d", last, r.status)
	}
	booked := findExact(t, s, title)
	var found bool
	for _, p := range booked.Participants {
		found = found || (p.Type == string(models.ResourceBody) && p.IDOrCode == last)
	}
	if !found {
		t.Errorf("the booking's participants lack body %s: %+v", last, booked.Participants)
	}
}
