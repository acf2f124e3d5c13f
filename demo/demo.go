// Package demo loads the demonstration data set: the organisations,
// bodies, people, venues and activities of EU–NATO cooperation that the
// sixth progress report dates from June 2020 to December 2023. Load places
// them around the day of loading (see Place), so a newcomer's calendar,
// feed and reminders are alive on any day. Loading is idempotent: what
// exists (by code, e-mail or demo key) is left alone.
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

//go:embed seed.json
var seedJSON []byte

// Activity is one activity of the data set; Key names it within the file
// (its parent refers to a key, not an id).
type Activity struct {
	Key string `json:"key"`
	models.ActivityInput
}

// Dataset is the whole demo file.
type Dataset struct {
	Organizations []models.OrganizationInput `json:"organizations"`
	People        []models.PersonInput       `json:"people"`
	Bodies        []models.BodyInput         `json:"bodies"`
	Venues        []models.VenueInput        `json:"venues"`
	Blackouts     []models.BlackoutInput     `json:"blackouts"`
	Activities    []Activity                 `json:"activities"`
	// Templates are the life cycles of the seed's exercise series.
	Templates []models.ExerciseTemplateInput `json:"templates"`
	// PacePairs link exercises (by key) run in parallel and coordinated.
	PacePairs []PacePair `json:"pace_pairs"`
}

// PacePair is a PACE pair of the data set; Exercises are activity keys
// and Year is the report's year (Place moves it with the activities).
type PacePair struct {
	Year             int        `json:"year"`
	Exercises        [2]string  `json:"exercises"`
	LeadOrganization models.Ref `json:"lead_organization"`
	Notes            string     `json:"notes"`
}

// Summary counts what a load did.
type Summary struct {
	Created  int
	Existing int
}

// Parse decodes the embedded data set strictly.
func Parse() (*Dataset, error) {
	dec := json.NewDecoder(bytes.NewReader(seedJSON))
	dec.DisallowUnknownFields()
	var d Dataset
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("demo: seed.json: %w", err)
	}
	return &d, nil
}

// Load writes the data set, placed around today, into store through the
// same validated, conflict-checked paths the API uses; a hard conflict
// inside the data set is an error, never overridden. Activities loaded
// before (on another day) keep their dates.
func Load(ctx context.Context, store *storage.Store, today time.Time) (Summary, error) {
	d, err := Parse()
	if err != nil {
		return Summary{}, err
	}
	if err := Place(d, today); err != nil {
		return Summary{}, fmt.Errorf("demo: place around %s: %w", today.Format(time.DateOnly), err)
	}
	var sum Summary
	sys := models.System()
	count := func(err error) error {
		var dup *models.DuplicateError
		switch {
		case err == nil:
			sum.Created++
		case errors.As(err, &dup):
			sum.Existing++
		default:
			return err
		}
		return nil
	}
	for _, o := range d.Organizations {
		_, err := store.CreateOrganization(ctx, sys, o)
		if err := count(err); err != nil {
			return sum, fmt.Errorf("organisation %s: %w", o.Code, err)
		}
	}
	for _, p := range d.People {
		_, err := store.CreatePerson(ctx, sys, p)
		if err := count(err); err != nil {
			return sum, fmt.Errorf("person %s: %w", p.Email, err)
		}
	}
	if err := grantAccounts(ctx, store); err != nil {
		return sum, err
	}
	for _, b := range d.Bodies {
		_, err := store.CreateBody(ctx, sys, b)
		if err := count(err); err != nil {
			return sum, fmt.Errorf("body %s: %w", b.Code, err)
		}
	}
	for _, v := range d.Venues {
		_, err := store.CreateVenue(ctx, sys, v)
		if err := count(err); err != nil {
			return sum, fmt.Errorf("venue %s: %w", v.Code, err)
		}
	}
	if err := loadBlackouts(ctx, store, d.Blackouts, &sum); err != nil {
		return sum, err
	}
	ids := map[string]int64{}
	for _, a := range d.Activities {
		uid := "demo:" + a.Key
		id, err := store.ActivityIDBySourceUID(ctx, uid)
		if err != nil {
			return sum, err
		}
		if id != 0 {
			ids[a.Key] = id
			sum.Existing++
			continue
		}
		in := a.ActivityInput
		if in.Parent != "" {
			pid, ok := ids[string(in.Parent)]
			if !ok {
				return sum, fmt.Errorf("activity %s: parent %q must come earlier in the file", a.Key, in.Parent)
			}
			in.Parent = models.Ref(fmt.Sprint(pid))
		}
		res, err := store.CreateActivity(ctx, sys, in, storage.WriteOptions{SourceUID: uid})
		if err != nil {
			return sum, fmt.Errorf("activity %s: %w", a.Key, err)
		}
		ids[a.Key] = res.Activity.ID
		sum.Created++
	}
	for _, t := range d.Templates {
		_, err := store.CreateExerciseTemplate(ctx, sys, t)
		if err := count(err); err != nil {
			return sum, fmt.Errorf("exercise template %s: %w", t.Name, err)
		}
	}
	for _, p := range d.PacePairs {
		x, y := ids[p.Exercises[0]], ids[p.Exercises[1]]
		if x == 0 || y == 0 {
			return sum, fmt.Errorf("PACE pair %v: both exercises must be activities of the file", p.Exercises)
		}
		_, err := store.CreatePacePair(ctx, sys, models.PacePairInput{Year: p.Year, Exercises: []int64{x, y}, LeadOrganization: p.LeadOrganization, Notes: p.Notes})
		if err := count(err); err != nil {
			return sum, fmt.Errorf("PACE pair %v: %w", p.Exercises, err)
		}
	}
	if err := loadWorkflows(ctx, store, today, &sum); err != nil {
		return sum, err
	}
	return sum, nil
}

// loadBlackouts adds the data set's blackouts once (matched by title).
func loadBlackouts(ctx context.Context, store *storage.Store, bs []models.BlackoutInput, sum *Summary) error {
	have, err := store.ListBlackouts(ctx, models.BlackoutFilter{ListOptions: models.ListOptions{Limit: models.MaxLimit}})
	if err != nil {
		return err
	}
	titles := map[string]bool{}
	for _, b := range have.Items {
		titles[b.Title] = true
	}
	for _, b := range bs {
		if titles[b.Title] {
			sum.Existing++
			continue
		}
		if _, err := store.CreateBlackout(ctx, models.System(), b); err != nil {
			return fmt.Errorf("blackout %q: %w", b.Title, err)
		}
		sum.Created++
	}
	return nil
}
