package planning

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	alice = ResourceRef{ResourcePerson, 1}
	bob   = ResourceRef{ResourcePerson, 2}
	nac   = ResourceRef{ResourceBody, 10}
	hq    = ResourceRef{ResourceVenue, 20}
	vtc   = ResourceRef{ResourceVenue, 21}
	eu    = ResourceRef{ResourceOrganization, 100}
	nato  = ResourceRef{ResourceOrganization, 101}
)

// day0 is a Monday; h(10) is 10:00 UTC on it, h(24+10) the next day.
var day0 = time.Date(2025, 3, 17, 0, 0, 0, 0, time.UTC)

func h(hours float64) time.Time { return day0.Add(time.Duration(hours * float64(time.Hour))) }

func occ(from, to float64) Occurrence {
	return Occurrence{Start: h(from), End: h(to), RecurrenceID: h(from)}
}

func req(r ResourceRef) Claim { return Claim{Resource: r, Required: true} }
func opt(r ResourceRef) Claim { return Claim{Resource: r} }

func row(id int64, kind string, from, to float64, r ResourceRef, required bool) Busy {
	return Busy{ActivityID: id, Kind: kind, Start: h(from), End: h(to), Resource: r, Required: required}
}

// proposed marks a busy row as held by a proposed activity.
func proposed(b Busy) Busy { b.Proposed = true; return b }

// describe renders a conflict compactly for table asserts.
func describe(c Conflict) string {
	s := fmt.Sprintf("%s/%s %s:%d occ=%s other=%d overlap=%s-%s", c.Rule, c.Severity, c.Resource.Type, c.Resource.ID,
		c.Occurrence.Start.Format("02T15:04"), c.OtherActivityID, c.Overlap.Start.Format("02T15:04"), c.Overlap.End.Format("02T15:04"))
	if c.BlackoutID != 0 {
		s += fmt.Sprintf(" blackout=%d", c.BlackoutID)
	}
	return s
}

func meeting(occs []Occurrence, claims ...Claim) Proposal {
	return Proposal{ActivityID: 1000, Kind: "meeting", Status: "confirmed", Occurrences: occs, Claims: claims}
}

