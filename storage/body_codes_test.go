package storage_test

import (
	"context"
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
