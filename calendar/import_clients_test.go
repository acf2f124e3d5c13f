package calendar

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/planning"
)

// The files under testdata/import/clients are shaped like what real
// clients write (Exchange 2010, Outlook, Thunderbird, Google, iOS, Lotus
// Notes, GroupWise), each holding one class of issue 15's refusals. The
// expected instants below are worked out by hand from RFC 5545 and the
// zones' published rules (Brussels and Berlin: UTC+1, UTC+2 from the last
// Sunday of March to the last Sunday of October; New York: UTC-5, UTC-4
// from the second Sunday of March to the first Sunday of November), not
// by running jointcal.

// utc builds an expected instant.
func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// clientFile parses one file of the clients corpus.
func clientFile(t *testing.T, name string, opts ImportOptions) *ImportResult {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "import", "clients", name))
	if err != nil {
		t.Fatal(err)
	}
	res, err := ParseImport(strings.NewReader(string(data)), opts)
	if err != nil {
		t.Fatalf("%s refused: %v", name, err)
	}
	checkRenderable(t, res)
	return res
}

// eventByUID finds an imported event.
func eventByUID(t *testing.T, res *ImportResult, uid string) ImportedEvent {
	t.Helper()
	for _, ev := range res.Events {
		if ev.UID == uid {
			return ev
		}
	}
	t.Fatalf("no event %q among %d (errors %v, skipped %v)", uid, len(res.Events), res.Errors, res.Skipped)
	return ImportedEvent{}
}

// recurrenceOf is what the store hands to planning for an imported event.
func recurrenceOf(ev ImportedEvent) planning.Recurrence {
	r := planning.Recurrence{Start: ev.Start, End: ev.End, TimeZone: ev.TimeZone, AllDay: ev.AllDay, RRule: ev.RRule, ExDates: ev.ExDates, RDates: ev.RDates}
	if !r.End.After(r.Start) {
		r.End = r.Start.Add(time.Hour)
	}
	for _, o := range ev.Overrides {
		r.Overrides = append(r.Overrides, planning.Override{RecurrenceID: o.RecurrenceID, Cancelled: o.Cancelled, Start: o.Start, End: o.End})
	}
	return r
}

// occurrenceStarts expands an imported event as the store would.
func occurrenceStarts(t *testing.T, ev ImportedEvent, now time.Time) []time.Time {
	t.Helper()
	r := recurrenceOf(ev)
	if err := planning.Validate(r, now, planning.DefaultLimits()); err != nil {
		t.Fatalf("%s: planning refuses the imported series: %v", ev.UID, err)
	}
	occs, err := planning.Expand(r, r.Start, r.Start.AddDate(3, 0, 0), now, planning.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	var out []time.Time
	for _, o := range occs {
		out = append(out, o.Start)
	}
	return out
}

func wantInstants(t *testing.T, what string, got []time.Time, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
		return
	}
	for i := range want {
		if !got[i].Equal(utc(want[i])) {
			t.Errorf("%s[%d]: got %s, want %s", what, i, got[i].UTC().Format(time.RFC3339), want[i])
		}
	}
}

