package storage_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestConcurrentImportsOnOneSQLiteFile: two imports into one SQLite file
// at the same time, through two stores with their own connection pools as
// two processes (two CLI imports, or the CLI while the server imports)
// have, both succeed (issue 15, defect 8). It depends on write
// transactions taking SQLite's lock when they begin (issue 9, item 5).
func TestConcurrentImportsOnOneSQLiteFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "shared.db")
	first := storagetest.OpenDSN(t, path)
	second := storagetest.OpenDSN(t, path)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, code := range []string{"EU", "NATO"} {
		if _, err := first.CreateOrganization(ctx, models.System(), models.OrganizationInput{Code: code, Name: code}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		a, b string // organisations of the two imports
	}{
		{"two organisations", "EU", "NATO"},
		{"one organisation, different events", "EU", "EU"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := []*calendar.ImportResult{generateCalendar(t, generated{prefix: tc.name + "-a", n: 300, every: 24 * time.Hour, invalid: -1}), generateCalendar(t, generated{prefix: tc.name + "-b", n: 300, every: 24 * time.Hour, invalid: -1})}
			stores := []*storage.Store{first, second}
			orgs := []string{tc.a, tc.b}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			reps := make([]*models.ImportReport, 2)
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					reps[i], errs[i] = stores[i].Import(ctx, models.System(), files[i], models.ImportOptions{Organization: models.Ref(orgs[i])})
				}()
			}
			wg.Wait()
			for i := range 2 {
				if errs[i] != nil {
					t.Errorf("import %d: %v", i, errs[i])
				} else if reps[i].Created != 300 {
					t.Errorf("import %d created %d, want 300", i, reps[i].Created)
				}
			}
		})
	}
}
