package calendar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/jointcal/jointcal/isoduration"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The import corpus: real-world-shaped files under testdata/import, each
// with the expected report next to it (<name>.json). Run
//
//	go test ./calendar -run TestImportCorpus -update
//
// to regenerate the reports after an intended change, then review the diff.

// goldenImport is the expected-report form of one ParseImport call.
type goldenImport struct {
	Fatal    *ImportError  `json:"fatal,omitempty"`
	Name     string        `json:"name,omitempty"`
	TimeZone string        `json:"time_zone,omitempty"`
	Events   []goldenEvent `json:"events,omitempty"`
	Skipped  []Skipped     `json:"skipped,omitempty"`
	Errors   []ImportError `json:"errors,omitempty"`
	Warnings []ImportError `json:"warnings,omitempty"`
}

type goldenEvent struct {
	UID           string           `json:"uid"`
	Line          int              `json:"line"`
	Title         string           `json:"title"`
	Start         string           `json:"start"`
	End           string           `json:"end"`
	Zone          string           `json:"zone,omitempty"`
	AllDay        bool             `json:"all_day,omitempty"`
	RRule         string           `json:"rrule,omitempty"`
	ExDates       []string         `json:"exdates,omitempty"`
	RDates        []string         `json:"rdates,omitempty"`
	Overrides     []goldenOverride `json:"overrides,omitempty"`
	Status        string           `json:"status"`
	Sequence      int              `json:"sequence,omitempty"`
	LastModified  string           `json:"last_modified,omitempty"`
	Description   string           `json:"description,omitempty"`
	Location      string           `json:"location,omitempty"`
	URL           string           `json:"url,omitempty"`
	ConferenceURL string           `json:"conference_url,omitempty"`
	Organizer     string           `json:"organizer,omitempty"`
	Attendees     []string         `json:"attendees,omitempty"`
	Reminders     []string         `json:"reminders,omitempty"`
	Categories    []string         `json:"categories,omitempty"`
}

type goldenOverride struct {
	RecurrenceID string `json:"recurrence_id"`
	Cancelled    bool   `json:"cancelled,omitempty"`
	Start        string `json:"start,omitempty"`
	End          string `json:"end,omitempty"`
	Title        string `json:"title,omitempty"`
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func rfc3339s(ts []time.Time) []string {
	var out []string
	for _, t := range ts {
		out = append(out, rfc3339(t))
	}
	return out
}

// attendeeText is one attendee on one line: "Name <e-mail> role
// required|optional rsvp".
func attendeeText(a Attendee) string {
	req := "optional"
	if a.Required {
		req = "required"
	}
	return fmt.Sprintf("%s <%s> %s %s %s", a.Name, a.Email, a.Role, req, a.RSVP)
}

// importReport turns ParseImport's answer into its golden form. Any error
// other than *ImportError fails the test.
func importReport(t *testing.T, res *ImportResult, err error) goldenImport {
	t.Helper()
	if err != nil {
		var ie *ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("ParseImport returned %T %v, want *ImportError", err, err)
		}
		if res != nil {
			t.Fatalf("ParseImport returned a result with its error %v", err)
		}
		return goldenImport{Fatal: ie}
	}
	g := goldenImport{Name: res.Name, TimeZone: res.TimeZone, Skipped: res.Skipped, Errors: res.Errors, Warnings: res.Warnings}
	for _, ev := range res.Events {
		ge := goldenEvent{
			UID: ev.UID, Line: ev.Line, Title: ev.Title, Start: rfc3339(ev.Start), End: rfc3339(ev.End),
			Zone: ev.TimeZone, AllDay: ev.AllDay, RRule: ev.RRule, ExDates: rfc3339s(ev.ExDates), RDates: rfc3339s(ev.RDates),
			Status: ev.Status, Sequence: ev.Sequence, LastModified: rfc3339(ev.LastModified),
			Description: ev.Description, Location: ev.Location, URL: ev.URL, ConferenceURL: ev.ConferenceURL,
			Categories: ev.Categories,
		}
		for _, o := range ev.Overrides {
			ge.Overrides = append(ge.Overrides, goldenOverride{
				RecurrenceID: rfc3339(o.RecurrenceID), Cancelled: o.Cancelled,
				Start: rfc3339(o.Start), End: rfc3339(o.End), Title: o.Title,
			})
		}
		if ev.Organizer != nil {
			ge.Organizer = fmt.Sprintf("%s <%s>", ev.Organizer.Name, ev.Organizer.Email)
		}
		for _, a := range ev.Attendees {
			ge.Attendees = append(ge.Attendees, attendeeText(a))
		}
		for _, r := range ev.Reminders {
			ge.Reminders = append(ge.Reminders, isoduration.Format(r))
		}
		g.Events = append(g.Events, ge)
	}
	return g
}

// importedToEvent maps an imported event to the renderer's Event, the way a
// caller storing and re-publishing it would.
func importedToEvent(ie ImportedEvent) Event {
	return Event{
		UID: ie.UID, Title: ie.Title, Description: ie.Description, Start: ie.Start, End: ie.End,
		TimeZone: ie.TimeZone, AllDay: ie.AllDay, RRule: ie.RRule, ExDates: ie.ExDates, RDates: ie.RDates,
		Overrides: ie.Overrides, Status: ie.Status, Sequence: ie.Sequence, LastModified: ie.LastModified,
		Location: ie.Location, URL: ie.URL, ConferenceURL: ie.ConferenceURL, Categories: ie.Categories,
		Organizer: ie.Organizer, Attendees: ie.Attendees, Reminders: ie.Reminders,
	}
}

// checkRenderable renders every imported event: ImportedEvent promises that
// Render accepts what ParseImport returns.
func checkRenderable(t testing.TB, res *ImportResult) {
	t.Helper()
	events := make([]Event, len(res.Events))
	for i, ie := range res.Events {
		events[i] = importedToEvent(ie)
	}
	var buf bytes.Buffer
	if err := Render(&buf, Calendar{Stamp: fixtureStamp}, events); err != nil {
		t.Fatalf("Render refused imported events: %v", err)
	}
}

func TestImportCorpus(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "import", "*.ics"))
	if err != nil || len(files) < 10 {
		t.Fatalf("corpus: %d files, %v", len(files), err)
	}
	goldens, _ := filepath.Glob(filepath.Join("testdata", "import", "*.json"))
	for _, g := range goldens {
		if _, err := os.Stat(strings.TrimSuffix(g, ".json") + ".ics"); err != nil {
			t.Errorf("golden %s has no input file", g)
		}
	}
	bru := mustLoad(t, "Europe/Brussels")
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".ics")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			res, err := ParseImport(bytes.NewReader(data), ImportOptions{DefaultZone: bru})
			var out bytes.Buffer
			enc := json.NewEncoder(&out)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(importReport(t, res, err)); err != nil {
				t.Fatal(err)
			}
			got := out.Bytes()
			path := strings.TrimSuffix(file, ".ics") + ".json"
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading the expected report (run go test -run TestImportCorpus -update to create it): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("report differs from %s (run with -update after checking the change):\n%s", path, got)
			}
			if res != nil {
				checkRenderable(t, res)
			}
		})
	}
}