// Defect 1: an instance whose own DTSTART is a DATE names its occurrence in
// the series' terms.
func TestImportRecurrenceIDInSeriesTerms(t *testing.T) {
	t.Parallel()
	berlin := mustLoad(t, "Europe/Berlin")
	for _, tc := range []struct {
		name, file, uid string
		zone            *time.Location
		rid, start, end string
		occurrences     []string
	}{
		// Exchange 2010 whole-day weekly series, one day moved from
		// Thursday 26 to Friday 27 February; RECURRENCE-ID written as
		// W. Europe midnight of the 26th. In Berlin the days are
		// 23:00Z of the day before.
		{"Exchange all-day series read in Berlin", "exchange2010_allday_series.ics", "040000008200E00074C5B7101A82E00800000000A1B2C3D4", berlin,
			"2026-02-25T23:00:00Z", "2026-02-26T23:00:00Z", "2026-02-27T23:00:00Z",
			[]string{"2026-02-18T23:00:00Z", "2026-03-04T23:00:00Z", "2026-03-11T23:00:00Z", "2026-02-26T23:00:00Z"}},
		// The same file read with the default UTC: the series' days are
		// UTC days, and the 26th is still the 26th.
		{"Exchange all-day series read in UTC", "exchange2010_allday_series.ics", "040000008200E00074C5B7101A82E00800000000A1B2C3D4", nil,
			"2026-02-26T00:00:00Z", "2026-02-27T00:00:00Z", "2026-02-28T00:00:00Z",
			[]string{"2026-02-19T00:00:00Z", "2026-03-05T00:00:00Z", "2026-03-12T00:00:00Z", "2026-02-27T00:00:00Z"}},
		// Thunderbird: a 09:00 Berlin series (08:00Z in winter) whose
		// second instance became a whole day; that day is Berlin's 26th.
		{"Thunderbird timed series, all-day instance", "thunderbird_allday_instance.ics", "5e1c7a3e-8f0b-4c55-9d0a-1f2e3d4c5b6a", nil,
			"2026-02-26T08:00:00Z", "2026-02-25T23:00:00Z", "2026-02-26T23:00:00Z",
			[]string{"2026-02-19T08:00:00Z", "2026-02-25T23:00:00Z", "2026-03-05T08:00:00Z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := clientFile(t, tc.file, ImportOptions{DefaultZone: tc.zone})
			ev := eventByUID(t, res, tc.uid)
			if len(ev.Overrides) != 1 {
				t.Fatalf("overrides %+v, want one", ev.Overrides)
			}
			o := ev.Overrides[0]
			wantInstants(t, "recurrence id, start, end", []time.Time{o.RecurrenceID, o.Start, o.End}, tc.rid, tc.start, tc.end)
			got := occurrenceStarts(t, ev, utc("2026-01-01T00:00:00Z"))
			slices.SortFunc(got, func(a, b time.Time) int { return a.Compare(b) })
			want := slices.Clone(tc.occurrences)
			slices.Sort(want)
			wantInstants(t, "occurrences", got, want...)
		})
	}
}

// Defect 5: a line of a property jointcal does not use that cannot be
// parsed is skipped with a warning naming it; a broken line of a property
// it reads fails that event only.
func TestImportSkipsUnreadableUnusedLines(t *testing.T) {
	t.Parallel()
	res := clientFile(t, "ios_structured_location.ics", ImportOptions{})
	ev := eventByUID(t, res, "6A3F1C2E-0B7D-4E8A-9C1F-2D3E4F5A6B7C")
	wantInstants(t, "start", []time.Time{ev.Start, ev.End}, "2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z")
	if ev.Location != "Justus Lipsius\nRue de la Loi 175, 1048 Bruxelles" {
		t.Errorf("location %q", ev.Location)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].Line != 12 || !strings.Contains(res.Warnings[0].Message, "X-APPLE-STRUCTURED-LOCATION skipped") ||
		!strings.Contains(res.Warnings[0].Message, `175\\; 1048 Bruxelles`) {
		t.Errorf("warnings %+v, want line 12 naming the property and showing the offending part", res.Warnings)
	}
	if len(res.Errors) != 1 || res.Errors[0].Line != 17 || res.Errors[0].UID != "7B4A2D3F-1C8E-4F9B-8D2A-3E4F5A6B7C8D" ||
		!strings.Contains(res.Errors[0].Message, "quoted parameter value is not closed") {
		t.Errorf("errors %+v, want the broken DTSTART of line 17 failing its event", res.Errors)
	}
}

