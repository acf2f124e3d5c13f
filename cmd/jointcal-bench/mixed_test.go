package main

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/api"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/demo"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestMixedMix: the drawn operations follow the brief's shares (70 %
// reads and feeds, 20 % checks, 10 % bookings, of which the collide share
// contested), within what 100,000 draws allow.
func TestMixedMix(t *testing.T) {
	t.Parallel()
	for _, collide := range []float64{0, 0.5, 1} {
		rng := rand.New(rand.NewPCG(1, 2))
		n := map[op]int{}
		const draws = 100000
		for range draws {
			n[pick(rng, collide)]++
		}
		share := func(ops ...op) float64 {
			total := 0
			for _, o := range ops {
				total += n[o]
			}
			return float64(total) / draws
		}
		for _, c := range []struct {
			what string
			got  float64
			want float64
		}{
			{"reads and feeds", share(opList, opGet, opFeed, opFeedMonth), .70},
			{"checks", share(opCheck), .20},
			{"bookings", share(opBook, opBookHot), .10},
			{"contested bookings", share(opBookHot), .10 * collide},
		} {
			if c.got < c.want-.01 || c.got > c.want+.01 {
				t.Errorf("collide %.1f: %s are %.3f of the load, want %.2f", collide, c.what, c.got, c.want)
			}
		}
	}
}

// TestHotSlots: clients drawing the same slot index in the same second
// book the same person, physical room and hour; the next second's slots
// are other hours.
func TestHotSlots(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 11, 28, 19, 0, 0, 0, time.UTC)
	a, b := newHotSlot(base, now, 2, 1), newHotSlot(base, now.Add(300*time.Millisecond), 2, 1)
	if a.index != b.index || a.body["start"] != b.body["start"] || a.body["venue"] != b.body["venue"] {
		t.Fatalf("one second, one slot: %v and %v", a.body, b.body)
	}
	seen := map[string]bool{}
	for sec := range 50 {
		for k := range 2 {
			h := newHotSlot(base, now.Add(time.Duration(sec)*time.Second), 2, k)
			start := h.body["start"].(string)
			if seen[start] {
				t.Fatalf("second %d slot %d reuses the hour %s", sec, k, start)
			}
			seen[start] = true
			if !h.start.Before(base) {
				t.Errorf("slot at %s is not before the generated data (from %s)", h.start, base)
			}
			if v := h.body["venue"].(string); strings.HasSuffix(v, "0") {
				t.Errorf("slot %d uses %s, a virtual room that never conflicts", h.index, v)
			}
		}
	}
}

func TestParseMixedRefusesBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--urls", " , "},
		{"--token", ""},
		{"--concurrency", "0"},
		{"--collide", "1.5"},
		{"--warmup", "-1s"},
	} {
		full := append([]string{"--token", "x"}, args...)
		if _, err := parseMixed(full); err == nil {
			t.Errorf("parseMixed(%q) accepted", full)
		}
	}
	s, err := parseMixed([]string{"--token", "x", "--urls", "http://a:1/, http://b:2"})
	if err != nil || len(s.bases) != 2 || s.bases[0] != "http://a:1" || s.label != "2 process(es)" {
		t.Fatalf("parseMixed: %+v, %v", s, err)
	}
}