// TestImportRoundTrip renders the generated plan (20% recurring, overrides,
// all-day events, five zones, attendees, reminders) and imports it back:
// every field the feed carries must come back as it went in.
func TestImportRoundTrip(t *testing.T) {
	t.Parallel()
	events := genEvents(t, 400)
	var buf bytes.Buffer
	if err := Render(&buf, Calendar{Name: "round trip", Stamp: fixtureStamp}, events); err != nil {
		t.Fatal(err)
	}
	res, err := ParseImport(&buf, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 || len(res.Skipped) > 0 {
		t.Fatalf("errors %v, skipped %v", res.Errors, res.Skipped)
	}
	if res.Name != "round trip" {
		t.Errorf("Name = %q", res.Name)
	}
	byUID := map[string]ImportedEvent{}
	for _, ie := range res.Events {
		byUID[ie.UID] = ie
	}
	if len(byUID) != len(events) {
		t.Fatalf("imported %d events, rendered %d", len(byUID), len(events))
	}
	for _, ev := range events {
		ie, ok := byUID[ev.UID]
		if !ok {
			t.Errorf("%s: not imported", ev.UID)
			continue
		}
		checkImportedMatches(t, ev, ie)
	}
	checkRenderable(t, res)
}

// checkImportedMatches compares an imported event with the Event rendered.
func checkImportedMatches(t *testing.T, ev Event, ie ImportedEvent) {
	t.Helper()
	if ev.AllDay {
		// All-day dates are floating in iCalendar: they come back as the
		// same dates in the DefaultZone (UTC here).
		ev = floatingDates(ev)
	}
	bad := func(field string, got, want any) {
		t.Errorf("%s: %s = %v, want %v", ev.UID, field, got, want)
	}
	if ie.Title != ev.Title {
		bad("Title", ie.Title, ev.Title)
	}
	wantDesc := ev.Description
	if ev.URL != "" && !strings.Contains(wantDesc, ev.URL) {
		wantDesc += "\n\n" + ev.URL // Render shows the URL in the description too
	}
	if ie.Description != wantDesc {
		bad("Description", ie.Description, wantDesc)
	}
	if ie.Location != ev.Location || ie.URL != ev.URL || ie.ConferenceURL != ev.ConferenceURL {
		bad("Location/URL/ConferenceURL", []string{ie.Location, ie.URL, ie.ConferenceURL}, []string{ev.Location, ev.URL, ev.ConferenceURL})
	}
	if !ie.Start.Equal(ev.Start) || !ie.End.Equal(ev.End) {
		bad("Start/End", []time.Time{ie.Start, ie.End}, []time.Time{ev.Start, ev.End})
	}
	if ie.TimeZone != ev.TimeZone || ie.AllDay != ev.AllDay {
		bad("TimeZone/AllDay", fmt.Sprint(ie.TimeZone, ie.AllDay), fmt.Sprint(ev.TimeZone, ev.AllDay))
	}
	if ie.RRule != ev.RRule {
		bad("RRule", ie.RRule, ev.RRule)
	}
	if !sameInstants(ie.ExDates, ev.ExDates) || !sameInstants(ie.RDates, ev.RDates) {
		bad("ExDates/RDates", [][]time.Time{ie.ExDates, ie.RDates}, [][]time.Time{ev.ExDates, ev.RDates})
	}
	if ie.Status != ev.Status || ie.Sequence != ev.Sequence || !ie.LastModified.Equal(ev.LastModified) {
		bad("Status/Sequence/LastModified", fmt.Sprint(ie.Status, ie.Sequence, ie.LastModified), fmt.Sprint(ev.Status, ev.Sequence, ev.LastModified))
	}
	if fmt.Sprint(ie.Categories) != fmt.Sprint(ev.Categories) {
		bad("Categories", ie.Categories, ev.Categories)
	}
	if ie.Organizer == nil || *ie.Organizer != (Attendee{Name: ev.Organizer.Name, Email: ev.Organizer.Email}) {
		bad("Organizer", ie.Organizer, ev.Organizer)
	}
	var wantAtt []string
	for _, a := range ev.Attendees {
		// The RFC 5545 vocabulary is coarser than jointcal's: briefers
		// and observers come back as participants.
		w := Attendee{Name: a.Name, Email: a.Email, Role: a.Role, Required: a.Required, RSVP: a.RSVP}
		switch a.Role {
		case "briefer", "observer", "":
			w.Role = "participant"
		case "lead":
			w.Required = true
		case "audience":
			w.Required = false
		}
		if w.RSVP == "" {
			w.RSVP = "needs_action"
		}
		wantAtt = append(wantAtt, attendeeText(w))
	}
	var gotAtt []string
	for _, a := range ie.Attendees {
		gotAtt = append(gotAtt, attendeeText(a))
	}
	if fmt.Sprint(gotAtt) != fmt.Sprint(wantAtt) {
		bad("Attendees", gotAtt, wantAtt)
	}
	var wantRem []time.Duration
	if ev.Status != "cancelled" {
		wantRem = ev.Reminders
	}
	if fmt.Sprint(ie.Reminders) != fmt.Sprint(wantRem) {
		bad("Reminders", ie.Reminders, wantRem)
	}
	if len(ie.Overrides) != len(ev.Overrides) {
		bad("Overrides", ie.Overrides, ev.Overrides)
		return
	}
	for i, o := range ev.Overrides { // genEvents lists them in RECURRENCE-ID order
		got := ie.Overrides[i]
		want := Override{RecurrenceID: o.RecurrenceID, Cancelled: o.Cancelled || ev.Status == "cancelled", Title: o.Title}
		if !want.Cancelled {
			want.Start = o.Start
			if want.Start.IsZero() {
				want.Start = o.RecurrenceID
			}
			want.End = o.End
			if want.End.IsZero() {
				want.End = want.Start.Add(ev.End.Sub(ev.Start))
			}
		}
		if !got.RecurrenceID.Equal(want.RecurrenceID) || got.Cancelled != want.Cancelled || got.Title != want.Title ||
			!got.Start.Equal(want.Start) || !got.End.Equal(want.End) {
			bad(fmt.Sprintf("Overrides[%d]", i), got, want)
		}
	}
}

// floatingDates is an all-day Event as an import with DefaultZone UTC
// reads it: every date kept, in UTC.
func floatingDates(ev Event) Event {
	date := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	dates := func(ts []time.Time) []time.Time {
		var out []time.Time
		for _, t := range ts {
			out = append(out, date(t))
		}
		return out
	}
	ev.TimeZone = ""
	ev.Start, ev.End = date(ev.Start), date(ev.End)
	ev.ExDates, ev.RDates = dates(ev.ExDates), dates(ev.RDates)
	ovs := make([]Override, len(ev.Overrides))
	for i, o := range ev.Overrides {
		o.RecurrenceID, o.Start, o.End = date(o.RecurrenceID), date(o.Start), date(o.End)
		ovs[i] = o
	}
	ev.Overrides = ovs
	return ev
}

func sameInstants(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// calendarWith wraps content lines (LF-separated, written with CRLF) in a
// VCALENDAR.
func calendarWith(lines ...string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VCALENDAR\r\n"
}

// eventWith wraps properties in a VEVENT with a UID.
func eventWith(props ...string) []string {
	return append(append([]string{"BEGIN:VEVENT", "UID:test@jointcal.example"}, props...), "END:VEVENT")
}

func mustImport(t *testing.T, input string, opts ImportOptions) *ImportResult {
	t.Helper()
	res, err := ParseImport(strings.NewReader(input), opts)
	if err != nil {
		t.Fatalf("ParseImport: %v\n%s", err, input)
	}
	return res
}

// importOne imports one event and fails unless it is the only result.
func importOne(t *testing.T, opts ImportOptions, props ...string) ImportedEvent {
	t.Helper()
	res := mustImport(t, calendarWith(eventWith(props...)...), opts)
	if len(res.Events) != 1 || len(res.Errors) != 0 || len(res.Skipped) != 0 {
		t.Fatalf("want one event, got %+v", res)
	}
	return res.Events[0]
}

func TestImportStructureErrors(t *testing.T) {
	t.Parallel()
	cal := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	for _, tc := range []struct {
		name, input string
		line        int
		message     string
	}{
		{"empty", "", 0, "the input is empty"},
		{"only blank lines", "\r\n\r\n  \r\n", 0, "the input is empty"},
		{"UTF-16", "\xff\xfeB\x00E\x00", 0, "UTF-16"},
		{"continuation first", " BEGIN:VCALENDAR\r\n", 1, "starts with white space"},
		{"END without BEGIN", "END:VCALENDAR\r\n", 1, "without a matching BEGIN"},
		{"property before VCALENDAR", "VERSION:2.0\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", 1, "property VERSION outside a VCALENDAR"},
		{"vCard", "BEGIN:VCARD\r\nEND:VCARD\r\n", 1, "BEGIN:VCARD outside a VCALENDAR"},
		{"END mismatch", cal + "BEGIN:VEVENT\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", 4, "END:VTODO does not close BEGIN:VEVENT of line 3"},
		{"missing END:VEVENT", cal + "BEGIN:VEVENT\r\nBEGIN:VEVENT\r\n", 4, "BEGIN:VEVENT inside VEVENT (opened at line 3)"},
		{"VTIMEZONE inside VEVENT", cal + "BEGIN:VEVENT\r\nBEGIN:VTIMEZONE\r\n", 4, "BEGIN:VTIMEZONE inside VEVENT"},
		{"nested VCALENDAR", cal + "BEGIN:VCALENDAR\r\n", 3, "BEGIN:VCALENDAR inside VCALENDAR"},
		{"never closed", cal + "BEGIN:VEVENT\r\nUID:x\r\n", 3, "BEGIN:VEVENT is never closed"},
		{"text after END:VCALENDAR", cal + "END:VCALENDAR\r\nthanks!\r\n", 4, "not an iCalendar content line"},
		{"property after END:VCALENDAR", cal + "END:VCALENDAR\r\nSUMMARY:x\r\n", 4, "property SUMMARY outside a VCALENDAR"},
		{"no colon", cal + "SUMMARY\r\nEND:VCALENDAR\r\n", 3, "no colon before the value"},
		{"no name", cal + ":value\r\nEND:VCALENDAR\r\n", 3, "must start with a property name"},
		{"BEGIN without a name", cal + "BEGIN:\r\n", 3, "does not name a component"},
		{"folded line number", cal + "BEGIN:VEVENT\r\nDESCRIPTION:a\r\n b\r\nbroken\r\n", 6, "\"broken\""},
		{"LF line number", "BEGIN:VCALENDAR\nVERSION:2.0\n\nbroken\n", 4, "\"broken\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := ParseImport(strings.NewReader(tc.input), ImportOptions{})
			var ie *ImportError
			if !errors.As(err, &ie) || res != nil {
				t.Fatalf("got %v, %v; want an *ImportError and no result", res, err)
			}
			if ie.Line != tc.line || !strings.Contains(ie.Message, tc.message) {
				t.Errorf("got line %d %q; want line %d containing %q", ie.Line, ie.Message, tc.line, tc.message)
			}
			if !strings.HasPrefix(err.Error(), "calendar: import: ") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestImportStructureAccepted(t *testing.T) {
	t.Parallel()
	ev := func(uid string) string {
		return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTART:20240101T100000Z\r\nEND:VEVENT\r\n"
	}
	for _, tc := range []struct {
		name, input string
		uids        []string
	}{
		{"no events", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", nil},
		{"two calendars concatenated", "BEGIN:VCALENDAR\r\n" + ev("a") + "END:VCALENDAR\r\nBEGIN:VCALENDAR\r\n" + ev("b") + "END:VCALENDAR\r\n", []string{"a", "b"}},
		{"lower-case names", "begin:vcalendar\r\nbegin:vevent\r\nuid:a\r\ndtstart:20240101T100000Z\r\nend:vevent\r\nend:vcalendar\r\n", []string{"a"}},
		{"blank lines and trailing space line", "BEGIN:VCALENDAR\r\n\r\n" + ev("a") + "\r\n \r\nEND:VCALENDAR\r\n\r\n", []string{"a"}},
		{"no final line end", "BEGIN:VCALENDAR\r\n" + ev("a") + "END:VCALENDAR", []string{"a"}},
		{"ignored components", "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\nBEGIN:VALARM\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VTODO\r\n" +
			"BEGIN:VJOURNAL\r\nUID:j\r\nEND:VJOURNAL\r\nBEGIN:X-THING\r\nBEGIN:X-INNER\r\nX-A:b\r\nEND:X-INNER\r\nEND:X-THING\r\n" + ev("a") + "END:VCALENDAR\r\n", []string{"a"}},
		{"unknown child of VEVENT", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240101T100000Z\r\nBEGIN:X-PARTICIPANT\r\nUID:inner\r\nEND:X-PARTICIPANT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", []string{"a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := mustImport(t, tc.input, ImportOptions{})
			var uids []string
			for _, e := range res.Events {
				uids = append(uids, e.UID)
			}
			if fmt.Sprint(uids) != fmt.Sprint(tc.uids) || len(res.Errors) > 0 || len(res.Skipped) > 0 {
				t.Errorf("got events %v, errors %v, skipped %v; want %v", uids, res.Errors, res.Skipped, tc.uids)
			}
		})
	}
}

// TestImportLineEnds reads the same calendar written with CRLF, LF and CR
// line ends, a byte order mark, and folds made of spaces or tabs.
func TestImportLineEnds(t *testing.T) {
	t.Parallel()
	lines := []string{"BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:a@x", "DTSTART;TZID=Europe/Brussels:20240612T100000",
		"SUMMARY:Réunion informelle du Conseil", "DESCRIPTION:first\\nsecond", "END:VEVENT", "END:VCALENDAR"}
	folded := []string{"BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:a@", " x", "DTSTART;TZID=Europe/Brussels:2024", "\t0612T100000",
		"SUMMARY:Réunion inform", " elle du Conseil", "DESCRIPTION:first\\", " nsecond", "END:VEVENT", "END:VCALENDAR"}
	var want *ImportedEvent
	for _, tc := range []struct {
		name  string
		lines []string
		sep   string
		bom   bool
	}{
		{"CRLF", lines, "\r\n", false},
		{"LF", lines, "\n", false},
		{"CR", lines, "\r", false},
		{"LF with BOM", lines, "\n", true},
		{"CRLF with BOM, folded", folded, "\r\n", true},
		{"LF folded", folded, "\n", false},
		{"CR folded", folded, "\r", false},
	} {
		input := strings.Join(tc.lines, tc.sep) + tc.sep
		if tc.bom {
			input = "\uFEFF" + input
		}
		res := mustImport(t, input, ImportOptions{})
		if len(res.Events) != 1 {
			t.Fatalf("%s: %+v", tc.name, res)
		}
		got := res.Events[0]
		if want == nil {
			want = &got
			if got.Title != "Réunion informelle du Conseil" || got.Description != "first\nsecond" || got.UID != "a@x" ||
				got.Start.Format(time.RFC3339) != "2024-06-12T10:00:00+02:00" {
				t.Fatalf("%s: %+v", tc.name, got)
			}
			continue
		}
		if got.UID != want.UID || got.Title != want.Title || got.Description != want.Description || !got.Start.Equal(want.Start) || got.Line != want.Line {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, want)
		}
	}
}

// countingReader is an endless calendar-like stream that counts what is
// read from it.
type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	const line = "X-PADDING:0123456789\r\n"
	for i := range p {
		p[i] = line[(r.n+int64(i))%int64(len(line))]
	}
	r.n += int64(len(p))
	return len(p), nil
}

type failingReader struct{}

var errUnplugged = errors.New("cable unplugged")

func (failingReader) Read([]byte) (int, error) { return 0, errUnplugged }

func TestImportLimits(t *testing.T) {
	t.Parallel()
	if d := DefaultImportLimits(); d.MaxBytes != 10<<20 || d.MaxEvents != 50000 {
		t.Errorf("DefaultImportLimits() = %+v", d)
	}
	three := calendarWith(append(append(eventWith("DTSTART:20240101T100000Z"), "BEGIN:VEVENT", "UID:b", "DTSTART:20240101T100000Z", "END:VEVENT"),
		"BEGIN:VEVENT", "UID:c", "DTSTART:20240101T100000Z", "END:VEVENT")...)
	size := int64(len(three))
	for _, tc := range []struct {
		name    string
		limits  ImportLimits
		line    int // 0: no error
		message string
	}{
		{"defaults", ImportLimits{}, 0, ""},
		{"exactly MaxBytes", ImportLimits{MaxBytes: size}, 0, ""},
		{"one byte over MaxBytes", ImportLimits{MaxBytes: size - 1}, 16, "larger than the limit of " + fmt.Sprint(size-1) + " bytes (MaxBytes)"},
		{"exactly MaxEvents", ImportLimits{MaxEvents: 3}, 0, ""},
		{"over MaxEvents", ImportLimits{MaxEvents: 2}, 12, "more than 2 VEVENT components (MaxEvents)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := ParseImport(strings.NewReader(three), ImportOptions{Limits: tc.limits})
			if tc.line == 0 {
				if err != nil || len(res.Events) != 3 {
					t.Fatalf("got %v, %v", res, err)
				}
				return
			}
			var ie *ImportError
			if !errors.As(err, &ie) || ie.Line != tc.line || !strings.Contains(ie.Message, tc.message) {
				t.Fatalf("got %v; want line %d %q", err, tc.line, tc.message)
			}
		})
	}

	t.Run("endless input is read MaxBytes+1 bytes only", func(t *testing.T) {
		t.Parallel()
		r := &countingReader{}
		_, err := ParseImport(r, ImportOptions{Limits: ImportLimits{MaxBytes: 4096}})
		var ie *ImportError
		if !errors.As(err, &ie) || !strings.Contains(ie.Message, "MaxBytes") {
			t.Fatalf("got %v", err)
		}
		if r.n > 4097 {
			t.Errorf("read %d bytes from the reader", r.n)
		}
	})
	t.Run("read error", func(t *testing.T) {
		t.Parallel()
		_, err := ParseImport(failingReader{}, ImportOptions{})
		var ie *ImportError
		if !errors.Is(err, errUnplugged) || errors.As(err, &ie) {
			t.Fatalf("got %v; want the reader's error wrapped, not an *ImportError", err)
		}
	})
}

func TestImportDefaultZone(t *testing.T) {
	t.Parallel()
	bru := mustLoad(t, "Europe/Brussels")
	floating := []string{"DTSTART:20240612T100000", "DURATION:PT1H"}
	for _, tc := range []struct {
		name  string
		zone  *time.Location
		start string
		tz    string
		err   string
	}{
		{"nil is UTC", nil, "2024-06-12T10:00:00Z", "", ""},
		{"time.UTC", time.UTC, "2024-06-12T10:00:00Z", "", ""},
		{"loaded UTC", mustLoad(t, "UTC"), "2024-06-12T10:00:00Z", "", ""},
		{"Etc/UTC is UTC", mustLoad(t, "Etc/UTC"), "2024-06-12T10:00:00Z", "", ""},
		{"IANA zone", bru, "2024-06-12T10:00:00+02:00", "Europe/Brussels", ""},
		{"time.Local", time.Local, "", "", "time.Local"},
		{"fixed zone", time.FixedZone("CET-ish", 3600), "", "", `"CET-ish" is not an IANA time zone`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := ParseImport(strings.NewReader(calendarWith(eventWith(floating...)...)), ImportOptions{DefaultZone: tc.zone})
			if tc.err != "" {
				var ie *ImportError
				if err == nil || errors.As(err, &ie) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v; want a plain error containing %q", err, tc.err)
				}
				return
			}
			if err != nil || len(res.Events) != 1 {
				t.Fatalf("got %+v, %v", res, err)
			}
			ev := res.Events[0]
			if rfc3339(ev.Start) != tc.start || ev.TimeZone != tc.tz {
				t.Errorf("got %s in %q; want %s in %q", rfc3339(ev.Start), ev.TimeZone, tc.start, tc.tz)
			}
		})
	}
}