// The lines that look like no property at all stay errors of the file.
func TestImportSkippedLinesTable(t *testing.T) {
	t.Parallel()
	cal := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	ev := "BEGIN:VEVENT\r\nUID:u\r\nDTSTART:20260101T100000Z\r\n"
	for _, tc := range []struct {
		name, input string
		warnLine    int
		errLine     int
		message     string
	}{
		{"calendar property without parameter name", cal + "X-FOO;=x:y\r\nEND:VCALENDAR\r\n", 3, 0, "a parameter has no name"},
		{"unclosed quote in an unused event property", cal + ev + "X-ALT-DESC;FMTTYPE=\"text/html:<p>x</p>\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 6, 0, "quoted parameter value is not closed"},
		{"junk after quote in DTEND", cal + ev + "DTEND;TZID=\"Europe/Brussels\"x:20260101T120000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 0, 6, "unexpected 'x'"},
		{"broken TZOFFSETTO line", cal + "BEGIN:VTIMEZONE\r\nTZID:Custom\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO;X=\"a:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
			"BEGIN:VEVENT\r\nUID:u\r\nDTSTART;TZID=Custom:20260101T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 0, 13, "line 8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := ParseImport(strings.NewReader(tc.input), ImportOptions{})
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tc.warnLine > 0 && (len(res.Warnings) != 1 || res.Warnings[0].Line != tc.warnLine || !strings.Contains(res.Warnings[0].Message, tc.message)) {
				t.Errorf("warnings %+v; want line %d with %q", res.Warnings, tc.warnLine, tc.message)
			}
			if tc.errLine > 0 && (len(res.Errors) != 1 || res.Errors[0].Line != tc.errLine || !strings.Contains(res.Errors[0].Message, tc.message)) {
				t.Errorf("errors %+v; want line %d with %q", res.Errors, tc.errLine, tc.message)
			}
		})
	}
}

// Defect 6: what RFC 5545 and its clients accept, jointcal reads with a
// single meaning.
func TestImportRFCRelaxations(t *testing.T) {
	t.Parallel()
	bru := mustLoad(t, "Europe/Brussels")
	res := clientFile(t, "rfc_relaxed.ics", ImportOptions{DefaultZone: bru})
	if len(res.Errors) != 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	t.Run("repeated identical RRULE", func(t *testing.T) {
		ev := eventByUID(t, res, "twice@relaxed.example")
		if ev.RRule != "FREQ=WEEKLY;COUNT=3" {
			t.Errorf("rrule %q", ev.RRule)
		}
	})
	t.Run("empty RRULE", func(t *testing.T) {
		ev := eventByUID(t, res, "empty-rule@relaxed.example")
		if ev.RRule != "" {
			t.Errorf("rrule %q", ev.RRule)
		}
		if !slices.ContainsFunc(res.Warnings, func(w ImportError) bool { return w.Line == 18 && strings.Contains(w.Message, "RRULE is empty") }) {
			t.Errorf("no warning for line 18 in %+v", res.Warnings)
		}
	})
	t.Run("empty TZID", func(t *testing.T) {
		ev := eventByUID(t, res, "empty-tzid@relaxed.example")
		wantInstants(t, "span", []time.Time{ev.Start, ev.End}, "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z")
		if ev.TimeZone != "Europe/Brussels" {
			t.Errorf("zone %q", ev.TimeZone)
		}
	})
	t.Run("RECURRENCE-ID that is no occurrence", func(t *testing.T) {
		ev := eventByUID(t, res, "extra@relaxed.example")
		wantInstants(t, "rdates", ev.RDates, "2026-03-04T08:00:00Z")
		got := occurrenceStarts(t, ev, utc("2026-01-01T00:00:00Z"))
		wantInstants(t, "occurrences", got, "2026-03-02T08:00:00Z", "2026-03-04T13:00:00Z", "2026-03-09T08:00:00Z", "2026-03-16T08:00:00Z", "2026-03-23T08:00:00Z")
		if !slices.ContainsFunc(res.Warnings, func(w ImportError) bool { return w.UID == ev.UID && strings.Contains(w.Message, "extra instance") }) {
			t.Errorf("no warning in %+v", res.Warnings)
		}
	})
	t.Run("RANGE=THISANDFUTURE", func(t *testing.T) {
		first := eventByUID(t, res, "future@relaxed.example")
		if first.RRule != "FREQ=WEEKLY;UNTIL=20260319T075959Z" || len(first.ExDates) != 0 {
			t.Errorf("first part: rrule %q exdates %v", first.RRule, first.ExDates)
		}
		wantInstants(t, "first part", occurrenceStarts(t, first, utc("2026-01-01T00:00:00Z")), "2026-03-05T08:00:00Z", "2026-03-12T08:00:00Z")
		rest := eventByUID(t, res, "future@relaxed.example#20260319T080000Z")
		if rest.RRule != "FREQ=WEEKLY;COUNT=3" || rest.Title != "Thursday call (later)" {
			t.Errorf("second part: rrule %q title %q", rest.RRule, rest.Title)
		}
		// 11:00 Brussels from the 19th: 10:00Z in March, 09:00Z after
		// 29 March; the 26th stays excluded, moved with the series.
		wantInstants(t, "second part", occurrenceStarts(t, rest, utc("2026-01-01T00:00:00Z")), "2026-03-19T10:00:00Z", "2026-04-02T09:00:00Z")
	})
	t.Run("every Friday the 13th", func(t *testing.T) {
		ev := eventByUID(t, res, "friday13@relaxed.example")
		got := occurrenceStarts(t, ev, utc("1997-09-01T00:00:00Z"))
		// The DTSTART (2 September 1997, 09:00 EDT) is excluded; the rule
		// gives 13 February 1998 (EST), 13 March 1998 (EST), 13 November 1998 (EST)...
		wantInstants(t, "first three", got[:3], "1998-02-13T14:00:00Z", "1998-03-13T14:00:00Z", "1998-11-13T14:00:00Z")
	})
}

// Defect 7: an occurrence both excluded and overridden is decided by the
// newer of the two versions, and the occurrence index agrees.
func TestImportExcludedAndOverridden(t *testing.T) {
	t.Parallel()
	res := clientFile(t, "google_exdate_and_instance.ics", ImportOptions{})
	stale := eventByUID(t, res, "stale-instance@google.com")
	if len(stale.Overrides) != 0 {
		t.Errorf("stale instance kept: %+v", stale.Overrides)
	}
	wantInstants(t, "stale exdates", stale.ExDates, "2026-04-14T08:00:00Z")
	if !slices.ContainsFunc(res.Skipped, func(s Skipped) bool {
		return s.UID == stale.UID && strings.Contains(s.Reason, "the exclusion wins")
	}) {
		t.Errorf("skipped %+v", res.Skipped)
	}
	wantInstants(t, "stale occurrences", occurrenceStarts(t, stale, utc("2026-01-01T00:00:00Z")), "2026-04-07T08:00:00Z", "2026-04-21T08:00:00Z", "2026-04-28T08:00:00Z")

	fresh := eventByUID(t, res, "newer-instance@google.com")
	if len(fresh.ExDates) != 0 || len(fresh.Overrides) != 1 {
		t.Fatalf("exdates %v overrides %+v", fresh.ExDates, fresh.Overrides)
	}
	wantInstants(t, "fresh occurrences", occurrenceStarts(t, fresh, utc("2026-01-01T00:00:00Z")),
		"2026-04-08T08:00:00Z", "2026-04-16T08:00:00Z", "2026-04-22T08:00:00Z", "2026-04-29T08:00:00Z")
}

// Defect 3: floating times are read in the calendar's X-WR-TIMEZONE, else
// in the zone the import is given (the option, else the organisation's).
func TestImportFloatingTimes(t *testing.T) {
	t.Parallel()
	bru, ny := mustLoad(t, "Europe/Brussels"), mustLoad(t, "America/New_York")
	t.Run("X-WR-TIMEZONE wins over the import's zone", func(t *testing.T) {
		t.Parallel()
		res := clientFile(t, "google_floating_xwr.ics", ImportOptions{DefaultZone: ny})
		dinner := eventByUID(t, res, "dinner@google.com")
		// 21:00 in Brussels in June is CEST, 19:00Z.
		wantInstants(t, "dinner", []time.Time{dinner.Start, dinner.End}, "2026-06-12T19:00:00Z", "2026-06-12T20:30:00Z")
		if dinner.TimeZone != "Europe/Brussels" {
			t.Errorf("zone %q", dinner.TimeZone)
		}
		friday := eventByUID(t, res, "friday@google.com")
		wantInstants(t, "series", occurrenceStarts(t, friday, utc("2026-01-01T00:00:00Z")), "2026-03-20T08:00:00Z", "2026-03-27T08:00:00Z", "2026-04-03T07:00:00Z")
		day := eventByUID(t, res, "national-day@google.com")
		wantInstants(t, "all-day", []time.Time{day.Start, day.End}, "2026-07-20T22:00:00Z", "2026-07-21T22:00:00Z")
	})
	for _, tc := range []struct {
		name  string
		zone  *time.Location
		rule  string
		want  []string
		label string
	}{
		// Outlook 2003 writes floating times; a Washington partner's 09:00
		// is 14:00Z before 8 March 2026 and 13:00Z after.
		{"import zone America/New_York", ny, "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260316T130000Z",
			[]string{"2026-03-02T14:00:00Z", "2026-03-09T13:00:00Z", "2026-03-16T13:00:00Z"}, "America/New_York"},
		{"no zone given: UTC", nil, "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260316T090000Z",
			[]string{"2026-03-02T09:00:00Z", "2026-03-09T09:00:00Z", "2026-03-16T09:00:00Z"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := clientFile(t, "outlook2003_floating.ics", ImportOptions{DefaultZone: tc.zone})
			ev := eventByUID(t, res, "040000008200E00074C5B7101A82E0080000000010203040")
			if ev.RRule != tc.rule || ev.TimeZone != tc.label {
				t.Errorf("rrule %q zone %q", ev.RRule, ev.TimeZone)
			}
			wantInstants(t, "occurrences", occurrenceStarts(t, ev, utc("2026-01-01T00:00:00Z")), tc.want...)
		})
	}
	t.Run("unknown X-WR-TIMEZONE", func(t *testing.T) {
		t.Parallel()
		res := clientFile(t, "unknown_xwr_timezone.ics", ImportOptions{DefaultZone: bru})
		ev := eventByUID(t, res, "unknown-xwr@example.org")
		wantInstants(t, "start", []time.Time{ev.Start}, "2026-06-12T19:00:00Z")
		if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Message, "X-WR-TIMEZONE") {
			t.Errorf("warnings %+v", res.Warnings)
		}
	})
}