func TestCheckRules(t *testing.T) {
	t.Parallel()
	one := []Occurrence{occ(10, 11)}
	cases := []struct {
		name      string
		p         Proposal
		busy      []Busy
		blackouts []Blackout
		cfg       RuleConfig
		want      []string
	}{
		{"person double-booked", meeting(one, req(alice)),
			[]Busy{row(7, "meeting", 10.5, 12, alice, true)}, nil, RuleConfig{},
			[]string{"person_double_booked/hard person:1 occ=17T10:00 other=7 overlap=17T10:30-17T11:00"}},
		{"touching intervals do not overlap", meeting(one, req(alice), req(hq)),
			[]Busy{row(7, "meeting", 11, 12, alice, true), row(8, "meeting", 9, 10, hq, true)}, nil, RuleConfig{},
			nil},
		{"optional on the proposal side", meeting(one, opt(alice)),
			[]Busy{row(7, "meeting", 10, 11, alice, true)}, nil, RuleConfig{},
			[]string{"optional_participant_busy/soft person:1 occ=17T10:00 other=7 overlap=17T10:00-17T11:00"}},
		{"optional on the other side", meeting(one, req(alice)),
			[]Busy{row(7, "meeting", 9, 10.25, alice, false)}, nil, RuleConfig{},
			[]string{"optional_participant_busy/soft person:1 occ=17T10:00 other=7 overlap=17T10:00-17T10:15"}},
		{"body double-booked", meeting(one, req(nac)),
			[]Busy{row(7, "meeting", 9, 13, nac, true)}, nil, RuleConfig{},
			[]string{"body_double_booked/hard body:10 occ=17T10:00 other=7 overlap=17T10:00-17T11:00"}},
		{"body optional", meeting(one, opt(nac)),
			[]Busy{row(7, "meeting", 9, 13, nac, true)}, nil, RuleConfig{},
			[]string{"optional_participant_busy/soft body:10 occ=17T10:00 other=7 overlap=17T10:00-17T11:00"}},
		{"venue double-booked, required or not", meeting(one, opt(hq)),
			[]Busy{row(7, "meeting", 10, 11, hq, false)}, nil, RuleConfig{},
			[]string{"venue_double_booked/hard venue:20 occ=17T10:00 other=7 overlap=17T10:00-17T11:00"}},
		{"virtual venue claimed: never", meeting(one, Claim{Resource: vtc, Required: true, Virtual: true}),
			[]Busy{row(7, "meeting", 10, 11, vtc, true)}, nil, RuleConfig{},
			nil},
		{"virtual venue on the other side: never", meeting(one, req(vtc)),
			[]Busy{{ActivityID: 7, Start: h(10), End: h(11), Resource: vtc, Required: true, Virtual: true}}, nil, RuleConfig{},
			nil},
		{"organisations do many things at once", meeting(one, req(eu)),
			[]Busy{row(7, "meeting", 10, 11, eu, true), row(8, "exercise", 10, 11, eu, true)}, nil, RuleConfig{},
			nil},
		{"exercises of one organisation overlap", Proposal{ActivityID: 1000, Kind: "exercise", Occurrences: one, Claims: []Claim{req(eu), req(nato)}},
			[]Busy{row(7, "exercise_phase", 10.5, 30, eu, true), row(7, "exercise_phase", 10.5, 30, eu, false), row(8, "exercise", 10, 11, nato, true)}, nil, RuleConfig{},
			[]string{
				"planning_overlap/soft organization:100 occ=17T10:00 other=7 overlap=17T10:30-17T11:00",
				"planning_overlap/soft organization:101 occ=17T10:00 other=8 overlap=17T10:00-17T11:00",
			}},
		{"exercise phase sharing a body with an exercise", Proposal{ActivityID: 1000, Kind: "exercise_phase", Occurrences: one, Claims: []Claim{req(nac)}},
			[]Busy{row(7, "exercise", 10, 11, nac, true)}, nil, RuleConfig{},
			[]string{
				"body_double_booked/hard body:10 occ=17T10:00 other=7 overlap=17T10:00-17T11:00",
				"planning_overlap/soft body:10 occ=17T10:00 other=7 overlap=17T10:00-17T11:00",
			}},
		{"a PACE partner and its phases overlap on purpose; other exercises still clash", Proposal{ActivityID: 1000, Kind: "exercise", Occurrences: one, Claims: []Claim{req(eu), req(nato), req(nac)}, Coordinated: map[int64]bool{7: true, 9: true}},
			[]Busy{row(7, "exercise", 10, 11, nato, true), row(9, "exercise_phase", 10, 11, eu, true), row(9, "exercise_phase", 10, 11, nac, true), row(8, "exercise", 10, 11, nato, true)}, nil, RuleConfig{},
			[]string{
				"body_double_booked/hard body:10 occ=17T10:00 other=9 overlap=17T10:00-17T11:00",
				"planning_overlap/soft organization:101 occ=17T10:00 other=8 overlap=17T10:00-17T11:00",
			}},
		{"exercise against a meeting is no planning overlap", Proposal{ActivityID: 1000, Kind: "exercise", Occurrences: one, Claims: []Claim{req(eu)}},
			[]Busy{row(7, "meeting", 10, 11, eu, true)}, nil, RuleConfig{},
			nil},
		{"buffer: gap shorter than the global buffer", meeting(one, req(alice), req(nac)),
			[]Busy{row(7, "meeting", 11.25, 12, alice, true), row(8, "meeting", 8, 9.75, nac, true)}, nil, RuleConfig{Buffer: 30 * time.Minute},
			[]string{
				"buffer/soft body:10 occ=17T10:00 other=8 overlap=17T09:45-17T10:00",
				"buffer/soft person:1 occ=17T10:00 other=7 overlap=17T11:00-17T11:15",
			}},
		{"buffer: touching is a zero gap", meeting(one, req(alice)),
			[]Busy{row(7, "meeting", 11, 12, alice, true)}, nil, RuleConfig{Buffer: time.Minute},
			[]string{"buffer/soft person:1 occ=17T10:00 other=7 overlap=17T11:00-17T11:00"}},
		{"buffer: a gap equal to the buffer is enough", meeting(one, req(alice)),
			[]Busy{row(7, "meeting", 11.5, 12, alice, true)}, nil, RuleConfig{Buffer: 30 * time.Minute},
			nil},
		{"a proposed activity holds people, bodies and rooms softly", meeting(one, req(alice), req(nac), req(hq)),
			[]Busy{proposed(row(7, "meeting", 10, 11, alice, true)), proposed(row(7, "meeting", 10.5, 12, nac, true)), proposed(row(7, "meeting", 9, 10.5, hq, true))}, nil, RuleConfig{},
			[]string{
				"proposal_hold/soft body:10 occ=17T10:00 other=7 overlap=17T10:30-17T11:00",
				"proposal_hold/soft person:1 occ=17T10:00 other=7 overlap=17T10:00-17T11:00",
				"proposal_hold/soft venue:20 occ=17T10:00 other=7 overlap=17T10:00-17T10:30",
			}},
		{"a proposed activity next door: no buffer, no hold", meeting(one, req(alice)),
			[]Busy{proposed(row(7, "meeting", 11, 12, alice, true))}, nil, RuleConfig{Buffer: time.Hour},
			nil},
		{"a proposed exercise still overlaps an exercise in planning", Proposal{ActivityID: 1000, Kind: "exercise", Occurrences: one, Claims: []Claim{req(eu)}},
			[]Busy{proposed(row(7, "exercise", 10, 11, eu, true))}, nil, RuleConfig{},
			[]string{"planning_overlap/soft organization:100 occ=17T10:00 other=7 overlap=17T10:00-17T11:00"}},
		{"buffer: zero means never", meeting(one, req(alice)),
			[]Busy{row(7, "meeting", 11, 12, alice, true)}, nil, RuleConfig{},
			nil},
		{"buffer: a venue's buffer applies to the people", meeting(one, req(alice), Claim{Resource: hq, Required: true, Buffer: time.Hour}),
			[]Busy{row(7, "meeting", 11.5, 12, alice, true), row(8, "meeting", 11.5, 12, hq, true)}, nil, RuleConfig{Buffer: 30 * time.Minute},
			[]string{"buffer/soft person:1 occ=17T10:00 other=7 overlap=17T11:00-17T11:30"}},
		{"buffer: not for organisations", meeting(one, req(eu)),
			[]Busy{row(7, "meeting", 11, 12, eu, true)}, nil, RuleConfig{Buffer: time.Hour},
			nil},
		{"blackout of a claimed organisation", meeting(one, req(eu), req(alice)),
			nil, []Blackout{{ID: 3, Start: h(0), End: h(24 * 5), Organizations: []int64{101, 100}}}, RuleConfig{},
			[]string{"blackout/hard organization:100 occ=17T10:00 other=0 overlap=17T10:00-17T11:00 blackout=3"}},
		{"soft blackout", meeting(one, req(eu)),
			nil, []Blackout{{ID: 3, Start: h(10.5), End: h(12), Organizations: []int64{100}, Severity: SeveritySoft}}, RuleConfig{},
			[]string{"blackout/soft organization:100 occ=17T10:00 other=0 overlap=17T10:30-17T11:00 blackout=3"}},
		{"blackout of another organisation, touching, or of nobody", meeting(one, req(eu)),
			nil, []Blackout{
				{ID: 3, Start: h(0), End: h(24), Organizations: []int64{101}},
				{ID: 4, Start: h(11), End: h(12), Organizations: []int64{100}},
				{ID: 5, Start: h(0), End: h(24)},
			}, RuleConfig{},
			nil},
		{"blackout needs an organisation claim", meeting(one, req(alice)),
			nil, []Blackout{{ID: 3, Start: h(0), End: h(24), Organizations: []int64{100}}}, RuleConfig{},
			nil},
		{"external calendars, any resource, their own severity", meeting(one, req(alice), req(eu)),
			[]Busy{
				{Start: h(10), End: h(10.5), Resource: alice, External: true},
				{Start: h(9), End: h(10.25), Resource: eu, External: true, Severity: SeverityHard},
				{Start: h(11), End: h(12), Resource: alice, External: true, Severity: SeverityHard},
			}, nil, RuleConfig{Buffer: time.Hour},
			[]string{
				"external_busy/hard organization:100 occ=17T10:00 other=0 overlap=17T10:00-17T10:15",
				"external_busy/soft person:1 occ=17T10:00 other=0 overlap=17T10:00-17T10:30",
			}},
		{"the proposal's own stored rows are ignored", meeting(one, req(alice), req(hq)),
			[]Busy{row(1000, "meeting", 10, 11, alice, true), row(1000, "meeting", 10, 11, hq, true)}, nil, RuleConfig{},
			nil},
		{"a new proposal does not ignore activity 0's external rows", Proposal{Kind: "meeting", Occurrences: one, Claims: []Claim{req(alice)}},
			[]Busy{{Start: h(10), End: h(11), Resource: alice, External: true, Severity: SeverityHard}}, nil, RuleConfig{},
			[]string{"external_busy/hard person:1 occ=17T10:00 other=0 overlap=17T10:00-17T11:00"}},
		{"own occurrences that overlap clash", meeting([]Occurrence{occ(10, 12), occ(11, 13), occ(13, 14)}, req(alice), opt(bob), req(hq), req(eu), Claim{Resource: vtc, Virtual: true}),
			nil, nil, RuleConfig{Buffer: time.Hour},
			[]string{
				"person_double_booked/hard person:1 occ=17T10:00 other=1000 overlap=17T11:00-17T12:00",
				"venue_double_booked/hard venue:20 occ=17T10:00 other=1000 overlap=17T11:00-17T12:00",
				"optional_participant_busy/soft person:2 occ=17T10:00 other=1000 overlap=17T11:00-17T12:00",
			}},
		{"recurring proposal against a single activity", meeting([]Occurrence{occ(10, 11), occ(24*7+10, 24*7+11), occ(24*14+10, 24*14+11)}, req(alice)),
			[]Busy{row(7, "meeting", 24*7+9, 24*7+10.5, alice, true)}, nil, RuleConfig{},
			[]string{"person_double_booked/hard person:1 occ=24T10:00 other=7 overlap=24T10:00-24T10:30"}},
		{"single proposal against recurring rows", meeting(one, req(alice)),
			[]Busy{row(7, "meeting", 10, 11, alice, true), row(7, "meeting", 24*7+10, 24*7+11, alice, true), row(7, "meeting", 10, 11, alice, true)}, nil, RuleConfig{},
			[]string{"person_double_booked/hard person:1 occ=17T10:00 other=7 overlap=17T10:00-17T11:00"}},
		{"claims on one resource merge: required wins", meeting(one, opt(alice), req(alice)),
			[]Busy{row(7, "meeting", 10, 11, alice, true)}, nil, RuleConfig{},
			[]string{"person_double_booked/hard person:1 occ=17T10:00 other=7 overlap=17T10:00-17T11:00"}},
		{"rows of unclaimed resources are ignored", meeting(one, req(alice)),
			[]Busy{row(7, "meeting", 10, 11, bob, true), row(8, "meeting", 10, 11, hq, true)}, nil, RuleConfig{},
			nil},
		{"a long row starting well before is found", meeting([]Occurrence{occ(24*3+10, 24*3+11)}, req(alice)),
			[]Busy{row(7, "meeting", 0, 24*5, alice, true), row(8, "meeting", 24*3, 24*3+1, alice, true)}, nil, RuleConfig{},
			[]string{"person_double_booked/hard person:1 occ=20T10:00 other=7 overlap=20T10:00-20T11:00"}},
		{"hard first, then by occurrence", meeting([]Occurrence{occ(10, 11), occ(14, 15)}, opt(bob), req(alice)),
			[]Busy{row(7, "meeting", 10, 11, bob, true), row(8, "meeting", 14, 15, alice, true)}, nil, RuleConfig{},
			[]string{
				"person_double_booked/hard person:1 occ=17T14:00 other=8 overlap=17T14:00-17T15:00",
				"optional_participant_busy/soft person:2 occ=17T10:00 other=7 overlap=17T10:00-17T11:00",
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := Check(c.p, c.busy, c.blackouts, c.cfg)
			if got == nil {
				t.Fatal("Check returned nil; want a non-nil slice")
			}
			var desc []string
			for _, g := range got {
				desc = append(desc, describe(g))
				if g.Hard() != (g.Severity == SeverityHard) {
					t.Errorf("Hard() disagrees with severity on %s", describe(g))
				}
			}
			if !slices.Equal(desc, c.want) {
				t.Fatalf("conflicts:\n  %v\nwant\n  %v", desc, c.want)
			}
			// Same answer whatever the order of the input rows.
			rev := slices.Clone(c.busy)
			slices.Reverse(rev)
			again := Check(c.p, rev, c.blackouts, c.cfg)
			if !slices.EqualFunc(got, again, func(a, b Conflict) bool { return describe(a) == describe(b) }) {
				t.Fatalf("order of busy rows changed the answer")
			}
		})
	}
}

