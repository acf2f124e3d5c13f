package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestConflictAgendaPages: asked with a limit, the agenda comes a page
// at a time with next_cursor (null on the last page) and no total; the
// pages, followed to the end, are the whole window's items in order; the
// EU-restricted side stays masked for NATO on every page; and a bad
// cursor or limit is a problem naming the field, never a page.
func TestConflictAgendaPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	for i := range 12 {
		day := 2 + i%4
		m := meeting("EU", fmt.Sprintf("Meeting %d", i), fmt.Sprintf("2031-06-%02dT%02d:00:00+02:00", day, 9+i%3), fmt.Sprintf("2031-06-%02dT%02d:30:00+02:00", day, 11+i%3),
			person("ben@nato.example", false), person("ana@eeas.example", false))
		if i%5 == 0 {
			m["visibility"] = []string{"EU"}
		}
		e.expect(e.do("POST", "/api/v1/activities", "eu_planner", m), 201)
	}
	window := url.Values{"from": {"2031-06-01T00:00:00Z"}, "to": {"2031-07-01T00:00:00Z"}}
	for _, who := range []string{"eu_planner", "nato_planner"} {
		var whole struct {
			Items []json.RawMessage `json:"items"`
			Total int               `json:"total"`
		}
		if err := json.Unmarshal(e.expect(e.do("GET", "/api/v1/conflicts?"+window.Encode(), who, nil), 200).Body, &whole); err != nil {
			t.Fatal(err)
		}
		if whole.Total < 10 || whole.Total != len(whole.Items) {
			t.Fatalf("%s: the whole agenda has %d items (total %d): the data set proves nothing", who, len(whole.Items), whole.Total)
		}
		var paged []json.RawMessage
		q := url.Values{"from": window["from"], "to": window["to"], "limit": {"3"}}
		for pages := 0; ; pages++ {
			if pages > whole.Total {
				t.Fatalf("%s: more pages than items", who)
			}
			page := e.expect(e.do("GET", "/api/v1/conflicts?"+q.Encode(), who, nil), 200).json(t)
			if _, ok := page["total"]; ok {
				t.Fatalf("%s: a page carries a total: %v", who, page)
			}
			next, present := page["next_cursor"]
			if !present {
				t.Fatalf("%s: a page without next_cursor: %v", who, page)
			}
			for _, it := range page["items"].([]any) {
				raw, _ := json.Marshal(it)
				paged = append(paged, raw)
			}
			if next == nil {
				break
			}
			q.Set("cursor", next.(string))
		}
		if len(paged) != len(whole.Items) {
			t.Fatalf("%s: %d items in the pages, %d in the whole agenda", who, len(paged), len(whole.Items))
		}
		for i := range paged {
			var a, b any
			_ = json.Unmarshal(paged[i], &a)
			_ = json.Unmarshal(whole.Items[i], &b)
			ra, _ := json.Marshal(a)
			rb, _ := json.Marshal(b)
			if string(ra) != string(rb) {
				t.Fatalf("%s: item %d differs:\n page  %s\n whole %s", who, i, ra, rb)
			}
			for _, secret := range []string{`"Meeting 0"`, `"Meeting 5"`, `"Meeting 10"`} {
				if who == "nato_planner" && strings.Contains(string(ra), secret) {
					t.Fatalf("NATO's page shows an EU-restricted meeting: %s", ra)
				}
			}
		}
	}
	for _, bad := range []struct{ param, value, field string }{
		{"cursor", "not-ours", "cursor"},
		{"limit", "0", "limit"},
		{"limit", "501", "limit"},
	} {
		q := url.Values{"from": window["from"], "to": window["to"], bad.param: {bad.value}}
		r := e.expect(e.do("GET", "/api/v1/conflicts?"+q.Encode(), "eu_planner", nil), 422).json(t)
		errs, _ := r["errors"].([]any)
		if len(errs) != 1 || errs[0].(map[string]any)["field"] != bad.field {
			t.Errorf("%s=%s: %v, want a problem naming %s", bad.param, bad.value, r, bad.field)
		}
	}
}
