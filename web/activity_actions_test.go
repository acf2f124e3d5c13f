package web_test

import (
	"context"
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

// plannerOf is the demo planner of an organisation.
func plannerOf(org string) string {
	if org == "NATO" {
		return natoPlannerEmail
	}
	return euPlannerEmail
}

func TestActivityPageActions(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	rec := findExact(t, s, "EADRCC–ERCC bi-weekly coordination call")
	path := "/activities/" + strconv.FormatInt(rec.ID, 10)
	owner := s.signedIn(plannerOf(rec.LeadOrganization))
	other := s.signedIn(plannerOf(map[string]string{"EU": "NATO", "NATO": "EU"}[rec.LeadOrganization]))

	r := owner.get(path)
	if r.status != http.StatusOK || !strings.Contains(r.body, `href="`+path+`/edit"`) || !strings.Contains(r.body, `action="`+path+`/occurrence"`) {
		t.Fatalf("the lead's planner is not offered the actions: %d", r.status)
	}
	if r := other.get(path); r.status != http.StatusOK || strings.Contains(r.body, path+"/edit") || strings.Contains(r.body, path+"/occurrence") {
		t.Errorf("another organisation's planner is offered the actions: %d", r.status)
	}
	if r := other.post(path+"/cancel", url.Values{"csrf_token": {other.csrf()}}); r.status != http.StatusForbidden {
		t.Errorf("another organisation's planner cancels: %d", r.status)
	}

	// The calendar file, for anyone who may see the activity only.
	ics := owner.get(path + "/ics")
	if ics.status != http.StatusOK || !strings.HasPrefix(ics.header.Get("Content-Type"), "text/calendar") || !strings.Contains(ics.body, "BEGIN:VEVENT") || !strings.Contains(ics.body, "RRULE:") {
		t.Errorf("ics: %d %s", ics.status, ics.header.Get("Content-Type"))
	}
	hidden := findActivity(t, s, restrictedDemo)
	if r := s.signedIn(natoPlannerEmail).get("/activities/" + strconv.FormatInt(hidden.ID, 10) + "/ics"); r.status != http.StatusNotFound || strings.Contains(r.body, restrictedDemo) {
		t.Errorf("NATO downloads the EU-only activity: %d", r.status)
	}

	// Move the next occurrence by an hour, then cancel the one after.
	page := owner.get(path).body
	rids := submatches(`name="recurrence_id" value="([^"]+)"`, page)
	if len(rids) < 2 {
		t.Fatalf("%d occurrence forms", len(rids))
	}
	first, _ := time.Parse(time.RFC3339, rids[0])
	bxl, _ := time.LoadLocation(rec.TimeZone)
	r = owner.post(path+"/occurrence", url.Values{"csrf_token": {owner.csrf()}, "recurrence_id": {rids[0]}, "action": {"move"}, "start": {first.Add(time.Hour).In(bxl).Format("2006-01-02T15:04")}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("move an occurrence: %d %s", r.status, r.body)
	}
	r = owner.post(path+"/occurrence", url.Values{"csrf_token": {owner.csrf()}, "recurrence_id": {rids[1]}, "action": {"cancel"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("cancel an occurrence: %d", r.status)
	}
	after := owner.get(path).body
	if !strings.Contains(after, "(moved)") || strings.Contains(after, `value="`+rids[1]+`"`) {
		t.Errorf("the page does not show the moved occurrence or still lists the cancelled one")
	}
	if r := owner.post(path+"/occurrence", url.Values{"csrf_token": {owner.csrf()}, "recurrence_id": {"yesterday"}, "action": {"cancel"}}); r.status != http.StatusBadRequest {
		t.Errorf("a bad occurrence: %d", r.status)
	}

	// Cancel, then delete, each confirmed.
	if r := owner.get(path + "/remove"); r.status != http.StatusOK || !strings.Contains(r.body, `action="`+path+`/delete"`) {
		t.Fatalf("confirmation page: %d", r.status)
	}
	version := submatches(`name="version" value="(\d+)"`, owner.get(path+"/remove").body)[0]
	if r := owner.post(path+"/cancel", url.Values{"csrf_token": {owner.csrf()}, "version": {"1"}}); r.status != http.StatusPreconditionFailed && version != "1" {
		t.Errorf("cancel of an old version: %d", r.status)
	}
	if r := owner.post(path+"/cancel", url.Values{"csrf_token": {owner.csrf()}, "version": {version}}); r.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", r.status)
	}
	if r := owner.get(path); !strings.Contains(r.body, "cancelled") {
		t.Errorf("the cancelled activity is not marked")
	}
	version = submatches(`name="version" value="(\d+)"`, owner.get(path+"/remove").body)[0]
	if r := owner.post(path+"/delete", url.Values{"version": {version}}); r.status != http.StatusForbidden {
		t.Errorf("delete without a CSRF token: %d", r.status)
	}
	if r := owner.post(path+"/delete", url.Values{"csrf_token": {owner.csrf()}, "version": {version}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/calendar" {
		t.Fatalf("delete: %d", r.status)
	}
	if r := owner.get(path); r.status != http.StatusNotFound && r.status != http.StatusGone {
		t.Errorf("the deleted activity: %d", r.status)
	}
}

// submatches are the first groups of every match of expr in s.
func submatches(expr, s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(expr).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestOccurrenceMoveOntoAClash: moving one occurrence of a weekly PSC
// briefing onto a PSC meeting is refused on the activity page with the
// clash listed and an override offered; with a reason it is moved.
func TestOccurrenceMoveOntoAClash(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	fx := newDragFixture(t, s)
	req := true
	start := fx.Day.AddDate(0, 0, -7).Add(16 * time.Hour)
	r0, err := s.Store.CreateActivity(context.Background(), models.System(), models.ActivityInput{Kind: "cross_briefing", Title: "Weekly PSC update", Start: start, End: start.Add(time.Hour),
		TimeZone: "Europe/Brussels", RRule: "FREQ=WEEKLY;COUNT=6", LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC", Required: &req}}}, storage.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := "/activities/" + strconv.FormatInt(r0.Activity.ID, 10)
	eu := s.signedIn(euPlannerEmail)
	rid := fx.Day.Add(16 * time.Hour).UTC().Format(time.RFC3339)
	form := url.Values{"csrf_token": {eu.csrf()}, "recurrence_id": {rid}, "action": {"move"}, "start": {fx.Day.Format("2006-01-02") + "T10:00"}}
	r := eu.post(path+"/occurrence", form)
	if r.status != http.StatusConflict || !strings.Contains(r.body, dragMeetingTitle) || !strings.Contains(r.body, `name="override_reason"`) {
		t.Fatalf("move onto the meeting: %d", r.status)
	}
	form.Set("override_reason", "Only day the PSC could")
	if r := eu.post(path+"/occurrence", form); r.status != http.StatusSeeOther {
		t.Fatalf("move with a reason: %d", r.status)
	}
	if page := eu.get(path); !strings.Contains(page.body, "Only day the PSC could") {
		t.Errorf("the override is not in the history")
	}
}
