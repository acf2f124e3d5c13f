package api_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestReplySummariesAndAgenda: the activity list carries the summary of
// the answers for the planners of the lead organisation only; the
// conflicts agenda shows them a required participant's decline and a
// required participant's silence two days before the start, and shows
// the other organisation's planner neither.
func TestReplySummariesAndAgenda(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		e.personToken("chloe@eeas.example")
		start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
		m := meeting("EU", "Chased meeting", start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339),
			person("chloe@eeas.example", true), person("ana@eeas.example", true))
		id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", m), 201))
		e.expect(e.do("POST", fmt.Sprintf("/api/v1/activities/%d/reply", id), "chloe@eeas.example", map[string]any{"partstat": "declined"}), 200)

		summary := func(who string) map[string]any {
			t.Helper()
			list := e.expect(e.do("GET", "/api/v1/activities?limit=200", who, nil), 200).json(t)
			for _, it := range list["items"].([]any) {
				a := it.(map[string]any)
				if a["id"] == float64(id) {
					r, _ := a["replies"].(map[string]any)
					return r
				}
			}
			t.Fatalf("%s does not list activity %d", who, id)
			return nil
		}
		if r := summary("eu_planner"); r == nil || r["declined"] != 1.0 || r["needs_action"] != 1.0 || r["accepted"] != 0.0 || r["tentative"] != 0.0 {
			t.Errorf("the lead planner's summary: %v", r)
		}
		for _, who := range []string{"nato_planner", "eu_viewer"} {
			if r := summary(who); r != nil {
				t.Errorf("%s got the summary %v", who, r)
			}
		}

		q := url.Values{"from": {start.Add(-24 * time.Hour).Format(time.RFC3339)}, "to": {start.Add(24 * time.Hour).Format(time.RFC3339)}}.Encode()
		agenda := func(who string) map[string]string {
			t.Helper()
			out := map[string]string{}
			list := e.expect(e.do("GET", "/api/v1/conflicts?"+q, who, nil), 200).json(t)
			for _, it := range list["items"].([]any) {
				c := it.(map[string]any)
				if c["activity"].(map[string]any)["id"] != float64(id) {
					continue
				}
				out[c["rule"].(string)] = c["resource"].(map[string]any)["name"].(string) + "/" + c["severity"].(string)
			}
			return out
		}
		got := agenda("eu_planner")
		if got[models.RuleRequiredDeclined] != "Chloé Liaison/soft" || got[models.RuleRequiredNoReply] != "Ana Planner/soft" {
			t.Errorf("the lead planner's agenda: %v", got)
		}
		if got := agenda("nato_planner"); len(got) != 0 {
			t.Errorf("the other organisation's planner sees %v", got)
		}
		// The decline is queued for the lead organisation, in the outbox.
		outbox := e.expect(e.do("GET", fmt.Sprintf("/api/v1/reminders?activity=%d&limit=100", id), "admin", nil), 200).json(t)
		declines := 0
		for _, it := range outbox["items"].([]any) {
			if it.(map[string]any)["kind"] == models.NoticeDeclined {
				declines++
			}
		}
		if declines == 0 {
			t.Errorf("no decline notice in the outbox: %v", outbox)
		}
	})
}
