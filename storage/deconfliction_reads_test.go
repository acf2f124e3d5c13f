package storage_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestAgendaReadsNamesOnce: the agenda reads the names of the resources
// its window refers to once, while building its views, and takes from
// there what its drafts and checks need: no reference is resolved from
// its code again (the drafts), and no names table is read a second time
// (the neighbourhood's names start from the views'). The week asked holds
// fewer activities than one chunk, so each table is one statement.
func TestAgendaReadsNamesOnce(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		start, actors := crowdedAgendaWorld(t, s)
		f := models.ConflictFilter{From: start.AddDate(0, 0, 10), To: start.AddDate(0, 0, 17)}
		byCode := regexp.MustCompile(`(?i)(^|[^(])\b(code|email)\b["` + "`" + `]? IN `)
		names := regexp.MustCompile(`(?i)AS code, name FROM ["` + "`" + `]?(\w+)`)
		for _, a := range actors {
			for _, run := range []struct {
				name string
				fn   func() (int, error)
			}{
				{"whole", func() (int, error) { got, err := s.ListConflicts(ctx, a, f); return len(got), err }},
				{"page", func() (int, error) {
					got, err := s.ListConflictsPage(ctx, a, f, models.ListOptions{Limit: 50})
					return len(got.Items), err
				}},
			} {
				var n int
				var err error
				stmts := s.ReadStatements(t, func() { n, err = run.fn() })
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					t.Fatalf("%s %s: no items: the window proves nothing", a.Name, run.name)
				}
				perTable := map[string]int{}
				for _, q := range stmts {
					if byCode.MatchString(q) {
						t.Errorf("%s %s: a reference resolved from its code again: %.300s", a.Name, run.name, q)
					}
					if m := names.FindStringSubmatch(q); m != nil {
						perTable[m[1]]++
					}
				}
				for table, k := range perTable {
					// A page computes its window in parts, each with its views.
					if limit := map[string]int{"whole": 1, "page": 4}[run.name]; k > limit {
						t.Errorf("%s %s: the names of %s read %d times", a.Name, run.name, table, k)
					}
				}
			}
		}
	})
}
