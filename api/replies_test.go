package api_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// personToken gives the person with email a personal token, kept in
// e.tokens under the address.
func (e *env) personToken(email string) {
	e.t.Helper()
	ctx := context.Background()
	p, err := e.store.GetPerson(ctx, models.Ref(email))
	if err != nil {
		e.t.Fatal(err)
	}
	_, secret, err := e.store.CreatePersonalToken(ctx, models.Actor{PersonID: p.ID, Name: email}, models.PersonalTokenInput{Name: "test"}, 24*365*3600e9)
	if err != nil {
		e.t.Fatal(err)
	}
	e.tokens[email] = secret
}

// TestRepliesToAnActivity: people an activity reaches (directly, through
// a body, as an organisation's contact) answer it; others, service
// tokens and the other organisation cannot; planners see the table and
// its summary; the same answer twice changes nothing; a declined person
// is free for another booking, a tentative one only clashes softly.
func TestRepliesToAnActivity(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		if _, err := s.CreatePerson(ctx, models.System(), models.PersonInput{Name: "EU Desk", Email: "coop@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"ana@eeas.example", "ben@nato.example", "chloe@eeas.example", "coop@eeas.example"} {
			e.personToken(who)
		}
		m := meeting("EU", "Hybrid threats exchange", "2031-03-04T10:00:00+01:00", "2031-03-04T12:00:00+01:00",
			person("chloe@eeas.example", true), body("PSC"), map[string]any{"type": "organization", "id_or_code": "EU"})
		m["visibility"] = []string{"EU"}
		id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", m), 201))
		path := fmt.Sprintf("/api/v1/activities/%d/", id)

		// Who may answer.
		e.expect(e.do("POST", path+"reply", "eu_planner", map[string]any{"partstat": "accepted"}), 403)
		e.expect(e.do("POST", path+"reply", "ben@nato.example", map[string]any{"partstat": "accepted"}), 404) // restricted to the EU
		e.expect(e.do("POST", path+"reply", "chloe@eeas.example", map[string]any{"partstat": "maybe"}), 422)
		r := e.expect(e.do("POST", path+"reply", "chloe@eeas.example", map[string]any{"partstat": "declined", "comment": "on mission"}), 200).json(t)
		if r["partstat"] != "declined" || r["channel"] != "api" || r["comment"] != "on mission" || r["required"] != true {
			t.Fatalf("reply %v", r)
		}
		e.expect(e.do("POST", path+"reply", "ana@eeas.example", map[string]any{"partstat": "tentative"}), 200) // PSC member
		e.expect(e.do("POST", path+"reply", "coop@eeas.example", map[string]any{"partstat": "accepted"}), 200) // EU contact
		e.expect(e.do("POST", path+"reply", "coop@eeas.example", map[string]any{"partstat": "accepted"}), 200) // again: no change
		e.expect(e.do("POST", path+"reply", "chloe@eeas.example", map[string]any{"partstat": "declined", "occurrence": "2031-03-05T09:00:00Z"}), 422)

		// The table, for planners of the lead organisation.
		e.expect(e.do("GET", path+"replies", "eu_viewer", nil), 403)
		e.expect(e.do("GET", path+"replies", "nato_planner", nil), 404)
		list := e.expect(e.do("GET", path+"replies?limit=2", "eu_planner", nil), 200).json(t)
		sum := list["summary"].(map[string]any)
		if sum["accepted"] != 1.0 || sum["tentative"] != 1.0 || sum["declined"] != 1.0 || sum["needs_action"] != 0.0 || list["total"] != 3.0 {
			t.Fatalf("summary %v total %v", sum, list["total"])
		}
		if items := list["items"].([]any); len(items) != 2 || list["next_cursor"] == nil {
			t.Fatalf("first page %v", list)
		}
		next := e.expect(e.do("GET", path+"replies?limit=2&cursor="+list["next_cursor"].(string), "eu_planner", nil), 200).json(t)
		if items := next["items"].([]any); len(items) != 1 || next["next_cursor"] != nil {
			t.Fatalf("second page %v", next)
		}
		audit := e.expect(e.do("GET", fmt.Sprintf("/api/v1/audit?entity=activity&entity_id=%d", id), "admin", nil), 200).json(t)
		replies := 0
		for _, it := range audit["items"].([]any) {
			if it.(map[string]any)["action"] == "reply" {
				replies++
			}
		}
		if replies != 3 {
			t.Fatalf("%d reply audit entries, want 3", replies)
		}

		// Chloé declined: listed directly, her RSVP shows it and her time is free.
		act := e.expect(e.do("GET", fmt.Sprintf("/api/v1/activities/%d", id), "eu_planner", nil), 200).json(t)
		if p := act["participants"].([]any)[0].(map[string]any); p["rsvp"] != "declined" {
			t.Fatalf("participant %v", p)
		}
		other := meeting("EU", "Cyber staff meeting", "2031-03-04T10:30:00+01:00", "2031-03-04T11:30:00+01:00", person("chloe@eeas.example", true))
		e.expect(e.do("POST", "/api/v1/activities", "eu_planner", other), 201)
		// Tentative: a booking over her time only warns; accepted: refused.
		e.expect(e.do("POST", path+"reply", "chloe@eeas.example", map[string]any{"partstat": "tentative"}), 200)
		third := meeting("EU", "Third meeting", "2031-03-04T11:40:00+01:00", "2031-03-04T11:55:00+01:00", person("chloe@eeas.example", true))
		w := e.expect(e.do("POST", "/api/v1/activities", "eu_planner", third), 201).json(t)
		if len(w["warnings"].([]any)) == 0 {
			t.Fatalf("no warning for a tentative participant: %v", w)
		}
		e.expect(e.do("POST", path+"reply", "chloe@eeas.example", map[string]any{"partstat": "accepted"}), 200)
		third["title"] = "Fourth meeting"
		e.expect(e.do("POST", "/api/v1/activities", "eu_planner", third), 409)
	})
}

