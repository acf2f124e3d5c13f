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

// BenchmarkCheck measures one conflict check of a one-week exercise (five
// working days, 09:00-11:00) with 10 people, a body, a venue and an
// organisation. "realistic" spreads the rows as a real week does: a few dozen
// per person, body and venue, and the rest on the organisation, which every
// one of its activities claims. "dense" spreads them evenly over the 13
// resources, so that about one row in ten conflicts: a worst case.
func BenchmarkCheck(b *testing.B) {
	for _, dense := range []bool{false, true} {
		for _, rows := range []int{1000, 3000, 10000} {
			name := fmt.Sprintf("realistic_%d_rows", rows)
			if dense {
				name = fmt.Sprintf("dense_%d_rows", rows)
			}
			b.Run(name, func(b *testing.B) {
				p, busy, blackouts := checkFixture(rows, dense)
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					n = len(Check(p, busy, blackouts, RuleConfig{Buffer: 15 * time.Minute}))
				}
				b.ReportMetric(float64(n), "conflicts")
			})
		}
	}
}

func checkFixture(rows int, dense bool) (Proposal, []Busy, []Blackout) {
	rng := rand.New(rand.NewPCG(1, 2))
	monday := time.Date(2025, 3, 17, 0, 0, 0, 0, time.UTC)
	var claims []Claim
	for i := range 10 {
		claims = append(claims, Claim{Resource: ResourceRef{ResourcePerson, int64(i + 1)}, Required: i < 8})
	}
	org := ResourceRef{ResourceOrganization, 300}
	claims = append(claims,
		Claim{Resource: ResourceRef{ResourceBody, 100}, Required: true},
		Claim{Resource: ResourceRef{ResourceVenue, 200}, Required: true, Buffer: 30 * time.Minute},
		Claim{Resource: org, Required: true})
	var occs []Occurrence
	for d := range 5 {
		s := monday.AddDate(0, 0, d).Add(9 * time.Hour)
		occs = append(occs, Occurrence{Start: s, End: s.Add(2 * time.Hour), RecurrenceID: s})
	}
	p := Proposal{ActivityID: 42, Kind: "exercise", Status: "confirmed", Occurrences: occs, Claims: claims}

	busy := make([]Busy, 0, rows)
	for i := range rows {
		res := org
		kind := "meeting"
		if rng.IntN(50) == 0 {
			kind = "exercise"
		}
		switch {
		case dense:
			res = claims[rng.IntN(len(claims))].Resource
		case i < 10*30:
			res = claims[i/30].Resource
		case i < 10*30+40:
			res = claims[10].Resource
		case i < 10*30+40+50:
			res = claims[11].Resource
		}
		s := monday.Add(-time.Hour).Add(time.Duration(rng.IntN(7*24*4)) * 15 * time.Minute)
		busy = append(busy, Busy{
			ActivityID: int64(1000 + i), Kind: kind,
			Start: s, End: s.Add(time.Duration(1+rng.IntN(8)) * 15 * time.Minute),
			Resource: res, Required: rng.IntN(4) > 0, External: rng.IntN(20) == 0, Severity: SeveritySoft,
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