func TestCheckCancelledProposal(t *testing.T) {
	t.Parallel()
	p := meeting([]Occurrence{occ(10, 11)}, req(alice))
	p.Status = "cancelled"
	got := Check(p, []Busy{row(7, "meeting", 10, 11, alice, true)}, []Blackout{{ID: 1, Start: h(0), End: h(24), Organizations: []int64{100}}}, RuleConfig{})
	if got == nil || len(got) != 0 {
		t.Fatalf("cancelled proposal: %v, want an empty non-nil slice", got)
	}
}

// DST and all-day cases go through Expand, as the API will.
func TestCheckWithExpandedOccurrences(t *testing.T) {
	t.Parallel()
	brussels := zone(t, "Europe/Brussels")
	thu := at(t, brussels, "2025-03-20 10:00")
	weekly := Recurrence{Start: thu, End: thu.Add(time.Hour), TimeZone: "Europe/Brussels", RRule: "FREQ=WEEKLY;COUNT=3"}
	occs, err := Expand(weekly, thu, thu.AddDate(0, 1, 0), thu, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	p := meeting(occs, req(alice))

	// 3 April is after the change: the meeting is at 08:00 UTC, not 09:00.
	got := Check(p, []Busy{
		{ActivityID: 7, Start: utc(t, "2025-04-03T08:30:00Z"), End: utc(t, "2025-04-03T09:30:00Z"), Resource: alice, Required: true},
		{ActivityID: 8, Start: utc(t, "2025-04-03T09:00:00Z"), End: utc(t, "2025-04-03T10:00:00Z"), Resource: alice, Required: true},
		{ActivityID: 9, Start: utc(t, "2025-03-27T09:00:00Z"), End: utc(t, "2025-03-27T09:01:00Z"), Resource: alice, Required: true},
	}, nil, RuleConfig{})
	var desc []string
	for _, c := range got {
		desc = append(desc, describe(c))
	}
	want := []string{
		"person_double_booked/hard person:1 occ=27T09:00 other=9 overlap=27T09:00-27T09:01",
		"person_double_booked/hard person:1 occ=03T08:00 other=7 overlap=03T08:30-03T09:00",
	}
	if !slices.Equal(desc, want) {
		t.Fatalf("conflicts %v, want %v", desc, want)
	}

	// An all-day activity on the 23-hour day of the change ends at 22:00 UTC.
	day := at(t, brussels, "2025-03-30")
	allDay := Recurrence{Start: day, End: day.AddDate(0, 0, 1), TimeZone: "Europe/Brussels", AllDay: true}
	occs, err = Expand(allDay, day, day.AddDate(0, 0, 1), day, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	got = Check(meeting(occs, req(nac)), []Busy{
		{ActivityID: 7, Start: utc(t, "2025-03-30T21:30:00Z"), End: utc(t, "2025-03-30T22:30:00Z"), Resource: nac, Required: true},
		{ActivityID: 8, Start: utc(t, "2025-03-30T22:00:00Z"), End: utc(t, "2025-03-30T23:00:00Z"), Resource: nac, Required: true},
	}, nil, RuleConfig{})
	if len(got) != 1 || got[0].OtherActivityID != 7 || !got[0].Overlap.End.Equal(utc(t, "2025-03-30T22:00:00Z")) {
		t.Fatalf("all-day on the DST day: %v", got)
	}
}

// TestCheckSelfPairOrderless: two occurrences of one activity starting
// together (an instance moved onto another's start) are reported from
// the shorter one whatever order they are given in: the agenda checks
// subsets of an activity's occurrences and must find the same clash.
func TestCheckSelfPairOrderless(t *testing.T) {
	t.Parallel()
	long, short := occ(10, 12), occ(10, 11)
	short.RecurrenceID = h(24 + 10)
	var first []string
	for i, occs := range [][]Occurrence{{long, short}, {short, long}} {
		var got []string
		for _, c := range Check(meeting(occs, req(alice)), nil, nil, RuleConfig{}) {
			got = append(got, describe(c)+" to="+c.Occurrence.End.Format("15:04"))
		}
		if len(got) != 1 || !strings.HasSuffix(got[0], "to=11:00") {
			t.Fatalf("order %d: %v, want the pair once, from the occurrence ending at 11:00", i, got)
		}
		if i == 0 {
			first = got
		} else if got[0] != first[0] {
			t.Fatalf("the pair depends on the order: %v, then %v", first, got)
		}
	}
}