// TestImportTimes covers how DTSTART, DTEND and DURATION become Start, End
// and TimeZone. Floating times are read in Europe/Brussels.
func TestImportTimes(t *testing.T) {
	t.Parallel()
	bru := mustLoad(t, "Europe/Brussels")
	for _, tc := range []struct {
		name       string
		props      []string
		start, end string
		zone       string
		allDay     bool
	}{
		{"TZID and DTEND", []string{"DTSTART;TZID=Europe/Brussels:20240612T100000", "DTEND;TZID=Europe/Brussels:20240612T113000"},
			"2024-06-12T10:00:00+02:00", "2024-06-12T11:30:00+02:00", "Europe/Brussels", false},
		{"quoted TZID", []string{`DTSTART;TZID="America/New_York":20240612T100000`, "DURATION:PT45M"},
			"2024-06-12T10:00:00-04:00", "2024-06-12T10:45:00-04:00", "America/New_York", false},
		{"UTC", []string{"DTSTART:20240612T100000Z", "DTEND:20240612T110000Z"}, "2024-06-12T10:00:00Z", "2024-06-12T11:00:00Z", "", false},
		{"Z wins over TZID", []string{"DTSTART;TZID=Europe/Brussels:20240612T100000Z"}, "2024-06-12T10:00:00Z", "2024-06-12T10:00:00Z", "", false},
		{"TZID=UTC", []string{"DTSTART;TZID=UTC:20240612T100000"}, "2024-06-12T10:00:00Z", "2024-06-12T10:00:00Z", "", false},
		{"TZID=Etc/GMT", []string{"DTSTART;TZID=Etc/GMT:20240612T100000"}, "2024-06-12T10:00:00Z", "2024-06-12T10:00:00Z", "", false},
		{"floating", []string{"DTSTART:20240612T100000", "DTEND:20240612T110000"}, "2024-06-12T10:00:00+02:00", "2024-06-12T11:00:00+02:00", "Europe/Brussels", false},
		{"timed without end is zero length", []string{"DTSTART;TZID=Europe/Brussels:20240612T100000"},
			"2024-06-12T10:00:00+02:00", "2024-06-12T10:00:00+02:00", "Europe/Brussels", false},
		{"all-day without end is one day", []string{"DTSTART;VALUE=DATE:20240330"}, "2024-03-30T00:00:00+01:00", "2024-03-31T00:00:00+01:00", "Europe/Brussels", true},
		{"all-day across the clock change", []string{"DTSTART;VALUE=DATE:20240331", "DTEND;VALUE=DATE:20240401"},
			"2024-03-31T00:00:00+01:00", "2024-04-01T00:00:00+02:00", "Europe/Brussels", true},
		{"all-day DTEND = DTSTART is one day", []string{"DTSTART;VALUE=DATE:20240330", "DTEND;VALUE=DATE:20240330"},
			"2024-03-30T00:00:00+01:00", "2024-03-31T00:00:00+01:00", "Europe/Brussels", true},
		{"all-day DURATION", []string{"DTSTART;VALUE=DATE:20240330", "DURATION:P1W"}, "2024-03-30T00:00:00+01:00", "2024-04-06T00:00:00+02:00", "Europe/Brussels", true},
		{"all-day DURATION with hours rounds up", []string{"DTSTART;VALUE=DATE:20240330", "DURATION:PT36H"},
			"2024-03-30T00:00:00+01:00", "2024-04-01T00:00:00+02:00", "Europe/Brussels", true},
		{"all-day with TZID", []string{"DTSTART;VALUE=DATE;TZID=America/New_York:20240330"}, "2024-03-30T00:00:00-04:00", "2024-03-31T00:00:00-04:00", "America/New_York", true},
		{"DURATION day is nominal across DST", []string{"DTSTART;TZID=Europe/Brussels:20240330T120000", "DURATION:P1D"},
			"2024-03-30T12:00:00+01:00", "2024-03-31T12:00:00+02:00", "Europe/Brussels", false},
		{"DURATION hours are exact across DST", []string{"DTSTART;TZID=Europe/Brussels:20240330T120000", "DURATION:PT24H"},
			"2024-03-30T12:00:00+01:00", "2024-03-31T13:00:00+02:00", "Europe/Brussels", false},
		{"DURATION mixed", []string{"DTSTART;TZID=Europe/Brussels:20240330T120000", "DURATION:P1DT2H"},
			"2024-03-30T12:00:00+01:00", "2024-03-31T14:00:00+02:00", "Europe/Brussels", false},
		{"DTEND in another zone", []string{"DTSTART;TZID=Europe/Brussels:20240601T100000", "DTEND;TZID=America/New_York:20240601T100000"},
			"2024-06-01T10:00:00+02:00", "2024-06-01T16:00:00+02:00", "Europe/Brussels", false},
		{"floating DTEND of a zoned event", []string{"DTSTART;TZID=America/New_York:20240601T100000", "DTEND:20240601T110000"},
			"2024-06-01T10:00:00-04:00", "2024-06-01T11:00:00-04:00", "America/New_York", false},
		{"gap reads the offset before it", []string{"DTSTART;TZID=America/New_York:20240310T023000"},
			"2024-03-10T03:30:00-04:00", "2024-03-10T03:30:00-04:00", "America/New_York", false},
		{"repeated hour west of UTC is the first", []string{"DTSTART;TZID=America/New_York:20241103T013000"},
			"2024-11-03T01:30:00-04:00", "2024-11-03T01:30:00-04:00", "America/New_York", false},
		{"repeated hour east of UTC is the first", []string{"DTSTART;TZID=Europe/Brussels:20241027T023000"},
			"2024-10-27T02:30:00+02:00", "2024-10-27T02:30:00+02:00", "Europe/Brussels", false},
		{"Windows name in any case", []string{"DTSTART;TZID=w. europe standard time:20240101T090000"},
			"2024-01-01T09:00:00+01:00", "2024-01-01T09:00:00+01:00", "Europe/Berlin", false},
		{"Windows name with spaces around", []string{`DTSTART;TZID=" Eastern Standard Time ":20240101T090000`},
			"2024-01-01T09:00:00-05:00", "2024-01-01T09:00:00-05:00", "America/New_York", false},
		{"mozilla prefix", []string{"DTSTART;TZID=/mozilla.org/20050126_1/America/New_York:20240101T090000"},
			"2024-01-01T09:00:00-05:00", "2024-01-01T09:00:00-05:00", "America/New_York", false},
		{"softwarestudio prefix", []string{"DTSTART;TZID=/softwarestudio.org/Olson_20011030_5/Europe/Tallinn:20240101T090000"},
			"2024-01-01T09:00:00+02:00", "2024-01-01T09:00:00+02:00", "Europe/Tallinn", false},
		{"IANA alias", []string{"DTSTART;TZID=US/Eastern:20240101T090000"}, "2024-01-01T09:00:00-05:00", "2024-01-01T09:00:00-05:00", "US/Eastern", false},
		{"leap second", []string{"DTSTART:20161231T235960Z"}, "2016-12-31T23:59:59Z", "2016-12-31T23:59:59Z", "", false},
		{"lower-case t and z", []string{"DTSTART:20240612t100000z"}, "2024-06-12T10:00:00Z", "2024-06-12T10:00:00Z", "", false},
		{"DTEND DATE of a timed event keeps the time of day", []string{"DTSTART:20240612T100000Z", "DTEND;VALUE=DATE:20240613"},
			"2024-06-12T10:00:00Z", "2024-06-13T10:00:00Z", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := importOne(t, ImportOptions{DefaultZone: bru}, tc.props...)
			if got := [...]any{rfc3339(ev.Start), rfc3339(ev.End), ev.TimeZone, ev.AllDay}; got != [...]any{tc.start, tc.end, tc.zone, tc.allDay} {
				t.Errorf("got %v; want %v", got, [...]any{tc.start, tc.end, tc.zone, tc.allDay})
			}
			if ev.Start.Location().String() != map[string]string{"": "UTC"}[tc.zone]+tc.zone {
				t.Errorf("Start is in %v, want the event's zone", ev.Start.Location())
			}
		})
	}
}

