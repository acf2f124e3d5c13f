package storage_test

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"
	"time"

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

// TestAgendaRepliesReadWhatMayBeListed: the reply agenda of a window no
// occurrence of which can start within the chase period reads the
// recipients of the activities with a declined answer only, and of none
// when nobody declined; a viewer's agenda, which lists no reply items,
// reads the answers once, for the checks, and no recipients. Its items are those of checking each activity
// alone, in every window asked.
func TestAgendaRepliesReadWhatMayBeListed(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		now := time.Date(2030, 3, 4, 8, 0, 0, 0, time.UTC)
		replyWorld(t, s, now)
		ctx, day := context.Background(), 24*time.Hour
		book := regexp.MustCompile("(?i)body_members|contact_email|LOWER\\(email\\)|organization_id[`\"]? FROM [`\"]?people|SELECT id, lead_organization_id FROM")
		answers := regexp.MustCompile("(?i)FROM [`\"]?replies")
		admin, viewer := models.Actor{Name: "admin", Role: models.RoleAdmin}, models.Actor{Name: "viewer", Role: models.RoleViewer}
		for _, c := range []struct {
			name        string
			a           models.Actor
			f           models.ConflictFilter
			readsBook   bool
			answerStmts int
		}{
			{"within the chase", admin, models.ConflictFilter{From: now, To: now.Add(30 * day)}, true, 2},
			{"beyond the chase, a decline", admin, models.ConflictFilter{From: now.Add(9 * day), To: now.Add(30 * day)}, true, 2},
			{"beyond the chase, no decline", admin, models.ConflictFilter{From: now.Add(9 * day), To: now.Add(10*day + 4*time.Hour)}, false, 2},
			{"a viewer", viewer, models.ConflictFilter{From: now, To: now.Add(30 * day)}, false, 1},
		} {
			want, err := s.ListConflictsEach(ctx, c.a, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []models.ListedConflict
			stmts := s.ReadStatements(t, func() { got, err = s.ListConflicts(ctx, c.a, c.f) })
			if err != nil {
				t.Fatal(err)
			}
			wj, _ := json.Marshal(want)
			gj, _ := json.Marshal(got)
			if string(wj) != string(gj) {
				t.Errorf("%s: the agenda differs from each alone\n got %s\nwant %s", c.name, gj, wj)
			}
			readsBook, answerStmts := false, 0
			for _, q := range stmts {
				readsBook = readsBook || book.MatchString(q)
				if answers.MatchString(q) {
					answerStmts++
				}
			}
			if readsBook != c.readsBook || answerStmts != c.answerStmts {
				t.Errorf("%s: reads the recipients %v (want %v), the answers in %d statements (want %d)", c.name, readsBook, c.readsBook, answerStmts, c.answerStmts)
			}
		}
	})
}
