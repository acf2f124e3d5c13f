package planning

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkExpand measures the expansions the service does most: the whole
// horizon of a weekly and a daily series (on write, and by the horizon job),
// and one week of a long-running series (on feed and conflict reads).
func BenchmarkExpand(b *testing.B) {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2025, 1, 6, 10, 0, 0, 0, loc)
	cases := []struct {
		name     string
		rule     string
		from, to time.Time
	}{
		{"weekly_3y", "FREQ=WEEKLY;BYDAY=MO", start, start.Add(DefaultHorizon)},
		{"daily_3y", "FREQ=DAILY", start, start.Add(DefaultHorizon)},
		{"biweekly_3y", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", start, start.Add(DefaultHorizon)},
		{"monthly_last_weekday_3y", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", start, start.Add(DefaultHorizon)},
		{"daily_one_week_10y_after_start", "FREQ=DAILY", start.AddDate(10, 0, 0), start.AddDate(10, 0, 7)},
	}
	for _, c := range cases {
		r := Recurrence{Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels", RRule: c.rule,
			ExDates: []time.Time{start.AddDate(0, 0, 14)}}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				occs, err := Expand(r, c.from, c.to, c.from, DefaultLimits())
				if err != nil {
					b.Fatal(err)
				}
				n = len(occs)
			}
			b.ReportMetric(float64(n), "occurrences")
		})
	}
}

// BenchmarkCheck measures one conflict check of a one-week proposal (five
// working days) with 10 people, a body, a venue and an organisation against a
// realistic neighbourhood of busy rows on those resources, and a few
// blackouts.
func BenchmarkCheck(b *testing.B) {
	for _, rows := range []int{1000, 3000, 10000} {
		b.Run(fmt.Sprintf("10_people_1_week_%d_rows", rows), func(b *testing.B) {
			p, busy, blackouts := checkFixture(rows)
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n = len(Check(p, busy, blackouts, RuleConfig{Buffer: 15 * time.Minute}))
			}
			b.ReportMetric(float64(n), "conflicts")
		})
	}
}

func checkFixture(rows int) (Proposal, []Busy, []Blackout) {
	rng := rand.New(rand.NewPCG(1, 2))
	monday := time.Date(2025, 3, 17, 0, 0, 0, 0, time.UTC)
	var claims []Claim
	for i := range 10 {
		claims = append(claims, Claim{Resource: ResourceRef{ResourcePerson, int64(i + 1)}, Required: i < 8})
	}
	claims = append(claims,
		Claim{Resource: ResourceRef{ResourceBody, 100}, Required: true},
		Claim{Resource: ResourceRef{ResourceVenue, 200}, Required: true, Buffer: 30 * time.Minute},
		Claim{Resource: ResourceRef{ResourceOrganization, 300}, Required: true})
	var occs []Occurrence
	for d := range 5 {
		s := monday.AddDate(0, 0, d).Add(9 * time.Hour)
		occs = append(occs, Occurrence{Start: s, End: s.Add(2 * time.Hour), RecurrenceID: s})
	}
	p := Proposal{ActivityID: 42, Kind: "exercise", Status: "confirmed", Occurrences: occs, Claims: claims}

	kinds := []string{"meeting", "cross_briefing", "exercise", "staff_talks"}
	busy := make([]Busy, 0, rows)
	for i := range rows {
		c := claims[rng.IntN(len(claims))]
		s := monday.Add(-time.Hour).Add(time.Duration(rng.IntN(7*24*4)) * 15 * time.Minute)
		busy = append(busy, Busy{
			ActivityID: int64(1000 + i/3), Kind: kinds[rng.IntN(len(kinds))],
			Start: s, End: s.Add(time.Duration(1+rng.IntN(8)) * 15 * time.Minute),
			Resource: c.Resource, Required: rng.IntN(4) > 0, External: rng.IntN(20) == 0, Severity: SeveritySoft,
		})
	}
	blackouts := []Blackout{
		{ID: 1, Start: monday.AddDate(0, 0, 2), End: monday.AddDate(0, 0, 3), Organizations: []int64{300}, Severity: SeveritySoft},
		{ID: 2, Start: monday.AddDate(0, 0, 10), End: monday.AddDate(0, 0, 12), Organizations: []int64{300}},
	}
	return p, busy, blackouts
}

// BenchmarkFreeSlots measures a typical "find a time next week" query over a
// busy calendar.
func BenchmarkFreeSlots(b *testing.B) {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		b.Fatal(err)
	}
	from := time.Date(2025, 3, 17, 0, 0, 0, 0, loc)
	rng := rand.New(rand.NewPCG(3, 4))
	var busy []Span
	for range 2000 {
		s := from.Add(time.Duration(rng.IntN(14*24*4)) * 15 * time.Minute)
		busy = append(busy, Span{s, s.Add(time.Duration(1+rng.IntN(4)) * 15 * time.Minute)})
	}
	q := SlotQuery{Duration: time.Hour, From: from, To: from.AddDate(0, 0, 14), WorkStart: 9 * time.Hour, WorkEnd: 18 * time.Hour,
		Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, Location: loc}
	b.ReportAllocs()
	for b.Loop() {
		FreeSlots(busy, q)
	}
}