// Exchange writes Windows display names as TZID without a VTIMEZONE; the
// common ones are mapped like Windows IDs, when the offset agrees.
func TestImportExchangeDisplayNames(t *testing.T) {
	t.Parallel()
	res := clientFile(t, "exchange_display_names.ics", ImportOptions{})
	for _, tc := range []struct{ uid, zone, start string }{
		{"display-eastern@exchange.example", "America/New_York", "2026-06-02T13:00:00Z"},      // EDT, UTC-4
		{"display-paris@exchange.example", "Europe/Paris", "2026-01-15T09:00:00Z"},            // CET
		{"display-berlin@exchange.example", "Europe/Berlin", "2026-07-15T08:00:00Z"},          // CEST
		{"display-newfoundland@exchange.example", "America/St_Johns", "2026-01-15T13:30:00Z"}, // NST, UTC-3:30
		{"display-utc@exchange.example", "", "2026-01-15T10:00:00Z"},
	} {
		ev := eventByUID(t, res, tc.uid)
		if ev.TimeZone != tc.zone {
			t.Errorf("%s: zone %q, want %q", tc.uid, ev.TimeZone, tc.zone)
		}
		wantInstants(t, tc.uid, []time.Time{ev.Start}, tc.start)
	}
	if len(res.Errors) != 1 || res.Errors[0].UID != "display-wrong-offset@exchange.example" {
		t.Errorf("errors %+v, want the display name with the wrong offset refused", res.Errors)
	}
}