// TestImportEventErrors: problems inside one event leave it out with its
// line, and do not stop the file.
func TestImportEventErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		props   []string
		line    int // of the input; the VEVENT starts at line 4, its UID is line 5
		message string
	}{
		{"two DTSTART", []string{"DTSTART:20240101T100000Z", "DTSTART:20240102T100000Z"}, 7, "DTSTART appears twice in one VEVENT (first at line 6)"},
		{"two RRULE", []string{"DTSTART:20240101T100000Z", "RRULE:FREQ=DAILY", "RRULE:FREQ=WEEKLY"}, 8, "RRULE appears twice"},
		{"two UID", []string{"DTSTART:20240101T100000Z", "UID:other"}, 7, "UID appears twice"},
		{"no DTSTART", []string{"SUMMARY:x"}, 4, "VEVENT has no DTSTART"},
		{"DTSTART garbage", []string{"DTSTART:tomorrow"}, 6, `DTSTART: "tomorrow" is not an iCalendar DATE`},
		{"DTSTART bad time", []string{"DTSTART:20240101T250000Z"}, 6, "no such time of day"},
		{"DTSTART short time", []string{"DTSTART:20240101T1000"}, 6, "the time must be 6 digits"},
		{"unknown TZID", []string{"DTSTART;TZID=Mars/Olympus_Mons:20240101T100000"}, 6, `TZID "Mars/Olympus_Mons": not an IANA or Windows time zone name`},
		{"TZID Local", []string{"DTSTART;TZID=Local:20240101T100000"}, 6, `TZID "Local"`},
		{"TZID path", []string{"DTSTART;TZID=../../etc/passwd:20240101T100000"}, 6, `TZID "../../etc/passwd"`},
		{"unknown TZID on EXDATE", []string{"DTSTART:20240101T100000Z", "RRULE:FREQ=DAILY", "EXDATE;TZID=Nowhere:20240102T100000"}, 8, `EXDATE: TZID "Nowhere"`},
		{"DTEND before DTSTART", []string{"DTSTART:20240101T100000Z", "DTEND:20240101T090000Z"}, 7, "DTEND 20240101T090000Z is before DTSTART 20240101T100000Z"},
		{"all-day DTEND before DTSTART", []string{"DTSTART;VALUE=DATE:20240102", "DTEND;VALUE=DATE:20240101"}, 7, "is before DTSTART"},
		{"negative DURATION", []string{"DTSTART:20240101T100000Z", "DURATION:-PT1H"}, 7, `DURATION "-PT1H" is negative`},
		{"DURATION in months", []string{"DTSTART:20240101T100000Z", "DURATION:P1M"}, 7, "years and months have no fixed length"},
		{"zero time", []string{"DTSTART:00010101T000000Z"}, 6, "cannot be told apart from no time"},
		{"zero time EXDATE", []string{"DTSTART:00020101T000000Z", "RRULE:FREQ=YEARLY", "EXDATE:00010101T000000Z"}, 8, "EXDATE is 0001-01-01T00:00:00Z"},
		{"end past year 9999", []string{"DTSTART:99991231T230000Z", "DURATION:P2D"}, 7, "year outside 0000-9999"},
		{"bad RRULE", []string{"DTSTART:20240101T100000Z", "RRULE:FREQ=DAILY;BYHOUR=25"}, 7, `RRULE "FREQ=DAILY;BYHOUR=25"`},
		{"BYEASTER", []string{"DTSTART:20240101T100000Z", "RRULE:FREQ=YEARLY;BYEASTER=1"}, 7, "BYEASTER is not an RFC 5545 rule part"},
		{"EXRULE", []string{"DTSTART:20240101T100000Z", "EXRULE:FREQ=DAILY"}, 7, "EXRULE"},
		{"bad EXDATE", []string{"DTSTART:20240101T100000Z", "RRULE:FREQ=DAILY", "EXDATE:20240102T100000Z,2024"}, 8, `EXDATE: "2024" is not`},
		{"bad RDATE", []string{"DTSTART:20240101T100000Z", "RDATE;VALUE=PERIOD:x/PT1H"}, 7, `RDATE: "x" is not`},
		{"bad RECURRENCE-ID", []string{"DTSTART:20240101T100000Z", "RECURRENCE-ID:soon"}, 7, "RECURRENCE-ID:"},
		{"negative SEQUENCE", []string{"DTSTART:20240101T100000Z", "SEQUENCE:-1"}, 7, `SEQUENCE "-1" is not a non-negative integer`},
		{"bad LAST-MODIFIED", []string{"DTSTART:20240101T100000Z", "LAST-MODIFIED:yesterday"}, 7, "LAST-MODIFIED:"},
		{"bad TRIGGER", []string{"DTSTART:20240101T100000Z", "BEGIN:VALARM", "TRIGGER:soon", "END:VALARM"}, 8, "VALARM TRIGGER"},
		{"date TRIGGER", []string{"DTSTART:20240101T100000Z", "BEGIN:VALARM", "TRIGGER;VALUE=DATE-TIME:20240101", "END:VALARM"}, 8, "an absolute trigger must be a DATE-TIME"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			input := calendarWith(append(eventWith(tc.props...), "BEGIN:VEVENT", "UID:fine", "DTSTART:20240101T100000Z", "END:VEVENT")...)
			res := mustImport(t, input, ImportOptions{})
			if len(res.Errors) != 1 || len(res.Events) != 1 || res.Events[0].UID != "fine" {
				t.Fatalf("want one error and the other event, got %+v", res)
			}
			e := res.Errors[0]
			if e.Line != tc.line || e.UID != "test@jointcal.example" || !strings.Contains(e.Message, tc.message) {
				t.Errorf("got %+v; want line %d containing %q", e, tc.line, tc.message)
			}
		})
	}
}

