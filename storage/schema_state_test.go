package storage_test

import (
	"testing"

	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestInspectSchemaRecognisesJointcal: a migrated database is jointcal's,
// on every database (the command line refuses to migrate foreign ones).
func TestInspectSchemaRecognisesJointcal(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		st, err := s.InspectSchema(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !st.Jointcal || st.Tables < 10 || st.Foreign() {
			t.Fatalf("a migrated database reads as %+v (foreign %v)", st, st.Foreign())
		}
	})
}
