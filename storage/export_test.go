package storage

import (
	"context"
	"strings"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// ListConflictsEach is ListConflicts with every activity's neighbourhood
// read for it alone, as a single check reads it: the reference the shared
// agenda is compared with.
func (s *Store) ListConflictsEach(ctx context.Context, a models.Actor, f models.ConflictFilter) ([]models.ListedConflict, error) {
	return s.listConflicts(ctx, a, f, false)
}

// SetReportCap lowers the most activities a whole window's agenda
// covers, so that a test can pass it with a few.
func (s *Store) SetReportCap(n int) { s.reportCap = n }

// SetAgendaSpan lowers how many occurrence starts one page of the
// agenda spans, so that a test can see pages stop short.
func (s *Store) SetAgendaSpan(n int) { s.agendaSpan = n }

// CountReads counts the read statements (queries and raw rows) fn runs
// on s, to bound how many a path costs whatever the size of its data.
func (s *Store) CountReads(t interface{ Fatal(...any) }, fn func()) int {
	n := 0
	count := func(*gorm.DB) { n++ }
	name := "test:count_reads"
	if err := s.db.Callback().Query().After("gorm:query").Register(name, count); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Callback().Row().After("gorm:row").Register(name, count); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = s.db.Callback().Query().Remove(name)
		_ = s.db.Callback().Row().Remove(name)
	}()
	fn()
	return n
}

// ReadStatements returns the text of every read statement (queries and
// raw rows) fn runs on s, to tell which tables a path reads and how often.
func (s *Store) ReadStatements(t interface{ Fatal(...any) }, fn func()) []string {
	var out []string
	keep := func(db *gorm.DB) { out = append(out, db.Statement.SQL.String()) }
	name := "test:read_statements"
	if err := s.db.Callback().Query().After("gorm:query").Register(name, keep); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Callback().Row().After("gorm:row").Register(name, keep); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = s.db.Callback().Query().Remove(name)
		_ = s.db.Callback().Row().Remove(name)
	}()
	fn()
	return out
}

// FeedItemsEachForm lists a feed in full with each way of finding the
// activities occurring in its window, and reports the form listingForm
// chooses.
func (s *Store) FeedItemsEachForm(ctx context.Context, f *models.Feed, w models.FeedWindow) (byRangeItems, perActivityItems []models.FeedItem, chosePerActivity bool, err error) {
	db := s.db.WithContext(ctx)
	var lists [2][]models.FeedItem
	for i, form := range []occurrenceForm{byRange, perActivity} {
		q, ok, err := s.feedQuery(db, f, w, form)
		if err != nil {
			return nil, nil, false, err
		}
		if ok {
			if lists[i], err = scanFeedItems(q); err != nil {
				return nil, nil, false, err
			}
		}
	}
	form, err := s.listingForm(db, w)
	return lists[0], lists[1], form == perActivity, err
}

// PlansOf is SQLite's plan (EXPLAIN QUERY PLAN, one line a step) of
// each read statement fn runs on s, one string a statement.
func (s *Store) PlansOf(t interface{ Fatal(...any) }, fn func()) []string {
	var plans []string
	for _, st := range s.StatementsOf(t, fn) {
		rows, err := s.db.Raw("EXPLAIN QUERY PLAN "+st.SQL, st.Vars...).Rows()
		if err != nil {
			t.Fatal(err)
		}
		var plan strings.Builder
		plan.WriteString(st.SQL + "\n")
		for rows.Next() {
			var id, parent, unused int64
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan.WriteString("  " + detail + "\n")
		}
		rows.Close()
		plans = append(plans, plan.String())
	}
	return plans
}

// Statement is a read statement as it ran: its SQL and arguments.
type Statement struct {
	SQL  string
	Vars []any
}

// StatementsOf is each read statement fn runs on s.
func (s *Store) StatementsOf(t interface{ Fatal(...any) }, fn func()) []Statement {
	var seen []Statement
	record := func(db *gorm.DB) {
		if !db.DryRun { // not a subquery being written, nor a statement only built
			seen = append(seen, Statement{db.Statement.SQL.String(), db.Statement.Vars})
		}
	}
	name := "test:statements_of"
	if err := s.db.Callback().Query().After("gorm:query").Register(name, record); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Callback().Row().After("gorm:row").Register(name, record); err != nil {
		t.Fatal(err)
	}
	fn()
	_ = s.db.Callback().Query().Remove(name)
	_ = s.db.Callback().Row().Remove(name)
	return seen
}