func TestImportRRule(t *testing.T) {
	t.Parallel()
	bru := mustLoad(t, "Europe/Brussels")
	for _, tc := range []struct {
		name, dtstart, rule, want string
	}{
		{"passed through", "DTSTART;TZID=Europe/Brussels:20240612T100000", "FREQ=WEEKLY;BYDAY=WE;UNTIL=20240630T080000Z", "FREQ=WEEKLY;BYDAY=WE;UNTIL=20240630T080000Z"},
		{"upper-cased, prefix dropped", "DTSTART:20240612T100000Z", " rrule:freq=monthly;byday=2we ", "FREQ=MONTHLY;BYDAY=2WE"},
		{"floating UNTIL read in the event's zone", "DTSTART;TZID=Europe/Brussels:20240612T100000", "FREQ=DAILY;UNTIL=20240630T100000", "FREQ=DAILY;UNTIL=20240630T080000Z"},
		{"date UNTIL of a timed event covers its day", "DTSTART;TZID=America/New_York:20240612T100000", "FREQ=DAILY;UNTIL=20240630", "FREQ=DAILY;UNTIL=20240701T035959Z"},
		{"all-day with a date UNTIL", "DTSTART;VALUE=DATE:20240612", "FREQ=YEARLY;UNTIL=20300612", "FREQ=YEARLY;UNTIL=20300612"},
		{"all-day with a UTC UNTIL takes the zone's date", "DTSTART;VALUE=DATE:20240612", "FREQ=YEARLY;UNTIL=20301231T230000Z", "FREQ=YEARLY;UNTIL=20310101"},
		{"all-day with a floating UNTIL", "DTSTART;VALUE=DATE:20240612", "FREQ=YEARLY;UNTIL=20301231T235959", "FREQ=YEARLY;UNTIL=20301231"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := importOne(t, ImportOptions{DefaultZone: bru}, tc.dtstart, "RRULE:"+tc.rule)
			if ev.RRule != tc.want {
				t.Errorf("RRule = %q, want %q", ev.RRule, tc.want)
			}
		})
	}
}