// TestReplyToOneOccurrence: declining one occurrence of a series frees
// that occurrence only.
func TestReplyToOneOccurrence(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		e.personToken("chloe@eeas.example")
		m := meeting("EU", "Weekly desk", "2031-03-04T10:00:00+01:00", "2031-03-04T11:00:00+01:00", person("chloe@eeas.example", true))
		m["rrule"] = "FREQ=WEEKLY;COUNT=4"
		id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", m), 201))
		r := e.expect(e.do("POST", fmt.Sprintf("/api/v1/activities/%d/reply", id), "chloe@eeas.example",
			map[string]any{"partstat": "declined", "occurrence": "2031-03-11T10:00:00+01:00"}), 200).json(t)
		occ := r["occurrences"].([]any)
		if r["partstat"] != "needs_action" || len(occ) != 1 || occ[0].(map[string]any)["partstat"] != "declined" {
			t.Fatalf("reply %v", r)
		}
		free := meeting("EU", "Elsewhere", "2031-03-11T10:00:00+01:00", "2031-03-11T11:00:00+01:00", person("chloe@eeas.example", true))
		e.expect(e.do("POST", "/api/v1/activities", "eu_planner", free), 201)
		busy := meeting("EU", "Elsewhere again", "2031-03-18T10:00:00+01:00", "2031-03-18T11:00:00+01:00", person("chloe@eeas.example", true))
		e.expect(e.do("POST", "/api/v1/activities", "eu_planner", busy), 409)
		// A change of the series keeps her answer: still free on the 11th.
		e.expect(e.do("PATCH", fmt.Sprintf("/api/v1/activities/%d", id), "eu_planner", map[string]any{"title": "Weekly desk (renamed)"}), 200)
		e.expect(e.do("GET", fmt.Sprintf("/api/v1/activities/%d/conflicts", id), "eu_planner", nil), 200)
		n := e.expect(e.do("GET", "/api/v1/conflicts?from=2031-03-01T00:00:00Z&to=2031-04-01T00:00:00Z", "admin", nil), 200).json(t)
		// The agenda shows her decline of the 11th (for the planners to
		// act on), and no clash.
		items := n["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["rule"] != models.RuleRequiredDeclined ||
			items[0].(map[string]any)["occurrence"].(map[string]any)["start"] != "2031-03-11T10:00:00+01:00" {
			t.Fatalf("conflicts after the change: %v", n)
		}
	})
}

