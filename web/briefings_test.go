package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/models"
)

// briefingRequest finds a briefing request by topic in the store.
func briefingRequest(t *testing.T, s *site, topic string) models.BriefingRequestView {
	t.Helper()
	all, err := s.Store.ListBriefingRequests(context.Background(), models.System(), models.BriefingFilter{ListOptions: models.ListOptions{Limit: models.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all.Items {
		if r.Topic == topic {
			return r
		}
	}
	t.Fatalf("no briefing request on %q", topic)
	return models.BriefingRequestView{}
}

func TestBriefingsSlotsAndSchedule(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	nato, eu := s.signedIn(natoPlannerEmail), s.signedIn(euPlannerEmail)
	const compass = "The EU Strategic Compass"
	req := briefingRequest(t, s, compass)

	r := nato.get("/briefings")
	if r.status != http.StatusOK || !strings.Contains(r.body, compass) || !strings.Contains(r.body, `href="/briefings"`) {
		t.Fatalf("NATO's briefing requests: %d, has the demo request %v", r.status, strings.Contains(r.body, compass))
	}
	// A request's length reads as people say it, and its card is not the
	// red of a clash.
	if strings.Contains(r.body, "PT1H") || !strings.Contains(r.body, "· 1 h</dd>") || !strings.Contains(r.body, `class="clash-card info"`) {
		t.Error("the requests' lengths are not written as people say them, or their cards look like clashes")
	}
	withdraw, declineForm := fmt.Sprintf(`action="/briefings/%d/withdraw"`, req.ID), fmt.Sprintf(`action="/briefings/%d/decline"`, req.ID)
	if strings.Contains(r.body, withdraw) || !strings.Contains(r.body, declineForm) {
		t.Error("the host's planner is offered to withdraw, or not to decline")
	}
	if r := eu.get("/briefings"); !strings.Contains(r.body, withdraw) || strings.Contains(r.body, declineForm) {
		t.Error("the briefer's planner is offered to decline, or not to withdraw")
	}
	if r := nato.get("/briefings?state=declined"); r.status != http.StatusOK || strings.Contains(r.body, compass) || !strings.Contains(r.body, "The EU Civil Protection Mechanism") {
		t.Fatalf("declined only: %d", r.status)
	}
	if r := nato.get("/briefings?state=bogus"); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a bogus state: %d", r.status)
	}
	if r := eu.get(fmt.Sprintf("/briefings?slots=%d", req.ID)); r.status != http.StatusForbidden {
		t.Fatalf("the briefer's side asks for slots: %d", r.status)
	}

	r = nato.get(fmt.Sprintf("/briefings?slots=%d", req.ID))
	m := regexp.MustCompile(`action="/briefings/` + fmt.Sprint(req.ID) + `/schedule"[^>]*>\s*<input type="hidden" name="csrf_token" value="[^"]*">\s*<input type="hidden" name="start" value="([^"]+)">`).FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil || !strings.Contains(r.body, "The EU Strategic Compass</strong> · offered") {
		t.Fatalf("slots: %d, a schedule form %v", r.status, m != nil)
	}
	m[1] = html.UnescapeString(m[1])
	schedule := fmt.Sprintf("/briefings/%d/schedule", req.ID)
	if r := nato.post(schedule, url.Values{"start": {m[1]}}); r.status != http.StatusForbidden {
		t.Fatalf("schedule without CSRF: %d", r.status)
	}
	r = nato.post(schedule, url.Values{"start": {m[1]}, "csrf_token": {nato.csrf()}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "The briefing on “"+compass+"” is scheduled.") {
		t.Fatalf("schedule: %d", r.status)
	}
	if r := nato.post(fmt.Sprintf("/briefings/%d/schedule", briefingRequest(t, s, "NATO's resilience baseline requirements").ID), url.Values{"start": {"soon"}, "csrf_token": {nato.csrf()}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("schedule at no time: %d", r.status)
	}
	if got := briefingRequest(t, s, compass); got.State != string(models.BriefingScheduled) || got.Activity == nil {
		t.Fatalf("after scheduling: %+v", got)
	}
	if r := nato.post(schedule, url.Values{"start": {m[1]}, "csrf_token": {nato.csrf()}}); r.status != http.StatusConflict || !strings.Contains(r.body, `class="notice refused"`) {
		t.Fatalf("schedule twice: %d", r.status)
	}
}

func TestBriefingsRequestDeclineWithdraw(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	nato, eu := s.signedIn(natoPlannerEmail), s.signedIn(euPlannerEmail)
	from := s.Today.AddDate(0, 0, 14).Format("2006-01-02") + "T08:00"
	to := s.Today.AddDate(0, 0, 21).Format("2006-01-02") + "T18:00"
	form := url.Values{"csrf_token": {eu.csrf()}, "briefer": {"nikos.andreou@eeas.example"}, "body": {"NAC"}, "topic": {""}, "area": {"cyber"}, "from": {from}, "to": {to}, "minutes": {"60"}}
	r := eu.post("/briefings", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="brf-topic" name="topic" type="text" value="" aria-invalid="true" aria-describedby="brf-topic-error"`) {
		t.Fatalf("a request without a topic: %d", r.status)
	}
	form.Set("topic", "EU cyber diplomacy toolbox")
	if r := eu.post("/briefings", form); r.status != http.StatusOK || !strings.Contains(r.body, "Your request for a briefing on “EU cyber diplomacy toolbox” was sent.") {
		t.Fatalf("request: %d", r.status)
	}
	req := briefingRequest(t, s, "EU cyber diplomacy toolbox")

	decline := fmt.Sprintf("/briefings/%d/decline", req.ID)
	r = nato.post(decline, url.Values{"csrf_token": {nato.csrf()}, "reason": {""}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, fmt.Sprintf(`aria-invalid="true" aria-describedby="br%d-reason-error"`, req.ID)) {
		t.Fatalf("decline without a reason: %d", r.status)
	}
	if r := eu.post(decline, url.Values{"csrf_token": {eu.csrf()}, "reason": {"not ours"}}); r.status != http.StatusForbidden {
		t.Fatalf("the briefer's side declines: %d", r.status)
	}
	if r := eu.post(fmt.Sprintf("/briefings/%d/withdraw", req.ID), url.Values{"csrf_token": {eu.csrf()}}); r.status != http.StatusOK || !strings.Contains(r.body, "is withdrawn.") {
		t.Fatalf("withdraw: %d", r.status)
	}
	if got := briefingRequest(t, s, "EU cyber diplomacy toolbox"); got.State != string(models.BriefingWithdrawn) {
		t.Fatalf("after withdrawing: %s", got.State)
	}
}