// TestImportRecurrenceDates covers EXDATE and RDATE forms.
func TestImportRecurrenceDates(t *testing.T) {
	t.Parallel()
	bru := mustLoad(t, "Europe/Brussels")
	ev := importOne(t, ImportOptions{DefaultZone: bru},
		"DTSTART;TZID=Europe/Brussels:20240612T100000", "RRULE:FREQ=WEEKLY;COUNT=20",
		"EXDATE;TZID=Europe/Brussels:20240619T100000,20240626T100000",
		"EXDATE:20240703T080000Z",
		"EXDATE;VALUE=DATE:20240710",
		"EXDATE:20240717T100000",
		"RDATE;VALUE=PERIOD:20240801T120000Z/20240801T130000Z,20240802T120000Z/PT1H",
		"RDATE;TZID=America/New_York:20240805T040000")
	want := []string{"2024-06-19T10:00:00+02:00", "2024-06-26T10:00:00+02:00", "2024-07-03T10:00:00+02:00", "2024-07-10T10:00:00+02:00", "2024-07-17T10:00:00+02:00"}
	if got := rfc3339s(ev.ExDates); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ExDates = %v, want %v", got, want)
	}
	want = []string{"2024-08-01T14:00:00+02:00", "2024-08-02T14:00:00+02:00", "2024-08-05T10:00:00+02:00"}
	if got := rfc3339s(ev.RDates); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("RDates = %v, want %v", got, want)
	}
	allDay := importOne(t, ImportOptions{DefaultZone: bru}, "DTSTART;VALUE=DATE:20240612", "RRULE:FREQ=WEEKLY",
		"EXDATE;VALUE=DATE:20240619,20240626", "EXDATE:20240702T230000Z")
	want = []string{"2024-06-19T00:00:00+02:00", "2024-06-26T00:00:00+02:00", "2024-07-03T00:00:00+02:00"}
	if got := rfc3339s(allDay.ExDates); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("all-day ExDates = %v, want %v", got, want)
	}
}

func TestImportAlarms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		alarm []string
		want  string
	}{
		{"before the start", []string{"TRIGGER:-PT15M"}, "[15m0s]"},
		{"Google's long form", []string{"TRIGGER:-P0DT0H30M0S"}, "[30m0s]"},
		{"after the start", []string{"TRIGGER:PT5M"}, "[-5m0s]"},
		{"weeks", []string{"TRIGGER:-P1W"}, "[168h0m0s]"},
		{"explicit RELATED=START", []string{"TRIGGER;RELATED=START:-PT1H"}, "[1h0m0s]"},
		{"relative to the end", []string{"TRIGGER;RELATED=END:-PT15M"}, "[-1h45m0s]"},
		{"absolute UTC", []string{"TRIGGER;VALUE=DATE-TIME:20240612T070000Z"}, "[1h0m0s]"},
		{"absolute without VALUE", []string{"TRIGGER:20240612T060000Z"}, "[2h0m0s]"},
		{"absolute floating in the event's zone", []string{"TRIGGER;VALUE=DATE-TIME:20240612T094500"}, "[15m0s]"},
		{"ACTION:NONE", []string{"ACTION:NONE", "TRIGGER:-PT15M"}, "[]"},
		{"no TRIGGER", []string{"ACTION:DISPLAY"}, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			props := append([]string{"DTSTART;TZID=Europe/Brussels:20240612T100000", "DTEND;TZID=Europe/Brussels:20240612T120000", "BEGIN:VALARM"}, tc.alarm...)
			ev := importOne(t, ImportOptions{}, append(props, "END:VALARM")...)
			if got := fmt.Sprint(ev.Reminders); got != tc.want {
				t.Errorf("Reminders = %s, want %s", got, tc.want)
			}
		})
	}
	ev := importOne(t, ImportOptions{}, "DTSTART:20240612T100000Z",
		"BEGIN:VALARM", "TRIGGER:-PT10M", "END:VALARM", "BEGIN:VALARM", "TRIGGER:-P1D", "END:VALARM", "BEGIN:VALARM", "TRIGGER:-PT10M", "END:VALARM")
	if got := fmt.Sprint(ev.Reminders); got != "[10m0s 24h0m0s]" {
		t.Errorf("duplicates: Reminders = %s", got)
	}
}

