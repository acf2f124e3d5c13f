package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// Demo proposal titles (demo/workflows.go): one led by the EU
// awaiting NATO, one led by NATO awaiting the EU.
const (
	awaitingNATO = "EU–NATO staff talks on military mobility"
	awaitingEU   = "Staff talks on the planning of parallel and coordinated exercises"
)

// plannerActor is the demo planner of org as the store knows them.
func plannerActor(t *testing.T, s *site, email, org string) models.Actor {
	t.Helper()
	ctx := context.Background()
	p, err := s.Store.GetPerson(ctx, models.Ref(email))
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.Store.GetOrganization(ctx, models.Ref(org))
	if err != nil {
		t.Fatal(err)
	}
	return models.Actor{PersonID: p.ID, Name: email, Role: models.RolePlanner, OrganizationID: o.ID}
}

// awaitingPart is the "awaiting our answer" part of the queue page.
func awaitingPart(body string) string {
	body, _, _ = strings.Cut(body, `id="we-lead"`)
	return body
}

// proposalID finds the demo proposal titled title in the store.
func proposalID(t *testing.T, s *site, title string) int64 {
	t.Helper()
	all, err := s.Store.ListProposals(context.Background(), models.System(), models.ProposalFilter{ListOptions: models.ListOptions{Limit: models.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all.Items {
		if p.Activity.Title == title {
			return p.ActivityID
		}
	}
	t.Fatalf("no demo proposal %q", title)
	return 0
}

func TestProposalQueueShowsEachSideItsOwn(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	eu, nato := s.signedIn(euPlannerEmail), s.signedIn(natoPlannerEmail)
	r := nato.get("/proposals")
	if r.status != http.StatusOK || !strings.Contains(awaitingPart(r.body), awaitingNATO) || strings.Contains(awaitingPart(r.body), awaitingEU) {
		t.Fatalf("NATO's queue: %d, has the proposal awaiting NATO %v, has the one awaiting the EU %v", r.status, strings.Contains(awaitingPart(r.body), awaitingNATO), strings.Contains(awaitingPart(r.body), awaitingEU))
	}
	if strings.Count(r.body, "Informal NAC–PSC meeting on countering hybrid threats") != 1 {
		t.Error("the proposal NATO leads and is awaited on after the EU's counter-proposal is not shown once")
	}
	if !strings.Contains(r.body, `href="/proposals"`) {
		t.Error("no menu entry for the proposals")
	}
	r = eu.get("/proposals")
	if r.status != http.StatusOK || !strings.Contains(awaitingPart(r.body), awaitingEU) || strings.Contains(awaitingPart(r.body), awaitingNATO) {
		t.Fatalf("EU's queue: %d", r.status)
	}
	if lead := strings.SplitN(r.body, `id="we-lead"`, 2); len(lead) != 2 || !strings.Contains(lead[1], awaitingNATO) {
		t.Error("the EU does not see the proposal it leads among those awaiting others")
	}
	if r := eu.post("/language", url.Values{"language": {"fr"}, "csrf_token": {eu.csrf()}}); r.status != http.StatusSeeOther {
		t.Fatalf("to French: %d", r.status)
	}
	if r := eu.get("/proposals"); !strings.Contains(r.body, "En attente de notre réponse") {
		t.Error("the queue is not in French")
	}
}

func TestProposalAnswers(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	nato := s.signedIn(natoPlannerEmail)
	id := proposalID(t, s, awaitingNATO)
	agree := fmt.Sprintf("/proposals/%d/agree", id)

	if r := nato.post(agree, url.Values{}); r.status != http.StatusForbidden {
		t.Fatalf("agree without CSRF: %d", r.status)
	}
	if p, _ := s.Store.GetProposal(context.Background(), models.System(), id); p.State != string(models.ProposalOpen) {
		t.Fatalf("agreed without CSRF: %s", p.State)
	}

	decline := fmt.Sprintf("/proposals/%d/decline", id)
	r := nato.post(decline, url.Values{"csrf_token": {nato.csrf()}, "reason": {"  "}})
	field := fmt.Sprintf(`id="p%d-reason" name="reason" rows="2" aria-invalid="true" aria-describedby="p%d-reason-error"`, id, id)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, field) || !strings.Contains(r.body, fmt.Sprintf(`id="p%d-reason-error"`, id)) {
		t.Fatalf("decline without a reason: %d, field marked %v", r.status, strings.Contains(r.body, field))
	}

	counter := fmt.Sprintf("/proposals/%d/counter", id)
	r = nato.post(counter, url.Values{"csrf_token": {nato.csrf()}, "start": {"soon"}, "end": {"2031-01-01T10:00"}, "counter_reason": {"x"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, fmt.Sprintf(`aria-describedby="p%d-start-error"`, id)) {
		t.Fatalf("counter with a bad start: %d", r.status)
	}

	// A counter-proposal a day later puts the proposal back to the EU.
	p, _ := s.Store.GetProposal(context.Background(), models.System(), id)
	bxl, _ := time.LoadLocation("Europe/Brussels")
	later := func(t time.Time) string { return t.In(bxl).AddDate(0, 0, 1).Format("2006-01-02T15:04") }
	r = nato.post(counter, url.Values{"csrf_token": {nato.csrf()}, "start": {later(p.Activity.Start)}, "end": {later(p.Activity.End)}, "counter_reason": {"the chairs meet the day before"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "Your counter-proposal for “"+awaitingNATO+"” was sent.") {
		t.Fatalf("counter-proposal: %d", r.status)
	}
	if p, _ := s.Store.GetProposal(context.Background(), models.System(), id); len(p.Awaiting) != 1 || p.Awaiting[0] != "EU" {
		t.Fatalf("after the counter-proposal, awaiting %v", p.Awaiting)
	}
	eu := s.signedIn(euPlannerEmail)
	r = eu.post(agree, url.Values{"csrf_token": {eu.csrf()}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "You agreed to “"+awaitingNATO+"”.") || strings.Contains(awaitingPart(r.body), `href="/activities/`+fmt.Sprint(id)+`"`) {
		t.Fatalf("agree: %d, notice %v", r.status, strings.Contains(r.body, "You agreed"))
	}
	if p, _ := s.Store.GetProposal(context.Background(), models.System(), id); p.State != string(models.ProposalAgreed) {
		t.Fatalf("after agreeing: %s", p.State)
	}
	// Agreeing again: the store refuses (the proposal is closed), and the
	// page says so.
	if r := eu.post(agree, url.Values{"csrf_token": {eu.csrf()}}); r.status != http.StatusConflict || !strings.Contains(r.body, `class="notice refused" role="alert"`) {
		t.Fatalf("agree twice: %d", r.status)
	}
}

func TestProposalQueueHidesRestricted(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	start := time.Date(s.Today.Year(), s.Today.Month(), s.Today.Day(), 9, 0, 0, 0, time.UTC).AddDate(0, 0, 12)
	in := models.ActivityInput{Kind: "meeting", Title: "EU-only sounding of the IMS", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels",
		LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}, {Type: "body", IDOrCode: "IMS"}}, Visibility: []models.Ref{"EU"}}
	res, err := s.Store.CreateActivity(context.Background(), plannerActor(t, s, euPlannerEmail, "EU"), in, storage.WriteOptions{OverrideReason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Activity.Status != string(models.StatusProposed) {
		t.Fatalf("the restricted activity is %s, not proposed", res.Activity.Status)
	}
	if r := s.signedIn(euPlannerEmail).get("/proposals"); !strings.Contains(r.body, in.Title) {
		t.Fatal("the EU does not see its own restricted proposal")
	}
	nato := s.signedIn(natoPlannerEmail)
	if r := nato.get("/proposals"); r.status != http.StatusOK || strings.Contains(r.body, in.Title) || strings.Contains(r.body, fmt.Sprintf("/activities/%d", res.Activity.ID)) {
		t.Fatalf("NATO's queue: %d, shows the restricted activity", r.status)
	}
	r := nato.post(fmt.Sprintf("/proposals/%d/agree", res.Activity.ID), url.Values{"csrf_token": {nato.csrf()}})
	if r.status != http.StatusNotFound || strings.Contains(r.body, in.Title) {
		t.Fatalf("NATO agrees to the restricted activity: %d", r.status)
	}
}
