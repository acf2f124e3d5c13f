package api_test

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/storage/storagetest"
)

func lifecycleTemplate() map[string]any {
	entry := func(title, offset, dur string, parts ...map[string]any) map[string]any {
		if parts == nil {
			parts = []map[string]any{}
		}
		return map[string]any{"kind": "exercise_phase", "title": title, "offset": offset, "duration": dur, "participants": parts}
	}
	return map[string]any{
		"name": "EU Integrated Resolve", "series": "EU Integrated Resolve", "lead_organization": "EU",
		"entries": []map[string]any{
			entry("Concept development", "-P12M", "P2D"),
			entry("Initial planning conference", "-P9M", "P2D", body("PSC")),
			entry("Main planning conference", "-P6M", "P3D", body("PSC")),
			entry("Final planning conference", "-P2M", "P2D", body("PSC")),
			entry("Conduct", "PT0S", "P5D"),
			entry("After-action review", "P1M", "P1D", body("PSC")),
		},
	}
}

func TestExerciseTemplatesThroughTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	e.expect(e.do("POST", "/api/v1/exercise-templates", "eu_planner", lifecycleTemplate()), 403)
	tpl := e.expect(e.do("POST", "/api/v1/exercise-templates", "admin", lifecycleTemplate()), 201).json(t)
	id := int64(tpl["id"].(float64))
	bad := lifecycleTemplate()
	bad["name"] = "Broken"
	bad["entries"] = []map[string]any{{"title": "Conference", "offset": "-P1.5M", "duration": "P1D"}}
	if _, fields := problemOf(t, e.expect(e.do("POST", "/api/v1/exercise-templates", "admin", bad), 422)); fmt.Sprint(fields) != "[entries[0].offset]" {
		t.Errorf("fields %v, want entries[0].offset", fields)
	}
	if n := e.count("/api/v1/exercise-templates?series=EU+Integrated+Resolve", "nato_viewer"); n != 1 {
		t.Errorf("%d templates listed, want 1", n)
	}
	e.expect(e.do("GET", "/api/v1/exercise-templates/EU%20Integrated%20Resolve", "eu_viewer", nil), 200)
	e.expect(e.do("PATCH", fmt.Sprintf("/api/v1/exercise-templates/%d", id), "admin", map[string]any{"description": "The EU's crisis-management exercise"}, "If-Match", `"v1"`), 200)

	// Created from the template: the exercise and six children in one
	// answer, placed on the Brussels calendar.
	start := "2031-11-14T09:00:00+01:00"
	set := e.expect(e.do("POST", fmt.Sprintf("/api/v1/exercise-templates/%d/instantiate", id), "eu_planner", map[string]any{
		"title": "EU IR 31", "start": start, "end": "2031-11-19T09:00:00+01:00", "timezone": "Europe/Brussels"}), 201).json(t)
	children := set["children"].([]any)
	if len(children) != 6 {
		t.Fatalf("%d children, want 6", len(children))
	}
	if got := children[2].(map[string]any)["start"]; got != "2031-05-14T09:00:00+02:00" {
		t.Errorf("main planning conference starts %v, want 2031-05-14T09:00:00+02:00", got)
	}
	exercise := int64(set["activity"].(map[string]any)["id"].(float64))

	// Another exercise would put its final planning conference on a busy
	// PSC: one 409 for the set, and nothing is created.
	e.expect(e.do("POST", "/api/v1/activities", "eu_planner", meeting("EU", "PSC", "2032-09-14T10:00:00+02:00", "2032-09-14T11:00:00+02:00", body("PSC"))), 201)
	before := e.count("/api/v1/activities", "admin")
	p := e.expect(e.do("POST", "/api/v1/exercise-templates/EU%20Integrated%20Resolve/instantiate", "eu_planner", map[string]any{
		"title": "EU IR 32", "start": "2032-11-14T09:00:00+01:00", "end": "2032-11-19T09:00:00+01:00", "timezone": "Europe/Brussels"}), 409).json(t)
	if c := p["conflicts"].([]any); len(c) != 1 || c[0].(map[string]any)["rule"] != "body_double_booked" {
		t.Errorf("conflicts %v", c)
	}
	if after := e.count("/api/v1/activities", "admin"); after != before {
		t.Errorf("a refused instantiation created %d activities", after-before)
	}

	// Moving the first exercise a year on meets the same PSC meeting:
	// refused as a whole; with a reason, everything moves.
	path := fmt.Sprintf("/api/v1/activities/%d/move", exercise)
	e.expect(e.do("POST", path, "eu_planner", map[string]any{"start": "2032-11-14T09:00:00+01:00"}), 409)
	e.expect(e.do("POST", path, "nato_planner", map[string]any{"start": "2031-11-21T09:00:00+01:00"}), 403)
	moved := e.expect(e.do("POST", path, "eu_planner", map[string]any{"start": "2031-11-21T09:00:00+01:00"}, "If-Match", `"v1"`), 200).json(t)
	if got := moved["children"].([]any)[2].(map[string]any)["start"]; got != "2031-05-21T09:00:00+02:00" {
		t.Errorf("main planning conference moved to %v, want 2031-05-21T09:00:00+02:00", got)
	}
	e.expect(e.do("POST", path, "eu_planner", map[string]any{"start": "2031-11-28T09:00:00+01:00"}, "If-Match", `"v1"`), 412)
	e.expect(e.do("DELETE", fmt.Sprintf("/api/v1/exercise-templates/%d", id), "admin", nil), 204)
}

func TestPacePairsThroughTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	exercise := func(who, lead, title string, visibility ...string) int64 {
		in := map[string]any{"kind": "exercise", "title": title, "start": "2032-11-14T00:00:00Z", "end": "2032-11-20T00:00:00Z", "lead_organization": lead,
			"participants": []map[string]any{{"type": "organization", "id_or_code": "EU"}, {"type": "organization", "id_or_code": "NATO"}}}
		if visibility != nil {
			in["visibility"] = visibility
		}
		return idOf(t, e.expect(e.do("POST", "/api/v1/activities", who, in), 201))
	}
	eir := exercise("eu_planner", "EU", "EU Integrated Resolve 32")
	cmx := exercise("nato_planner", "NATO", "CMX 32")
	hidden := exercise("eu_planner", "EU", "EU-only exercise", "EU")
	warnings := func(id int64) string {
		var rules []string
		for _, w := range e.expect(e.do("GET", fmt.Sprintf("/api/v1/activities/%d/conflicts", id), "admin", nil), 200).json(t)["warnings"].([]any) {
			other := w.(map[string]any)["other"].(map[string]any)
			rules = append(rules, fmt.Sprintf("%s:%v", w.(map[string]any)["rule"], other["activity_id"]))
		}
		return strings.Join(rules, ",")
	}
	if w := warnings(cmx); !strings.Contains(w, fmt.Sprintf("planning_overlap:%d", eir)) {
		t.Fatalf("before pairing CMX warns %s", w)
	}
	pair := e.expect(e.do("POST", "/api/v1/pace-pairs", "nato_planner", map[string]any{"year": 2032, "exercises": []int64{cmx, eir}, "lead_organization": "EU"}), 201).json(t)
	pid := int64(pair["id"].(float64))
	if w := warnings(cmx); strings.Contains(w, fmt.Sprintf("planning_overlap:%d", eir)) || !strings.Contains(w, fmt.Sprintf("planning_overlap:%d", hidden)) {
		t.Errorf("after pairing CMX warns %s; want the EU-only exercise only", w)
	}
	e.expect(e.do("POST", "/api/v1/pace-pairs", "eu_viewer", map[string]any{"year": 2032, "exercises": []int64{cmx, hidden}, "lead_organization": "EU"}), 403)
	secret := e.expect(e.do("POST", "/api/v1/pace-pairs", "admin", map[string]any{"year": 2032, "exercises": []int64{cmx, hidden}, "lead_organization": "NATO"}), 201).json(t)
	e.expect(e.do("GET", fmt.Sprintf("/api/v1/pace-pairs/%v", secret["id"]), "nato_viewer", nil), 404)
	if n := e.count("/api/v1/pace-pairs?year=2032", "nato_viewer"); n != 1 {
		t.Errorf("NATO lists %d pairs, want the one it can see", n)
	}
	if n := e.count("/api/v1/pace-pairs?year=2032", "eu_viewer"); n != 2 {
		t.Errorf("the EU lists %d pairs, want 2", n)
	}
	e.expect(e.do("POST", fmt.Sprintf("/api/v1/pace-pairs/%d/meetings", pid), "eu_planner",
		meeting("EU", "PACE coordination", "2032-03-02T10:00:00+01:00", "2032-03-02T11:00:00+01:00")), 201)
	got := e.expect(e.do("GET", fmt.Sprintf("/api/v1/pace-pairs/%d", pid), "nato_viewer", nil), 200).json(t)
	if m := got["meetings"].([]any); len(m) != 1 {
		t.Errorf("meetings %v", m)
	}
	e.expect(e.do("DELETE", fmt.Sprintf("/api/v1/pace-pairs/%d", pid), "nato_viewer", nil), 403)
	e.expect(e.do("DELETE", fmt.Sprintf("/api/v1/pace-pairs/%d", pid), "nato_planner", nil), 204)
}