func TestImportAttendees(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line string
		want string // attendeeText, or "" when left out
	}{
		{"ATTENDEE:mailto:a@x.example", " <a@x.example> participant required needs_action"},
		{"ATTENDEE:MAILTO:a@x.example", " <a@x.example> participant required needs_action"},
		{"ATTENDEE:a@x.example", " <a@x.example> participant required needs_action"},
		{"ATTENDEE;CN=\"Doe, Jane\";ROLE=CHAIR;PARTSTAT=ACCEPTED:mailto:jane@x.example", "Doe, Jane <jane@x.example> lead required accepted"},
		{"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=TENTATIVE:mailto:a@x.example", " <a@x.example> participant required tentative"},
		{"ATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=DECLINED:mailto:a@x.example", " <a@x.example> participant optional declined"},
		{"ATTENDEE;ROLE=NON-PARTICIPANT;PARTSTAT=DELEGATED:mailto:a@x.example", " <a@x.example> audience optional declined"},
		{"ATTENDEE;ROLE=X-OBSERVER;PARTSTAT=X-MAYBE:mailto:a@x.example", " <a@x.example> participant required needs_action"},
		{"ATTENDEE;role=chair;partstat=accepted:mailto:a@x.example", " <a@x.example> lead required accepted"},
		{"ATTENDEE;CN=Chair ^'PSC^'^nBrussels:mailto:a@x.example", "Chair \"PSC\"\nBrussels <a@x.example> participant required needs_action"},
		{"ATTENDEE;CN=Room:urn:uuid:5e3c1e2a-0000-4000-8000-000000000001", ""},
		{"ATTENDEE;CN=Everyone:invalid:nomail", ""},
		{"ATTENDEE:mailto:not-an-address", ""},
		{"ATTENDEE:mailto:a b@x.example", ""},
	} {
		t.Run(tc.line, func(t *testing.T) {
			t.Parallel()
			ev := importOne(t, ImportOptions{}, "DTSTART:20240612T100000Z", tc.line)
			got := ""
			if len(ev.Attendees) == 1 {
				got = attendeeText(ev.Attendees[0])
			}
			if got != tc.want || len(ev.Attendees) > 1 {
				t.Errorf("got %v; want %q", ev.Attendees, tc.want)
			}
		})
	}
	ev := importOne(t, ImportOptions{}, "DTSTART:20240612T100000Z", "ORGANIZER;CN=Secretariat;SENT-BY=\"mailto:b@x.example\":mailto:s@x.example",
		"ATTENDEE:mailto:a@x.example", "ATTENDEE;CN=Again:mailto:A@X.example")
	if ev.Organizer == nil || *ev.Organizer != (Attendee{Name: "Secretariat", Email: "s@x.example"}) || len(ev.Attendees) != 1 {
		t.Errorf("organizer %+v, attendees %+v", ev.Organizer, ev.Attendees)
	}
}

