package storage_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// replyWorld books, at a fixed clock, what the reply agenda and summaries
// are tested on, and returns the activity ids by name.
func replyWorld(t *testing.T, s *storage.Store, now time.Time) map[string]int64 {
	t.Helper()
	world(t, s)
	s.SetClock(func() time.Time { return now })
	ctx := context.Background()
	optional := false
	ids := map[string]int64{}
	book := func(name string, in models.ActivityInput) {
		t.Helper()
		in.Kind, in.Title, in.TimeZone = "meeting", name, "Europe/Brussels"
		if in.End.IsZero() {
			in.End = in.Start.Add(time.Hour)
		}
		res, err := s.CreateActivity(ctx, models.System(), in, storage.WriteOptions{})
		if err != nil {
			t.Fatalf("book %s: %v", name, err)
		}
		ids[name] = res.Activity.ID
	}
	day := 24 * time.Hour
	// Ben declines, Ana (required, and also reached through the PSC) has
	// not answered; two days ahead, within the chase.
	book("EU soon", models.ActivityInput{Start: now.Add(2 * day), LeadOrganization: "EU", Participants: []models.ParticipantInput{
		{Type: "person", IDOrCode: "ben@nato.example"}, {Type: "person", IDOrCode: "ana@eeas.example"}, {Type: "body", IDOrCode: "PSC", Required: &optional}}})
	// NATO's, two days ahead: Ben has not answered.
	book("NATO soon", models.ActivityInput{Start: now.Add(2*day + 2*time.Hour), LeadOrganization: "NATO", Participants: []models.ParticipantInput{
		{Type: "person", IDOrCode: "ben@nato.example"}}})
	// EU only, Ben listed but unable to see it; ten days ahead: beyond the chase.
	book("EU restricted", models.ActivityInput{Start: now.Add(10 * day), LeadOrganization: "EU", Visibility: []models.Ref{"EU"}, Participants: []models.ParticipantInput{
		{Type: "person", IDOrCode: "ana@eeas.example"}, {Type: "person", IDOrCode: "ben@nato.example"}}})
	// Weekly, three times from day 4: Ben declines the second occurrence only.
	book("EU weekly", models.ActivityInput{Start: now.Add(4*day + 4*time.Hour), RRule: "FREQ=WEEKLY;COUNT=3", LeadOrganization: "EU", Participants: []models.ParticipantInput{
		{Type: "person", IDOrCode: "ben@nato.example"}}})
	ben, err := s.GetPerson(ctx, "ben@nato.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplyFor(ctx, ben.ID, ids["EU soon"], models.ReplyInput{PartStat: "declined", Comment: "ministerial"}, models.ChannelLink); err != nil {
		t.Fatal(err)
	}
	second := now.Add(4*day + 4*time.Hour + 7*day)
	if _, err := s.ReplyFor(ctx, ben.ID, ids["EU weekly"], models.ReplyInput{PartStat: "declined", Occurrence: &second}, models.ChannelEmail); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplyFor(ctx, ben.ID, ids["EU weekly"], models.ReplyInput{PartStat: "accepted"}, models.ChannelEmail); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestReplyAgenda: the deconfliction agenda shows, to the planners of the
// lead organisation (and administrators) only, the occurrences whose
// required participants declined, and those within the chase period that
// required participants have not answered — soft, one item per occurrence
// and rule, listing the people; a decline of one occurrence shows on that
// occurrence alone; nothing of it reaches a viewer or the hard list.
func TestReplyAgenda(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		now := time.Date(2030, 3, 4, 8, 0, 0, 0, time.UTC)
		ids := replyWorld(t, s, now)
		ctx := context.Background()
		eu, _ := s.GetOrganization(ctx, "EU")
		nato, _ := s.GetOrganization(ctx, "NATO")
		window := models.ConflictFilter{From: now, To: now.Add(30 * 24 * time.Hour)}
		items := func(a models.Actor, f models.ConflictFilter) []string {
			t.Helper()
			list, err := s.ListConflicts(ctx, a, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range list {
				if c.Rule != models.RuleRequiredDeclined && c.Rule != models.RuleRequiredNoReply {
					continue
				}
				if c.Severity != "soft" || c.Resource != c.Resources[0] {
					t.Errorf("%+v", c)
				}
				var names []string
				for _, r := range c.Resources {
					names = append(names, r.Name)
				}
				out = append(out, c.Activity.Title+" "+c.Occurrence.Start.UTC().Format("01-02T15")+" "+c.Rule+" "+strings.Join(names, ","))
			}
			sort.Strings(out)
			return out
		}
		euPlanner := models.Actor{Name: "EU planner", Role: models.RolePlanner, OrganizationID: eu.ID}
		want := []string{
			"EU soon 03-06T08 required_declined Ben",
			"EU soon 03-06T08 required_no_reply Ana",
			"EU weekly 03-15T12 required_declined Ben",
		}
		if got := items(euPlanner, window); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("EU planner's agenda:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		natoPlanner := models.Actor{Name: "NATO planner", Role: models.RolePlanner, OrganizationID: nato.ID}
		if got := items(natoPlanner, window); strings.Join(got, "|") != "NATO soon 03-06T10 required_no_reply Ben" {
			t.Errorf("NATO planner's agenda: %q", got)
		}
		admin := models.Actor{Name: "admin", Role: models.RoleAdmin}
		if got := items(admin, window); len(got) != 4 {
			t.Errorf("admin's agenda: %q", got)
		}
		viewer := models.Actor{Name: "EU viewer", Role: models.RoleViewer, OrganizationID: eu.ID}
		if got := items(viewer, window); len(got) != 0 {
			t.Errorf("a viewer sees reply states: %q", got)
		}
		hard := window
		hard.Severity = "hard"
		if got := items(admin, hard); len(got) != 0 {
			t.Errorf("hard list: %q", got)
		}
		// An answer takes the item off.
		ana, _ := s.GetPerson(ctx, "ana@eeas.example")
		if _, err := s.ReplyFor(ctx, ana.ID, ids["EU soon"], models.ReplyInput{PartStat: "tentative"}, models.ChannelWeb); err != nil {
			t.Fatal(err)
		}
		if got := items(euPlanner, window); len(got) != 2 {
			t.Errorf("after Ana answered: %q", got)
		}
	})
}

// TestReplySummaries: the summaries of a page of activities, computed at
// once, equal the reply table's of each activity (people reached twice
// counted once, people who may not see a restricted activity not at
// all), and are given only to those who plan the activity.
func TestReplySummaries(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		now := time.Date(2030, 3, 4, 8, 0, 0, 0, time.UTC)
		ids := replyWorld(t, s, now)
		ctx := context.Background()
		eu, _ := s.GetOrganization(ctx, "EU")
		euPlanner := models.Actor{Name: "EU planner", Role: models.RolePlanner, OrganizationID: eu.ID}
		page, err := s.ListActivities(ctx, euPlanner, models.ActivityFilter{ListOptions: models.ListOptions{Limit: 50}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.FillReplySummaries(ctx, euPlanner, page.Items); err != nil {
			t.Fatal(err)
		}
		want := map[string]models.ReplySummary{
			"EU soon":       {Declined: 1, NeedsAction: 1},
			"EU restricted": {NeedsAction: 1},
			"EU weekly":     {Accepted: 1},
		}
		for _, v := range page.Items {
			if v.Title == "NATO soon" {
				if v.Replies != nil {
					t.Errorf("the EU planner got NATO's summary %+v", *v.Replies)
				}
				continue
			}
			if v.Replies == nil || *v.Replies != want[v.Title] {
				t.Errorf("%s: %+v, want %+v", v.Title, v.Replies, want[v.Title])
				continue
			}
			one := v
			table, err := s.ReplySummary(ctx, &one)
			if err != nil || table != *v.Replies {
				t.Errorf("%s: the list says %+v, the reply table %+v (%v)", v.Title, *v.Replies, table, err)
			}
		}
		if len(ids) != len(page.Items) {
			t.Errorf("listed %d of %d", len(page.Items), len(ids))
		}
		viewer := models.Actor{Name: "viewer", Role: models.RoleViewer, OrganizationID: eu.ID}
		page, err = s.ListActivities(ctx, viewer, models.ActivityFilter{ListOptions: models.ListOptions{Limit: 50}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.FillReplySummaries(ctx, viewer, page.Items); err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Items {
			if v.Replies != nil {
				t.Errorf("a viewer got the summary of %s", v.Title)
			}
		}
	})
}

// TestReplyChannelAudited: every change of answer is audited with the
// channel it came through (as the reason and in the row recorded); the
// same answer again changes and audits nothing.
func TestReplyChannelAudited(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		now := time.Date(2030, 3, 4, 8, 0, 0, 0, time.UTC)
		ids := replyWorld(t, s, now)
		ctx := context.Background()
		ana, _ := s.GetPerson(ctx, "ana@eeas.example")
		id := ids["EU restricted"]
		steps := []struct {
			partstat string
			ch       models.ReplyChannel
		}{{"accepted", models.ChannelLink}, {"accepted", models.ChannelLink}, {"tentative", models.ChannelAPI}, {"declined", models.ChannelWeb}, {"accepted", models.ChannelEmail}}
		for _, st := range steps {
			var err error
			if st.ch == models.ChannelAPI || st.ch == models.ChannelWeb {
				_, err = s.ReplyAs(ctx, models.Actor{PersonID: ana.ID, Name: "ana", Role: models.RoleViewer, OrganizationID: *ana.OrganizationID}, id, models.ReplyInput{PartStat: st.partstat}, st.ch)
			} else {
				_, err = s.ReplyFor(ctx, ana.ID, id, models.ReplyInput{PartStat: st.partstat}, st.ch)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		trail, err := s.ListAudit(ctx, models.System(), models.AuditFilter{Entity: "activity", EntityID: id, Oldest: true, ListOptions: models.ListOptions{Limit: 50}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range trail.Items {
			if e.Action != "reply" {
				continue
			}
			var after struct{ PartStat, Channel string }
			if err := json.Unmarshal(e.After, &after); err != nil {
				t.Fatal(err)
			}
			if after.Channel != e.Reason {
				t.Errorf("entry %d: reason %q, row channel %q", e.ID, e.Reason, after.Channel)
			}
			got = append(got, after.PartStat+"/"+e.Reason)
		}
		if want := "accepted/link tentative/api declined/web accepted/email"; strings.Join(got, " ") != want {
			t.Errorf("audited %q, want %q", strings.Join(got, " "), want)
		}
	})
}
