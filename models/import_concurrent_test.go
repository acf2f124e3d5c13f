package models_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/models/modelstest"
)

// generatedCalendar is n one-hour events a day apart, UIDs prefixed so
// that two calendars never share an event.
func generatedCalendar(t *testing.T, prefix string, n int) *calendar.ImportResult {
	t.Helper()
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//jointcal test//EN\r\n")
	start := time.Date(2031, 1, 6, 9, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		at := start.AddDate(0, 0, i)
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:%s-%d@example.org\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s meeting %d\r\nEND:VEVENT\r\n",
			prefix, i, at.Format("20060102T150405Z"), at.Add(time.Hour).Format("20060102T150405Z"), prefix, i)
	}
	b.WriteString("END:VCALENDAR\r\n")
	res, err := calendar.ParseImport(strings.NewReader(b.String()), calendar.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestConcurrentImportsOnOneSQLiteFile: two imports into one SQLite file
// at the same time, through two stores with their own connection pools as
// two processes (two CLI imports, or the CLI while the server imports)
// have, both succeed (issue 15, defect 8). It depends on write
// transactions taking SQLite's lock when they begin (issue 9, item 5).
func TestConcurrentImportsOnOneSQLiteFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "shared.db")
	first := modelstest.OpenDSN(t, path)
	second := modelstest.OpenDSN(t, path)
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
			files := []*calendar.ImportResult{generatedCalendar(t, tc.name+"-a", 300), generatedCalendar(t, tc.name+"-b", 300)}
			stores := []*models.Store{first, second}
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