// Defect 2: custom VTIMEZONE blocks are read by their own observances;
// the stored zone is the IANA zone that agrees with them.
func TestImportCustomBlocks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, file, uid, zone string
		span                  []string // start, end
		occurrences           []string // when recurring
	}{
		// GroupWise switches an hour before the EU (01:00 local in March):
		// 02:30 on 29 March 2026 is already CEST in the block, 00:30Z
		// (Europe/Warsaw alone would have read it in the gap, 01:30Z).
		{"GroupWise block, switch an hour early", "groupwise_cet_block.ics", "20260201T101010Z-gw-0001", "Europe/Warsaw",
			[]string{"2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z"}, nil},
		{"GroupWise block, monthly series", "groupwise_cet_block.ics", "20260201T101010Z-gw-0002", "Europe/Warsaw",
			[]string{"2026-06-12T08:00:00Z", "2026-06-12T09:00:00Z"},
			[]string{"2026-06-12T08:00:00Z", "2026-07-12T08:00:00Z", "2026-08-12T08:00:00Z", "2026-09-12T08:00:00Z", "2026-10-12T08:00:00Z", "2026-11-12T09:00:00Z"}},
		// Outlook's Brasília block of 2018 switches on Saturday at
		// 23:59:59; 5 November 2018 is summer time, UTC-2.
		{"Outlook Brasília", "outlook_brasilia.ics", "040000008200E00074C5B7101A82E00800000000B7A5C3D2", "America/Sao_Paulo",
			[]string{"2018-11-05T12:00:00Z", "2018-11-05T13:00:00Z"}, nil},
		// Two eras of US rules; 28 October 2026 is after the old era's last
		// Sunday of October but before the current first Sunday of
		// November: still EDT, UTC-4.
		{"Outlook eras", "outlook_eras.ics", "040000008200E00074C5B7101A82E00800000000C1C2C3C4", "America/New_York",
			[]string{"2026-10-28T14:00:00Z", "2026-10-28T15:30:00Z"}, nil},
		// Lotus Notes puts the switch hour in BYHOUR: 03:00 CEST on 25
		// October 2026. 02:00 is read twice that night; the first is CEST.
		{"Lotus Notes BYHOUR", "lotus_notes_byhour.ics", "C1257D3A0045B7C2-Lotus_Notes_Generated", "Europe/Berlin",
			[]string{"2026-10-25T00:00:00Z", "2026-10-25T03:00:00Z"}, nil},
		{"Lotus Notes summer", "lotus_notes_byhour.ics", "C1257D3A0045B7C3-Lotus_Notes_Generated", "Europe/Berlin",
			[]string{"2026-06-12T08:00:00Z", "2026-06-12T10:00:00Z"}, nil},
		// Summer time from the second Sunday of February (8 February 2026)
		// to the second Sunday of September: no IANA zone has it, so the
		// block's rules are kept as the occurrences they make.
		{"rules no zone has", "outlook_unmatched_rules.ics", "040000008200E00074C5B7101A82E00800000000D1D2D3D4", "Europe/Berlin",
			[]string{"2026-02-01T08:00:00Z", "2026-02-01T09:00:00Z"},
			[]string{"2026-02-01T08:00:00Z", "2026-02-08T07:00:00Z", "2026-02-15T07:00:00Z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := clientFile(t, tc.file, ImportOptions{})
			ev := eventByUID(t, res, tc.uid)
			if ev.TimeZone != tc.zone {
				t.Errorf("zone %q, want %q", ev.TimeZone, tc.zone)
			}
			wantInstants(t, "span", []time.Time{ev.Start, ev.End}, tc.span...)
			if tc.occurrences != nil {
				wantInstants(t, "occurrences", occurrenceStarts(t, ev, utc("2026-01-01T00:00:00Z")), tc.occurrences...)
			}
		})
	}
	res := clientFile(t, "outlook_unmatched_rules.ics", ImportOptions{})
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Message, "no IANA zone has its daylight-saving rules") {
		t.Errorf("warnings %+v", res.Warnings)
	}
}

