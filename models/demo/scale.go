package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jointcal/jointcal/models"
)

// ScaleResources is how many people, bodies and venues Scale creates in
// all: the resource pool of the performance targets (docs/PERFORMANCE.md).
const ScaleResources = 2000

// Scale fills a database with n generated activities for load tests: a
// fifth recurring (weekly, ten times), the rest single, one to three hours
// long, spread over three years from start, each with three to six
// participants drawn from a pool of 2,000 people, bodies and venues. It
// goes through the same conflict-checked write path as the API (forcing
// the rare clash with an override reason) and reports progress to
// progress, which may be nil. The same seed makes the same data, and an
// activity that a run with the same seed made already (found by its source
// UID) is counted as existing, not made twice.
func Scale(ctx context.Context, store *models.Store, n int, start time.Time, seed uint64, progress func(done int)) (Summary, error) {
	var sum Summary
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	sys := models.System()
	for _, o := range []models.OrganizationInput{{Code: "EU", Name: "European Union"}, {Code: "NATO", Name: "North Atlantic Treaty Organization"}} {
		if _, err := store.CreateOrganization(ctx, sys, o); err != nil && !isDuplicate(err) {
			return sum, fmt.Errorf("organisation %s: %w", o.Code, err)
		}
	}
	orgs := []models.Ref{"EU", "NATO"}
	const people, bodies = 1200, 500
	venues := ScaleResources - people - bodies
	for i := 0; i < people; i++ {
		in := models.PersonInput{Name: fmt.Sprintf("Staff member %d", i), Email: fmt.Sprintf("staff%d@scale.example", i), TimeZone: "Europe/Brussels", Organization: orgs[i%2]}
		if _, err := store.CreatePerson(ctx, sys, in); err != nil && !isDuplicate(err) {
			return sum, fmt.Errorf("person %s: %w", in.Email, err)
		}
	}
	for i := 0; i < bodies; i++ {
		in := models.BodyInput{Code: fmt.Sprintf("BODY-%d", i), Name: fmt.Sprintf("Committee %d", i), Organization: orgs[i%2], Members: []models.Ref{models.Ref(fmt.Sprintf("staff%d@scale.example", i%people))}}
		if _, err := store.CreateBody(ctx, sys, in); err != nil && !isDuplicate(err) {
			return sum, fmt.Errorf("body %s: %w", in.Code, err)
		}
	}
	for i := 0; i < venues; i++ {
		in := models.VenueInput{Code: fmt.Sprintf("ROOM-%d", i), Name: fmt.Sprintf("Room %d", i), TimeZone: "Europe/Brussels", Virtual: i%10 == 0}
		if _, err := store.CreateVenue(ctx, sys, in); err != nil && !isDuplicate(err) {
			return sum, fmt.Errorf("venue %s: %w", in.Code, err)
		}
	}
	bru, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return sum, fmt.Errorf("scale: load Europe/Brussels: %w", err)
	}
	kinds := []models.Kind{models.KindMeeting, models.KindMeeting, models.KindCrossBriefing, models.KindStaffTalks, models.KindWorkshop, models.KindExercisePhase}
	span := 3 * 365 * 24
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		begin := start.Add(time.Duration(rng.IntN(span)) * time.Hour).Truncate(time.Hour)
		in := models.ActivityInput{
			Kind: string(kinds[rng.IntN(len(kinds))]), Title: fmt.Sprintf("Generated activity %d", i),
			Start: begin, End: begin.Add(time.Duration(1+rng.IntN(3)) * time.Hour), TimeZone: "Europe/Brussels",
			LeadOrganization: orgs[rng.IntN(2)], Venue: models.Ref(fmt.Sprintf("ROOM-%d", rng.IntN(venues))),
		}
		if i%5 == 0 {
			in.RRule = "FREQ=WEEKLY;COUNT=10"
			shift := seriesStart(in.Start, bru).Sub(in.Start)
			in.Start, in.End = in.Start.Add(shift), in.End.Add(shift)
		}
		seen := map[string]bool{}
		for p := 0; p < 3+rng.IntN(4); p++ {
			part := models.ParticipantInput{Type: "person", IDOrCode: models.Ref(fmt.Sprintf("staff%d@scale.example", rng.IntN(people)))}
			if rng.IntN(4) == 0 {
				part = models.ParticipantInput{Type: "body", IDOrCode: models.Ref(fmt.Sprintf("BODY-%d", rng.IntN(bodies)))}
			}
			if seen[string(part.IDOrCode)] {
				continue
			}
			seen[string(part.IDOrCode)] = true
			in.Participants = append(in.Participants, part)
		}
		uid := fmt.Sprintf("scale:%d:%d", seed, i)
		id, err := store.ActivityIDBySourceUID(ctx, uid)
		if err != nil {
			return sum, fmt.Errorf("generated activity %d: %w", i, err)
		}
		if id != 0 {
			sum.Existing++
		} else {
			if _, err := store.CreateActivity(ctx, sys, in, models.WriteOptions{OverrideReason: "generated load-test data", SourceUID: uid}); err != nil {
				return sum, fmt.Errorf("generated activity %d: %w", i, err)
			}
			sum.Created++
		}
		if progress != nil && (i+1)%1000 == 0 {
			progress(i + 1)
		}
	}
	return sum, nil
}

func isDuplicate(err error) bool {
	_, ok := err.(*models.DuplicateError)
	return ok
}

// seriesStart moves an instant that is the second of two with the same
// local reading (the hour repeated when clocks go back) an hour later: RFC
// 5545 reads a recurring local time as its first instant, so the booking
// path refuses a weekly series that starts on the second one.
func seriesStart(t time.Time, loc *time.Location) time.Time {
	if earlier := t.Add(-time.Hour); earlier.In(loc).Format("2006-01-02 15:04") == t.In(loc).Format("2006-01-02 15:04") {
		return t.Add(time.Hour)
	}
	return t
}
