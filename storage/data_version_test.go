package storage_test

import (
	"context"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestDataVersionSeesEveryCommit: the data version stays put while
// nothing is written and moves after a write or a delete committed by
// this store or by a second one on the same database (another process).
func TestDataVersionSeesEveryCommit(t *testing.T) {
	t.Parallel()
	storagetest.ForEachPair(t, func(t *testing.T, here, other *storage.Store) {
		ctx := context.Background()
		sys := models.System()
		version := func() string {
			t.Helper()
			v, err := here.DataVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		before := version()
		if again := version(); again != before && here.Dialect() == models.SQLite {
			// PostgreSQL's snapshot also moves with other tests' schemas
			// in the same server; SQLite's file is this test's alone.
			t.Fatalf("the version moved with no write: %s then %s", before, again)
		}
		steps := []struct {
			name  string
			write func() error
		}{
			{"a write here", func() error {
				_, err := here.CreateVenue(ctx, sys, models.VenueInput{Code: "HERE", Name: "Here", TimeZone: "UTC"})
				return err
			}},
			{"a write by the other store", func() error {
				_, err := other.CreateVenue(ctx, sys, models.VenueInput{Code: "THERE", Name: "There", TimeZone: "UTC"})
				return err
			}},
			{"a delete by the other store", func() error {
				v, err := other.GetVenue(ctx, "THERE")
				if err != nil {
					return err
				}
				return other.DeleteVenue(ctx, sys, v.ID, v.Version)
			}},
		}
		for _, st := range steps {
			if err := st.write(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			after := version()
			if after == before {
				t.Errorf("the version did not move after %s (%s)", st.name, after)
			}
			before = after
		}
	})
}
