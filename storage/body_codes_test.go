package storage_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestBodyAndOrganizationCodes: the store says which of the codes it is
// given name a body and which an organisation, and nothing of the others
// (an unknown code, an e-mail address, an id).
func TestBodyAndOrganizationCodes(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		cases := []struct {
			name                 string
			codes                []string
			wantBodies, wantOrgs []string
		}{
			{"none asked", nil, nil, nil},
			{"bodies and organisations", []string{"PSC", "NATO", "NAC", "EU"}, []string{"NAC", "PSC"}, []string{"EU", "NATO"}},
			{"others are nothing", []string{"UNKNOWN", "ana@eeas.example", "1", "body:PSC"}, nil, nil},
			// More codes than one statement may bind (SQLite 32,766,
			// PostgreSQL 65,535, each code bound twice), the known ones
			// last and repeated.
			{"forty thousand", append(manyCodes(40_000), "NAC", "EU", "NAC"), []string{"NAC"}, []string{"EU"}},
		}
		for _, tc := range cases {
			bodies, orgs, err := s.BodyAndOrganizationCodes(context.Background(), tc.codes)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := slices.Sorted(maps.Keys(bodies)); !slices.Equal(got, tc.wantBodies) {
				t.Errorf("%s: bodies %v, want %v", tc.name, got, tc.wantBodies)
			}
			if got := slices.Sorted(maps.Keys(orgs)); !slices.Equal(got, tc.wantOrgs) {
				t.Errorf("%s: organisations %v, want %v", tc.name, got, tc.wantOrgs)
			}
		}
	})
}

// manyCodes is n codes that name nothing.
func manyCodes(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("X%05d", i)
	}
	return out
}