func TestReportsCountOnlyWhatTheCallerSees(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	book := func(who string, in map[string]any) {
		e.expect(e.do("POST", "/api/v1/activities", who, in), 201)
	}
	xb := func(lead, host, title, start, end string) map[string]any {
		in := meeting(lead, title, start, end, map[string]any{"type": "body", "id_or_code": host, "role": "audience"})
		in["kind"], in["venue"], in["areas"] = "cross_briefing", "VTC", []string{"political_dialogue"}
		return in
	}
	book("eu_planner", xb("EU", "NAC", "EEAS briefs the NAC", "2031-01-13T10:00:00+01:00", "2031-01-13T11:00:00+01:00"))
	book("eu_planner", xb("EU", "NAC", "Commissioner briefs the NAC", "2031-04-15T10:00:00+02:00", "2031-04-15T11:00:00+02:00"))
	book("nato_planner", xb("NATO", "PSC", "DSG briefs the PSC", "2031-02-10T10:00:00+01:00", "2031-02-10T11:00:00+01:00"))
	hybrid := meeting("EU", "Hybrid staff exchange", "2031-01-14T10:00:00+01:00", "2031-01-14T11:00:00+01:00")
	hybrid["kind"], hybrid["rrule"], hybrid["areas"] = "staff_talks", "FREQ=MONTHLY;BYDAY=2TU;COUNT=4", []string{"hybrid_threats"}
	book("eu_planner", hybrid)
	secret := meeting("EU", "EU-only preparation", "2031-02-03T10:00:00+01:00", "2031-02-03T11:00:00+01:00")
	secret["visibility"], secret["areas"] = []string{"EU"}, []string{"hybrid_threats"}
	book("eu_planner", secret)

	window := "from=2031-01-01T00:00:00Z&to=2032-01-01T00:00:00Z"
	groups := func(who, groupBy string) map[string]string {
		r := e.expect(e.do("GET", "/api/v1/reports/activities?"+window+"&group_by="+groupBy+"&timezone=Europe/Brussels", who, nil), 200).json(t)
		out := map[string]string{"total": fmt.Sprintf("%v/%v", r["activities"], r["occurrences"])}
		for _, g := range r["groups"].([]any) {
			m := g.(map[string]any)
			out[m["key"].(string)] = fmt.Sprintf("%v/%v", m["activities"], m["occurrences"])
		}
		return out
	}
	if g := groups("eu_viewer", "area"); g["hybrid_threats"] != "2/5" || g["political_dialogue"] != "3/3" || g["total"] != "5/8" {
		t.Errorf("EU by area %v", g)
	}
	if g := groups("nato_viewer", "area"); g["hybrid_threats"] != "1/4" || g["total"] != "4/7" {
		t.Errorf("NATO by area %v: the EU-only meeting must not count", g)
	}
	if g := groups("nato_viewer", "quarter"); g["2031-Q1"] != "3/5" || g["2031-Q2"] != "2/2" {
		t.Errorf("NATO by quarter %v", g)
	}
	if g := groups("admin", "body"); g["NAC"] != "2/2" || g["PSC"] != "1/1" {
		t.Errorf("by body %v", g)
	}
	if g := groups("admin", "organization"); g["EU"] != "4/7" || g["NATO"] != "1/1" {
		t.Errorf("by organisation %v", g)
	}

	r := e.expect(e.do("GET", "/api/v1/reports/activities?"+window+"&group_by=kind&format=csv", "nato_viewer", nil), 200)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	lines, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(lines) != "[[kind activities occurrences] [cross_briefing 3 3] [staff_talks 1 4]]" {
		t.Errorf("CSV %v", lines)
	}
	r = e.expect(e.do("GET", "/api/v1/reports/cross-briefings?"+window, "nato_viewer", nil, "Accept", "text/csv"), 200)
	if got := string(r.Body); got != "year,host_body,host_organization,briefing_organization,count\n2031,NAC,NATO,EU,2\n2031,PSC,EU,NATO,1\n" {
		t.Errorf("cross-briefings CSV:\n%s", got)
	}
	e.expect(e.do("GET", "/api/v1/reports/activities?"+window+"&group_by=weekday", "admin", nil), 422)
	e.expect(e.do("GET", "/api/v1/reports/activities?group_by=kind", "admin", nil), 422)
	e.expect(e.do("GET", "/api/v1/reports/activities?"+window+"&format=xml", "admin", nil), 422)
}

func TestExerciseParticipationReport(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	ex := map[string]any{"kind": "exercise", "title": "CMX 31", "start": "2031-11-14T00:00:00Z", "end": "2031-11-20T00:00:00Z", "lead_organization": "NATO",
		"participants": []map[string]any{{"type": "organization", "id_or_code": "NATO", "role": "lead"}, {"type": "organization", "id_or_code": "EU"}}}
	id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "nato_planner", ex), 201))
	ipc := meeting("NATO", "CMX 31 initial planning conference", "2031-03-10T09:00:00+01:00", "2031-03-10T17:00:00+01:00", person("ana@eeas.example", true), person("ben@nato.example", true))
	ipc["kind"], ipc["parent"] = "exercise_phase", id
	e.expect(e.do("POST", "/api/v1/activities", "nato_planner", ipc), 201)
	r := e.expect(e.do("GET", "/api/v1/reports/exercise-participation?from=2031-11-01T00:00:00Z&to=2031-12-01T00:00:00Z&format=csv", "eu_viewer", nil), 200)
	lines, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range lines[1:] {
		got = append(got, l[3]+"|"+l[6]+"|"+l[7]+"|"+l[8])
	}
	want := "CMX 31|NATO|NATO|lead,CMX 31|EU|EU|participant,CMX 31 initial planning conference|ana@eeas.example|EU|participant,CMX 31 initial planning conference|ben@nato.example|NATO|participant"
	if strings.Join(got, ",") != want {
		t.Errorf("participation\n got %s\nwant %s", strings.Join(got, ","), want)
	}
}