// TestInvitationPreferences: a person turns invitations and the digest
// off through /api/v1/me, and a booking then queues no invitation to them.
func TestInvitationPreferences(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		e.personToken("ben@nato.example")
		me := e.expect(e.do("PATCH", "/api/v1/me", "ben@nato.example", map[string]any{"reminder_preferences": map[string]any{"no_invitations": true, "no_digest": true}}), 200).json(t)
		prefs := me["person"].(map[string]any)["reminder_preferences"].(map[string]any)
		if prefs["no_invitations"] != true || prefs["no_digest"] != true {
			t.Fatalf("preferences %v", prefs)
		}
		// Booked by an administrator: a planner's booking that involves
		// NATO would be a proposal, which invites nobody until agreed.
		id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "admin", meeting("EU", "Staff talks", "2031-05-06T10:00:00+02:00", "2031-05-06T11:00:00+02:00",
			person("ben@nato.example", true), person("ana@eeas.example", true))), 201))
		page := e.expect(e.do("GET", fmt.Sprintf("/api/v1/reminders?activity=%d", id), "admin", nil), 200).json(t)
		var to []string
		for _, it := range page["items"].([]any) {
			if r := it.(map[string]any); r["kind"] == "invitation" {
				to = append(to, r["recipient_email"].(string))
			}
		}
		if len(to) != 1 || to[0] != "ana@eeas.example" {
			t.Fatalf("invitations to %v, want Ana only", to)
		}
	})
}

// TestFeedsCarryAnswers: a subscribed feed shows a participant's answer
// as their PARTSTAT as soon as they give it (the cached rendering of the
// activity is replaced).
func TestFeedsCarryAnswers(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		e.personToken("chloe@eeas.example")
		feed := e.feedURL("eu_planner", "organization", "EU", nil)
		soon := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
		read := func() string {
			t.Helper()
			res, err := e.srv.Client().Get(feed)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			return strings.ReplaceAll(string(raw), "\r\n ", "")
		}
		id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", meeting("EU", "Desk-to-desk", soon.Format(time.RFC3339), soon.Add(time.Hour).Format(time.RFC3339),
			person("chloe@eeas.example", true))), 201))
		if f := read(); !strings.Contains(f, "PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:chloe@eeas.example") {
			t.Fatalf("before the answer:\n%s", f)
		}
		e.expect(e.do("POST", fmt.Sprintf("/api/v1/activities/%d/reply", id), "chloe@eeas.example", map[string]any{"partstat": "tentative"}), 200)
		if f := read(); !strings.Contains(f, "PARTSTAT=TENTATIVE:mailto:chloe@eeas.example") {
			t.Fatalf("after the answer:\n%s", f)
		}
	})
}

// TestAnswersOutliveEdits: a planner's edit that lists the participants
// again keeps their answers as their RSVP.
func TestAnswersOutliveEdits(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		e.personToken("chloe@eeas.example")
		id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", meeting("EU", "Desk-to-desk", "2031-03-04T10:00:00+01:00", "2031-03-04T11:00:00+01:00",
			person("chloe@eeas.example", true))), 201))
		e.expect(e.do("POST", fmt.Sprintf("/api/v1/activities/%d/reply", id), "chloe@eeas.example", map[string]any{"partstat": "declined"}), 200)
		a := e.expect(e.do("PATCH", fmt.Sprintf("/api/v1/activities/%d", id), "eu_planner", map[string]any{"participants": []any{person("chloe@eeas.example", true), person("ana@eeas.example", true)}}), 200).json(t)
		if p := a["participants"].([]any)[0].(map[string]any); p["rsvp"] != "declined" {
			t.Fatalf("after the edit: %v", p)
		}
	})
}