// TestImportDescriptive covers the text, URL and versioning properties.
func TestImportDescriptive(t *testing.T) {
	t.Parallel()
	ev := importOne(t, ImportOptions{},
		"DTSTART:20240612T100000Z",
		`SUMMARY:NAC\, PSC\; and \\ friends`,
		`DESCRIPTION:one\ntwo\Nthree\,\:`,
		"DESCRIPTION:ignored second description",
		"LOCATION:Bad\x00byte \xff here\x7f",
		"URL:https://partner.example/events/1",
		"X-GOOGLE-CONFERENCE:https://meet.example/abc",
		"CONFERENCE;VALUE=URI;FEATURE=VIDEO:https://vtc.example/r/1",
		"CATEGORIES:Exercise,Cyber\\,hybrid,Exercise",
		"CATEGORIES: Staff talks ,",
		"STATUS:cancelled",
		"SEQUENCE:7",
		"LAST-MODIFIED:20240220T164500Z",
		"X-UNKNOWN;X-PARAM=1:whatever",
	)
	for _, c := range []struct{ field, got, want string }{
		{"Title", ev.Title, "NAC, PSC; and \\ friends"},
		{"Description", ev.Description, "one\ntwo\nthree,:"},
		{"Location", ev.Location, "Badbyte \uFFFD here"},
		{"URL", ev.URL, "https://partner.example/events/1"},
		{"ConferenceURL", ev.ConferenceURL, "https://vtc.example/r/1"},
		{"Categories", fmt.Sprint(ev.Categories), "[Exercise Cyber,hybrid Staff talks]"},
		{"Status", ev.Status, "cancelled"},
		{"Sequence", fmt.Sprint(ev.Sequence), "7"},
		{"LastModified", rfc3339(ev.LastModified), "2024-02-20T16:45:00Z"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	for _, tc := range []struct {
		props                   []string
		url, conference, status string
	}{
		{[]string{"URL:not a url", "X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.example/l/1", "STATUS:TENTATIVE"}, "", "https://teams.example/l/1", "tentative"},
		{[]string{"URL:/relative/path", "X-GOOGLE-CONFERENCE:https://meet.example/abc", "X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.example/l/1", "STATUS:NEEDS-ACTION"}, "", "https://meet.example/abc", "confirmed"},
		{[]string{"CONFERENCE;VALUE=URI:tel:+32-2-707-4111", "STATUS:CONFIRMED"}, "", "tel:+32-2-707-4111", "confirmed"},
	} {
		ev := importOne(t, ImportOptions{}, append([]string{"DTSTART:20240612T100000Z"}, tc.props...)...)
		if ev.URL != tc.url || ev.ConferenceURL != tc.conference || ev.Status != tc.status {
			t.Errorf("%v: got URL %q, conference %q, status %q", tc.props, ev.URL, ev.ConferenceURL, ev.Status)
		}
	}
	if ev := importOne(t, ImportOptions{}, "DTSTART:20240612T100000Z"); ev.Status != "confirmed" || ev.Sequence != 0 || !ev.LastModified.IsZero() {
		t.Errorf("defaults: %+v", ev)
	}
}

// TestImportUIDs covers escaped UIDs and the synthetic UID of a VEVENT
// without one: the same for the same DTSTART and SUMMARY, different
// otherwise.
func TestImportUIDs(t *testing.T) {
	t.Parallel()
	res := mustImport(t, calendarWith("BEGIN:VEVENT", `UID:a\,b\;c`, "DTSTART:20240612T100000Z", "END:VEVENT"), ImportOptions{})
	if len(res.Events) != 1 || res.Events[0].UID != "a,b;c" {
		t.Fatalf("escaped UID: %+v", res)
	}
	uid := func(props ...string) string {
		t.Helper()
		res := mustImport(t, calendarWith(append(append([]string{"BEGIN:VEVENT"}, props...), "END:VEVENT")...), ImportOptions{})
		if len(res.Events) != 1 {
			t.Fatalf("%+v", res)
		}
		return res.Events[0].UID
	}
	a := uid("DTSTART;TZID=Europe/Brussels:20240612T100000", "SUMMARY:PSC lunch")
	if !strings.HasPrefix(a, "synthetic-") || !strings.HasSuffix(a, "@import.invalid") || len(a) != len("synthetic-@import.invalid")+32 {
		t.Errorf("synthetic UID %q", a)
	}
	for _, c := range []struct {
		props []string
		same  bool
	}{
		{[]string{"DTSTART;TZID=Europe/Brussels:20240612T100000", "SUMMARY:PSC lunch", "DESCRIPTION:changed", "UID:"}, true},
		{[]string{"DTSTART;TZID=Europe/Brussels:20240612T100000", "SUMMARY:PSC dinner"}, false},
		{[]string{"DTSTART;TZID=Europe/Brussels:20240612T110000", "SUMMARY:PSC lunch"}, false},
		{[]string{"DTSTART;TZID=Europe/Paris:20240612T100000", "SUMMARY:PSC lunch"}, false},
	} {
		if got := uid(c.props...); (got == a) != c.same {
			t.Errorf("%v: UID %q, first %q; same = %v", c.props, got, a, c.same)
		}
	}
}

// TestImportDuplicates covers which version of a UID wins.
func TestImportDuplicates(t *testing.T) {
	t.Parallel()
	version := func(title string, props ...string) []string {
		return append(append([]string{"BEGIN:VEVENT", "UID:dup", "DTSTART:20240612T100000Z", "SUMMARY:" + title}, props...), "END:VEVENT")
	}
	for _, tc := range []struct {
		name   string
		a, b   []string
		winner string
		reason string
	}{
		{"higher SEQUENCE wins", version("a", "SEQUENCE:2"), version("b", "SEQUENCE:1"), "a", "duplicate VEVENT at line 10 (SEQUENCE 1) superseded by the one at line 4 (SEQUENCE 2)"},
		{"later LAST-MODIFIED breaks a tie", version("a", "LAST-MODIFIED:20240101T000000Z"), version("b", "LAST-MODIFIED:20240102T000000Z"), "b",
			"duplicate VEVENT at line 4 (SEQUENCE 0, LAST-MODIFIED 2024-01-01T00:00:00Z) superseded by the one at line 10 (SEQUENCE 0, LAST-MODIFIED 2024-01-02T00:00:00Z)"},
		{"the first wins a full tie", version("a"), version("b"), "a", "duplicate VEVENT at line 9 (SEQUENCE 0) superseded by the one at line 4 (SEQUENCE 0)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := mustImport(t, calendarWith(append(tc.a, tc.b...)...), ImportOptions{})
			if len(res.Events) != 1 || res.Events[0].Title != tc.winner || len(res.Skipped) != 1 || res.Skipped[0] != (Skipped{UID: "dup", Reason: tc.reason}) {
				t.Errorf("got %+v", res)
			}
		})
	}
	// A broken version keeps the whole UID out, instances included.
	res := mustImport(t, calendarWith(append(append(version("a", "RRULE:FREQ=DAILY"), version("b", "SEQUENCE:x")...),
		"BEGIN:VEVENT", "UID:dup", "RECURRENCE-ID:20240613T100000Z", "DTSTART:20240613T110000Z", "END:VEVENT")...), ImportOptions{})
	if len(res.Events) != 0 || len(res.Errors) != 1 || len(res.Skipped) != 0 {
		t.Errorf("broken version: %+v", res)
	}
}

// TestImportOverrides covers how RECURRENCE-ID instances are folded in.
func TestImportOverrides(t *testing.T) {
	t.Parallel()
	bru := mustLoad(t, "Europe/Brussels")
	master := []string{"BEGIN:VEVENT", "UID:s", "DTSTART;TZID=Europe/Brussels:20240612T100000", "DURATION:PT1H", "RRULE:FREQ=WEEKLY", "SUMMARY:Series", "END:VEVENT"}
	instance := func(props ...string) []string {
		return append(append([]string{"BEGIN:VEVENT", "UID:s"}, props...), "END:VEVENT")
	}
	res := mustImport(t, calendarWith(append(append(append(append(
		instance("RECURRENCE-ID;TZID=Europe/Brussels:20240626T100000", "DTSTART;TZID=Europe/Brussels:20240626T100000", "STATUS:CANCELLED", "SUMMARY:Series"),
		master...),
		instance("RECURRENCE-ID:20240619T080000Z", "DTSTART;TZID=Europe/Brussels:20240620T090000", "SUMMARY:Series")...),
		instance("RECURRENCE-ID;TZID=America/New_York:20240703T040000", "DTSTART;TZID=Europe/Brussels:20240703T100000", "DTEND;TZID=Europe/Brussels:20240703T120000", "SUMMARY:Series (long)")...),
		instance("RECURRENCE-ID;TZID=Europe/Brussels:20240710T100000", "DTSTART;TZID=Europe/Brussels:20240710T100000")...)...),
		ImportOptions{DefaultZone: bru})
	if len(res.Events) != 1 || len(res.Errors)+len(res.Skipped) != 0 {
		t.Fatalf("%+v", res)
	}
	ev := res.Events[0]
	if ev.Line != 11 {
		t.Errorf("Line = %d, want the master's BEGIN:VEVENT", ev.Line)
	}
	var got []string
	for _, o := range ev.Overrides {
		got = append(got, fmt.Sprintf("%s %v %s %s %q", rfc3339(o.RecurrenceID), o.Cancelled, rfc3339(o.Start), rfc3339(o.End), o.Title))
	}
	want := []string{
		`2024-06-19T10:00:00+02:00 false 2024-06-20T09:00:00+02:00 2024-06-20T09:00:00+02:00 ""`,
		`2024-06-26T10:00:00+02:00 true   ""`,
		`2024-07-03T10:00:00+02:00 false 2024-07-03T10:00:00+02:00 2024-07-03T12:00:00+02:00 "Series (long)"`,
		`2024-07-10T10:00:00+02:00 false 2024-07-10T10:00:00+02:00 2024-07-10T10:00:00+02:00 ""`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Overrides:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A timed instance of an all-day series becomes the days it touches.
	res = mustImport(t, calendarWith(
		"BEGIN:VEVENT", "UID:d", "DTSTART;VALUE=DATE:20240612", "RRULE:FREQ=WEEKLY", "SUMMARY:Days", "END:VEVENT",
		"BEGIN:VEVENT", "UID:d", "RECURRENCE-ID;VALUE=DATE:20240619", "DTSTART:20240620T090000", "DTEND:20240620T100000", "SUMMARY:Days", "END:VEVENT",
		"BEGIN:VEVENT", "UID:d", "RECURRENCE-ID:20240626T000000", "DTSTART:20240627T230000", "DTEND:20240628T010000", "SUMMARY:Days", "END:VEVENT",
	), ImportOptions{DefaultZone: bru})
	if len(res.Events) != 1 || len(res.Events[0].Overrides) != 2 {
		t.Fatalf("%+v", res)
	}
	got = nil
	for _, o := range res.Events[0].Overrides {
		got = append(got, rfc3339(o.RecurrenceID)+" "+rfc3339(o.Start)+" "+rfc3339(o.End))
	}
	want = []string{"2024-06-19T00:00:00+02:00 2024-06-20T00:00:00+02:00 2024-06-21T00:00:00+02:00",
		"2024-06-26T00:00:00+02:00 2024-06-27T00:00:00+02:00 2024-06-29T00:00:00+02:00"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("all-day overrides %v, want %v", got, want)
	}
	checkRenderable(t, res)

	// Dates stay dates when the instance is read in another zone than the
	// series (a TZID on the master's DATE, none on the instance's).
	res = mustImport(t, calendarWith(
		"BEGIN:VEVENT", "UID:n", "DTSTART;VALUE=DATE;TZID=America/New_York:20240612", "RRULE:FREQ=WEEKLY", "END:VEVENT",
		"BEGIN:VEVENT", "UID:n", "RECURRENCE-ID;VALUE=DATE:20240619", "DTSTART;VALUE=DATE:20240620", "END:VEVENT",
		"BEGIN:VEVENT", "UID:n", "RECURRENCE-ID;VALUE=DATE:20240626", "DTSTART;VALUE=DATE:20240626", "STATUS:CANCELLED", "END:VEVENT",
	), ImportOptions{DefaultZone: bru})
	if len(res.Events) != 1 || len(res.Events[0].Overrides) != 2 {
		t.Fatalf("%+v", res)
	}
	got = nil
	for _, o := range res.Events[0].Overrides {
		got = append(got, rfc3339(o.RecurrenceID)+" "+rfc3339(o.Start)+" "+rfc3339(o.End))
	}
	want = []string{"2024-06-19T00:00:00-04:00 2024-06-20T00:00:00-04:00 2024-06-21T00:00:00-04:00", "2024-06-26T00:00:00-04:00  "}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("all-day overrides across zones %v, want %v", got, want)
	}
	checkRenderable(t, res)
}