// manyAttendees is one event with n distinct attendees and one repeat.
func manyAttendees(n int) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:plenary@example.org\r\nDTSTART:20260610T080000Z\r\nDTEND:20260610T100000Z\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "ATTENDEE;CN=Delegate %d:mailto:delegate%d@example.org\r\n", i, i)
	}
	b.WriteString("ATTENDEE:mailto:DELEGATE0@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	return b.String()
}

// Issue 9, item 8: attendees are de-duplicated in linear time and capped
// per event, with a warning.
func TestImportAttendeeCap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		n, limit  int
		kept      int
		warnCount int
	}{
		{"under the cap, repeat removed", 50, 0, 50, 0},
		{"100,000 attendees, default cap", 100000, 0, 1000, 1},
		{"own cap", 30, 10, 10, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := ParseImport(strings.NewReader(manyAttendees(tc.n)), ImportOptions{Limits: ImportLimits{MaxAttendees: tc.limit}})
			if err != nil {
				t.Fatal(err)
			}
			ev := eventByUID(t, res, "plenary@example.org")
			if len(ev.Attendees) != tc.kept || ev.Attendees[0].Email != "delegate0@example.org" {
				t.Errorf("%d attendees kept, want %d", len(ev.Attendees), tc.kept)
			}
			if len(res.Warnings) != tc.warnCount || tc.warnCount > 0 && !strings.Contains(res.Warnings[0].Message, "MaxAttendees") {
				t.Errorf("warnings %+v", res.Warnings)
			}
		})
	}
}

