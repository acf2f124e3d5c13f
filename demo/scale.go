package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// ScaleResources is how many people, bodies and venues Scale creates in
// all: the resource pool of the performance targets (docs/PERFORMANCE.md).
const ScaleResources = 2000

// scaleBatch is how many generated activities one bulk transaction
// writes: large enough that commits cost nothing, small enough that a
// batch's rows stay a few megabytes.
const scaleBatch = 5000

// scaleDeferIndexesAt is the size of a generation from which the indexes
// of the rows it adds are built after the writes rather than during them
// (storage.DeferIndexes): from 20,000 activities on, one sort of all the
// rows costs less than inserting each into indexes that outgrow the page
// cache, whatever the database already holds.
const scaleDeferIndexesAt = 20000

// Scale fills a database with n generated activities for load tests: a
// fifth recurring (weekly, ten times), the rest single, one to three hours
// long, spread over three years from start, each with three to six
// participants drawn from a pool of 2,000 people, bodies and venues. It
// writes through the bulk path (models.BulkWriter: the rows, occurrences,
// occupancy and audit the booking path writes, checked in memory and
// inserted in large batches), forcing the frequent clashes through with an
// override reason, and reports progress to progress, which may be nil.
// The same seed makes the same data, and an activity that a run with the
// same seed made already (found by its source UID) is counted as
// existing, not made twice.
func Scale(ctx context.Context, store *storage.Store, n int, start time.Time, seed uint64, progress func(done int)) (sum Summary, err error) {
	gen, err := newScaleGenerator(ctx, store, start, seed)
	if err != nil {
		return sum, err
	}
	w, err := store.NewBulkWriter(models.System(), scaleOverride)
	if err != nil {
		return sum, fmt.Errorf("scale: %w", err)
	}
	if n >= scaleDeferIndexesAt {
		restore, derr := store.DeferIndexes(ctx)
		if derr != nil {
			return sum, fmt.Errorf("scale: %w", derr)
		}
		defer func() {
			// Built even when the generation failed or was interrupted:
			// what was written stays, and needs its indexes.
			if rerr := restore(context.WithoutCancel(ctx)); rerr != nil && err == nil {
				err = fmt.Errorf("scale: %w", rerr)
			}
		}()
	}
	// The next batch is drawn, validated and expanded on another core
	// while the writer writes this one.
	next := gen.prepare(ctx, w, 0, n)
	for {
		p := <-next
		if p.err != nil {
			return sum, p.err
		}
		if p.batch == nil {
			return sum, nil
		}
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		next = gen.prepare(ctx, w, p.end, n)
		res, err := w.WritePrepared(ctx, p.batch)
		if err != nil {
			<-next // the generator and the store are in use until it is done
			return sum, fmt.Errorf("generated activities up to %d: %w", p.end, err)
		}
		sum.Created += res.Created
		sum.Existing += res.Existing
		if progress != nil {
			progress(p.end)
		}
	}
}

// scalePrepared is a batch of generated activities ready to be written:
// the activities from the previous batch's end up to end (nil when none
// was left), or what failed.
type scalePrepared struct {
	batch *storage.BulkBatch
	end   int
	err   error
}

// prepare draws the generated activities from up to the next batch's end
// (at most n) and prepares them for w on another goroutine; the answer
// comes on the channel returned.
func (g *scaleGenerator) prepare(ctx context.Context, w *storage.BulkWriter, from, n int) <-chan scalePrepared {
	out := make(chan scalePrepared, 1)
	if from >= n {
		out <- scalePrepared{}
		return out
	}
	go func() {
		end := min(n, from+scaleBatch)
		items := make([]models.BulkActivity, 0, end-from)
		for i := from; i < end; i++ {
			items = append(items, g.next(i))
		}
		b, err := w.Prepare(ctx, items)
		if err != nil {
			err = fmt.Errorf("generated activities up to %d: %w", end, err)
		}
		out <- scalePrepared{batch: b, end: end, err: err}
	}()
	return out
}

