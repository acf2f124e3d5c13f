package models

import (
	"encoding/json"
	"time"
)

// ActivityRef names the activity a listed conflict belongs to.
type ActivityRef struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

// ListedConflict is one clash between two stored activities (or an
// activity and a blackout or external calendar): Activity and Occurrence
// are one side, Other the other. Resources lists every resource the clash
// involves under its rule (Resource is the first of them), so that two
// exercises sharing two organisations are one clash, not two.
type ListedConflict struct {
	Activity ActivityRef `json:"activity"`
	ConflictView
	Resources []ResourceView `json:"resources"`
}

// ConflictFilter selects the conflicts of the deconfliction report.
// Rule, when set, keeps only the items of that rule (the web agenda's
// rule filter, which checks it against ConflictRules). Kinds, when set,
// lists only clashes found from activities of those kinds (the exercise
// programme asks for its exercises' alone). HideAccepted leaves out the
// clashes accepted with a note (AcceptConflict): the store drops them
// before it fills a page, so that a page of N holds N clashes still to
// settle and its cursor goes on from the last of them.
type ConflictFilter struct {
	From, To     time.Time
	Organization Ref
	Severity     string
	Rule         string
	Kinds        []Kind
	HideAccepted bool
}

// ConflictPage is one page of the deconfliction agenda: its items in the
// agenda's order and the cursor of the next page ("" on the last). It
// has no total: counting the clashes of the pages not asked for would
// cost what paging saves.
type ConflictPage struct {
	Items      []ListedConflict
	NextCursor string
	// Through is how far the page looked when there is a next one: every
	// clash placed before it is on this page or an earlier one (a page
	// that spent its span may hold none).
	Through time.Time
}

// conflictPageJSON is how a page of the agenda travels: next_cursor
// always present, null on the last page, as on every other list.
type conflictPageJSON struct {
	Items      []ListedConflict `json:"items"`
	NextCursor *string          `json:"next_cursor"`
}

// MarshalJSON writes the page with an empty (never null) item list and a
// null next_cursor on the last page.
func (p ConflictPage) MarshalJSON() ([]byte, error) {
	out := conflictPageJSON{Items: p.Items}
	if out.Items == nil {
		out.Items = []ListedConflict{}
	}
	if p.NextCursor != "" {
		out.NextCursor = &p.NextCursor
	}
	return json.Marshal(out)
}