// BenchmarkParseImportManyAttendees measures the attendee path of one
// event with 100,000 attendees (issue 9, item 8: 50-60 s when it was
// quadratic).
func BenchmarkParseImportManyAttendees(b *testing.B) {
	data := manyAttendees(100000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseImport(strings.NewReader(data), ImportOptions{Limits: ImportLimits{MaxAttendees: 200000}}); err != nil {
			b.Fatal(err)
		}
	}
}

// Issue 16: a local-time series starting at a time the clocks skip or
// repeat follows RFC 5545 §3.3.5 through import and planning. Brussels
// 2027: 02:00-03:00 is skipped on 28 March and repeated on 31 October.
func TestImportSeriesAtDSTTransitions(t *testing.T) {
	t.Parallel()
	res := clientFile(t, "apple_dst_series.ics", ImportOptions{})
	now := utc("2027-01-01T00:00:00Z")
	// 02:30 does not exist on 28 March: the first instance is 03:30 CEST
	// (01:30Z), the next ones 02:30 CEST (00:30Z), not 03:30.
	spring := eventByUID(t, res, "night-watch@icloud.example")
	wantInstants(t, "spring", occurrenceStarts(t, spring, now), "2027-03-28T01:30:00Z", "2027-04-04T00:30:00Z", "2027-04-11T00:30:00Z")
	// 02:30 occurs twice on 31 October: the first, CEST (00:30Z); then
	// 02:30 CET (01:30Z).
	autumn := eventByUID(t, res, "repeated-hour@icloud.example")
	wantInstants(t, "autumn", occurrenceStarts(t, autumn, now), "2027-10-31T00:30:00Z", "2027-11-07T01:30:00Z")
}

// A barren hourly rule with an instance eight thousand years on must not
// make the import walk every hour in between (the test would time out).
func TestImportBarrenRuleInstance(t *testing.T) {
	t.Parallel()
	input := calendarWith(append(eventWith("DTSTART:10000101T000000Z", "RRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30"),
		"BEGIN:VEVENT", "UID:test@jointcal.example", "RECURRENCE-ID:89990101T000000Z", "DTSTART:89990101T010000Z", "END:VEVENT")...)
	res := mustImport(t, input, ImportOptions{})
	if len(res.Events) != 1 || len(res.Events[0].Overrides) != 1 {
		t.Fatalf("got %+v", res)
	}
}

// Exchange flags some whole-day events X-MICROSOFT-CDO-ALLDAYEVENT and
// writes them midnight to midnight in a zone: they are days of that zone.
func TestImportExchangeCDOAllDay(t *testing.T) {
	t.Parallel()
	res := clientFile(t, "exchange_cdo_allday.ics", ImportOptions{})
	ev := eventByUID(t, res, "040000008200E00074C5B7101A82E00800000000F1F2F3F4")
	if !ev.AllDay || ev.TimeZone != "Europe/Berlin" || ev.RRule != "FREQ=YEARLY;UNTIL=20280624" {
		t.Errorf("all-day %v zone %q rrule %q", ev.AllDay, ev.TimeZone, ev.RRule)
	}
	// 24-26 June in Berlin (CEST): 22:00Z the day before; 2027 excluded.
	wantInstants(t, "span", []time.Time{ev.Start, ev.End}, "2026-06-23T22:00:00Z", "2026-06-25T22:00:00Z")
	wantInstants(t, "occurrences", occurrenceStarts(t, ev, utc("2026-01-01T00:00:00Z")), "2026-06-23T22:00:00Z", "2028-06-23T22:00:00Z")
	// Midnight to noon is not a whole day, flag or not.
	if half := eventByUID(t, res, "040000008200E00074C5B7101A82E00800000000F5F6F7F8"); half.AllDay {
		t.Errorf("half day read as all-day")
	}
}
