package storage

import (
	"cmp"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jointcal/jointcal/planning"
)

// TestBusyIndexHoldsNoPointers: the index of a large bulk write holds
// millions of entries, and the garbage collector scans every one that
// holds a pointer on every cycle (more than half of a 100,000-activity
// generation's CPU when entries carried their kind as a string).
func TestBusyIndexHoldsNoPointers(t *testing.T) {
	t.Parallel()
	for _, typ := range []reflect.Type{reflect.TypeFor[busyKey](), reflect.TypeFor[busyEntry](), reflect.TypeFor[map[busyKey]int32]().Elem()} {
		if p := pointerIn(typ); p != "" {
			t.Errorf("%s holds a pointer: %s", typ, p)
		}
	}
}

// pointerIn names a field of t that is or holds a pointer ("" when none).
func pointerIn(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			if p := pointerIn(t.Field(i).Type); p != "" {
				return t.Field(i).Name + " (" + p + ")"
			}
		}
		return ""
	case reflect.Array:
		return pointerIn(t.Elem())
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return ""
	}
	return t.Kind().String()
}

// TestBusyIndexAnswersAsLoadBusy: whatever was added and undone, busy
// answers what loadBusy's query answers over the rows that remain: the
// claimed resources' rows overlapping the window, an organisation's only
// for an exercise and then only its exercise rows.
func TestBusyIndexAnswersAsLoadBusy(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 5))
	types := []planning.ResourceType{planning.ResourcePerson, planning.ResourceBody, planning.ResourceVenue, planning.ResourceOrganization}
	kinds := []string{"meeting", "workshop", "exercise", "exercise_phase"}
	base := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC).Unix()
	ix := newBusyIndex()
	var rows []occupancyRow
	var keys []busyKey
	for i := range 3000 {
		start := base + rng.Int64N(60*24*3600)
		r := occupancyRow{ActivityID: int64(i + 1), Kind: kinds[rng.IntN(len(kinds))], StartS: start, EndS: start + 3600*(1+rng.Int64N(30)),
			ResourceType: string(types[rng.IntN(len(types))]), ResourceID: 1 + rng.Int64N(6), Required: rng.IntN(2) == 0, Virtual: rng.IntN(5) == 0, Proposed: rng.IntN(7) == 0}
		rows = append(rows, r)
		if k, filed := ix.add(r); filed {
			keys = append(keys, k)
		}
	}
	steps := []struct {
		name string
		undo int // filed rows undone before the queries
	}{{"after the adds", 0}, {"after an undo", 400}}
	for _, step := range steps {
		ix.undo(keys[len(keys)-step.undo:])
		keys = keys[:len(keys)-step.undo]
		for undone := step.undo; undone > 0; rows = rows[:len(rows)-1] {
			if r := rows[len(rows)-1]; r.ResourceType != string(planning.ResourceOrganization) || planning.IsExerciseKind(r.Kind) {
				undone--
			}
		}
		for q := range 300 {
			from := time.Unix(base+rng.Int64N(60*24*3600), 0).UTC()
			to := from.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
			kind := kinds[rng.IntN(len(kinds))]
			var claims []planning.Claim
			for range 1 + rng.IntN(4) {
				claims = append(claims, planning.Claim{Resource: planning.ResourceRef{Type: types[rng.IntN(len(types))], ID: 1 + rng.Int64N(6)}})
			}
			got, want := ix.busy(claims, from, to, kind), busyByFilter(rows, claims, from, to, kind)
			slices.SortFunc(got, compareBusy)
			if !slices.Equal(got, want) {
				t.Fatalf("%s, query %d (%s, %v–%v, %v): busy gave %d rows, the filter %d", step.name, q, kind, from, to, claims, len(got), len(want))
			}
		}
	}
}

// busyByFilter is loadBusy's query over rows, sorted by compareBusy.
func busyByFilter(rows []occupancyRow, claims []planning.Claim, from, to time.Time, kind string) []planning.Busy {
	var out []planning.Busy
	seen := map[planning.ResourceRef]bool{}
	for _, c := range claims {
		org := c.Resource.Type == planning.ResourceOrganization
		if seen[c.Resource] || (org && !planning.IsExerciseKind(kind)) {
			continue
		}
		seen[c.Resource] = true
		for _, r := range rows {
			if r.ResourceType != string(c.Resource.Type) || r.ResourceID != c.Resource.ID || r.StartS >= to.Unix() || r.EndS <= from.Unix() || (org && !planning.IsExerciseKind(r.Kind)) {
				continue
			}
			out = append(out, planning.Busy{ActivityID: r.ActivityID, Kind: r.Kind, Start: time.Unix(r.StartS, 0).UTC(), End: time.Unix(r.EndS, 0).UTC(),
				Resource: c.Resource, Required: r.Required, Virtual: r.Virtual, Proposed: r.Proposed})
		}
	}
	slices.SortFunc(out, compareBusy)
	return out
}

func compareBusy(a, b planning.Busy) int {
	return cmp.Or(cmp.Compare(a.Resource.Type, b.Resource.Type), cmp.Compare(a.Resource.ID, b.Resource.ID), cmp.Compare(a.ActivityID, b.ActivityID), a.Start.Compare(b.Start))
}