// TestMixedAgainstTheAPI drives a short mixed load through the real API
// (two base URLs on one server) on every backend, with the PostgreSQL
// count of double-bookings where there is PostgreSQL: every operation
// must be answered as the load expects (no status outside
// 200/201/304/409), bookings made, and none double.
func TestMixedAgainstTheAPI(t *testing.T) {
	t.Parallel()
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			dsn := b.DSN(t)
			store := storagetest.OpenDSN(t, dsn)
			ctx := context.Background()
			if _, err := demo.Scale(ctx, store, 30, time.Now().UTC().Truncate(24*time.Hour), 1, nil); err != nil {
				t.Fatal(err)
			}
			_, token, err := store.CreateToken(ctx, models.System(), models.TokenInput{Name: "bench", Role: models.RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			srv := api.New(store, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
			t.Cleanup(srv.Close)
			ts := httptest.NewServer(srv.Handler())
			t.Cleanup(ts.Close)
			s := mixedSettings{bases: []string{ts.URL, ts.URL}, token: token, duration: 1500 * time.Millisecond, concurrency: 4, collide: 1, hotPerSec: 1, seed: 3, label: "test"}
			if b.Name == "postgres" {
				s.verifyDB = dsn
			}
			// The run is bounded by time, so a slow machine (the -race pass
			// beside other suites) may book nothing in 1.5 s: run longer,
			// up to 24 s, until bookings were made and slots contested.
			var out strings.Builder
			for d := s.duration; ; d *= 2 {
				s.duration = d
				out.Reset()
				rep, err := runMixed(s, &out)
				if err != nil {
					t.Fatalf("runMixed: %v\n%s", err, out.String())
				}
				for o, st := range rep.ops {
					if st.other > 0 {
						t.Errorf("%s: %d answers outside 200/201/304/409\n%s", o, st.other, out.String())
					}
				}
				if b.Name == "postgres" && rep.double != 0 {
					t.Errorf("double-bookings counted: %d", rep.double)
				}
				if (len(rep.booked) > 0 && rep.hotSlots > 0) || d >= 24*time.Second {
					if len(rep.booked) == 0 || rep.hotSlots == 0 {
						t.Errorf("no booking made or no slot contested in %s\n%s", d, out.String())
					}
					break
				}
			}
		})
	}
}

// TestDoubleBookingQueryFindsOverlaps: the count is not a restatement of
// the exclusion constraint. Two bookings of one person and room at one
// hour, the second forced past its conflict (so the constraint lets it
// in), overlap whether both are the run's or only the forced one is; a
// booking an hour later overlaps nothing.
func TestDoubleBookingQueryFindsOverlaps(t *testing.T) {
	t.Parallel()
	var pg *storagetest.Backend
	for _, b := range storagetest.Backends() {
		if b.Name == "postgres" {
			pg = &b
		}
	}
	if pg == nil {
		t.Skip("needs PostgreSQL: set " + storagetest.EnvPostgres)
	}
	dsn := pg.DSN(t)
	store := storagetest.OpenDSN(t, dsn)
	ctx := context.Background()
	sys := models.System()
	if _, err := store.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union"}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreatePerson(ctx, sys, models.PersonInput{Name: "A", Email: "a@eu.example", TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateVenue(ctx, sys, models.VenueInput{Code: "R1", Name: "Room 1", TimeZone: "Europe/Brussels"}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2027, 3, 2, 9, 0, 0, 0, time.UTC)
	book := func(start time.Time, override string) int64 {
		t.Helper()
		in := models.ActivityInput{Kind: "meeting", Title: "Meeting", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels", LeadOrganization: "EU",
			Venue: "R1", Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "a@eu.example"}}}
		r, err := store.CreateActivity(ctx, sys, in, storage.WriteOptions{OverrideReason: override})
		if err != nil {
			t.Fatal(err)
		}
		return r.Activity.ID
	}
	first, forced, later := book(at, ""), book(at.Add(30*time.Minute), "the test forces it"), book(at.Add(2*time.Hour), "")
	for _, c := range []struct {
		ids  []int64
		want int64
	}{
		{[]int64{first, later}, 0},
		{[]int64{first, forced}, 2}, // the person and the room
		{[]int64{forced}, 2},        // against the first one's exclusive hold, which is not the run's
		{[]int64{later}, 0},
	} {
		got, err := countDoubleBookings(ctx, io.Discard, dsn, c.ids)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("countDoubleBookings(%v) = %d, want %d", c.ids, got, c.want)
		}
	}
}