// ScaleThroughBookings makes the same data as Scale, one activity at a
// time through the conflict-checked booking path (CreateActivity): the
// reference the bulk path is compared against, row for row, and a load
// of the write path itself. It takes about eight minutes for 100,000.
func ScaleThroughBookings(ctx context.Context, store *storage.Store, n int, start time.Time, seed uint64, progress func(done int)) (Summary, error) {
	var sum Summary
	gen, err := newScaleGenerator(ctx, store, start, seed)
	if err != nil {
		return sum, err
	}
	sys := models.System()
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		it := gen.next(i)
		id, err := store.ActivityIDBySourceUID(ctx, it.SourceUID)
		if err != nil {
			return sum, fmt.Errorf("generated activity %d: %w", i, err)
		}
		if id != 0 {
			sum.Existing++
		} else {
			if _, err := store.CreateActivity(ctx, sys, it.Input, storage.WriteOptions{OverrideReason: scaleOverride, SourceUID: it.SourceUID}); err != nil {
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

// scaleOverride is the reason generated clashes are forced through with.
const scaleOverride = "generated load-test data"

// scaleGenerator draws the generated activities, one after the other,
// from a seeded source: the same seed gives the same sequence.
type scaleGenerator struct {
	rng    *rand.Rand
	seed   uint64
	start  time.Time
	bru    *time.Location
	orgs   []models.Ref
	venues int
}

const scalePeople, scaleBodies = 1200, 500

var scaleKinds = []models.Kind{models.KindMeeting, models.KindMeeting, models.KindCrossBriefing, models.KindStaffTalks, models.KindWorkshop, models.KindExercisePhase}

// newScaleGenerator makes the organisations, people, bodies and venues
// the generated activities draw on (those that exist already are kept).
func newScaleGenerator(ctx context.Context, store *storage.Store, start time.Time, seed uint64) (*scaleGenerator, error) {
	sys := models.System()
	for _, o := range []models.OrganizationInput{{Code: "EU", Name: "European Union"}, {Code: "NATO", Name: "North Atlantic Treaty Organization"}} {
		if _, err := store.CreateOrganization(ctx, sys, o); err != nil && !isDuplicate(err) {
			return nil, fmt.Errorf("organisation %s: %w", o.Code, err)
		}
	}
	orgs := []models.Ref{"EU", "NATO"}
	venues := ScaleResources - scalePeople - scaleBodies
	for i := 0; i < scalePeople; i++ {
		in := models.PersonInput{Name: fmt.Sprintf("Staff member %d", i), Email: fmt.Sprintf("staff%d@scale.example", i), TimeZone: "Europe/Brussels", Organization: orgs[i%2]}
		if _, err := store.CreatePerson(ctx, sys, in); err != nil && !isDuplicate(err) {
			return nil, fmt.Errorf("person %s: %w", in.Email, err)
		}
	}
	for i := 0; i < scaleBodies; i++ {
		in := models.BodyInput{Code: fmt.Sprintf("BODY-%d", i), Name: fmt.Sprintf("Committee %d", i), Organization: orgs[i%2], Members: []models.Ref{models.Ref(fmt.Sprintf("staff%d@scale.example", i%scalePeople))}}
		if _, err := store.CreateBody(ctx, sys, in); err != nil && !isDuplicate(err) {
			return nil, fmt.Errorf("body %s: %w", in.Code, err)
		}
	}
	for i := 0; i < venues; i++ {
		in := models.VenueInput{Code: fmt.Sprintf("ROOM-%d", i), Name: fmt.Sprintf("Room %d", i), TimeZone: "Europe/Brussels", Virtual: i%10 == 0}
		if _, err := store.CreateVenue(ctx, sys, in); err != nil && !isDuplicate(err) {
			return nil, fmt.Errorf("venue %s: %w", in.Code, err)
		}
	}
	bru, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return nil, fmt.Errorf("scale: load Europe/Brussels: %w", err)
	}
	return &scaleGenerator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), seed: seed, start: start, bru: bru, orgs: orgs, venues: venues}, nil
}

// next draws generated activity i (called with i = 0, 1, 2, …).
func (g *scaleGenerator) next(i int) models.BulkActivity {
	rng := g.rng
	span := 3 * 365 * 24
	begin := g.start.Add(time.Duration(rng.IntN(span)) * time.Hour).Truncate(time.Hour)
	in := models.ActivityInput{
		Kind: string(scaleKinds[rng.IntN(len(scaleKinds))]), Title: fmt.Sprintf("Generated activity %d", i),
		Start: begin, End: begin.Add(time.Duration(1+rng.IntN(3)) * time.Hour), TimeZone: "Europe/Brussels",
		LeadOrganization: g.orgs[rng.IntN(2)], Venue: models.Ref(fmt.Sprintf("ROOM-%d", rng.IntN(g.venues))),
	}
	if i%5 == 0 {
		in.RRule = "FREQ=WEEKLY;COUNT=10"
		shift := seriesStart(in.Start, g.bru).Sub(in.Start)
		in.Start, in.End = in.Start.Add(shift), in.End.Add(shift)
	}
	seen := map[string]bool{}
	for p := 0; p < 3+rng.IntN(4); p++ {
		part := models.ParticipantInput{Type: "person", IDOrCode: models.Ref(fmt.Sprintf("staff%d@scale.example", rng.IntN(scalePeople)))}
		if rng.IntN(4) == 0 {
			part = models.ParticipantInput{Type: "body", IDOrCode: models.Ref(fmt.Sprintf("BODY-%d", rng.IntN(scaleBodies)))}
		}
		if seen[string(part.IDOrCode)] {
			continue
		}
		seen[string(part.IDOrCode)] = true
		in.Participants = append(in.Participants, part)
	}
	return models.BulkActivity{Input: in, SourceUID: fmt.Sprintf("scale:%d:%d", g.seed, i)}
}

func isDuplicate(err error) bool {
	var d *models.DuplicateError
	return errors.As(err, &d)
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
