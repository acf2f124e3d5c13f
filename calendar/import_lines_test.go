package calendar

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestSplitContentLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, name, params, value string
	}{
		{"SUMMARY:Hello", "SUMMARY", "", "Hello"},
		{"summary:lower-case name", "SUMMARY", "", "lower-case name"},
		{"X-FOO-1:a:b;c", "X-FOO-1", "", "a:b;c"},
		{"DTSTART;TZID=Europe/Brussels:20240101T100000", "DTSTART", "TZID=Europe/Brussels", "20240101T100000"},
		{`DTSTART;TZID="(UTC+01:00) Amsterdam, Berlin; Bern":20240101T100000`, "DTSTART", "TZID=(UTC+01:00) Amsterdam, Berlin; Bern", "20240101T100000"},
		{`ATTENDEE;cn="Doe, Jane";role=CHAIR;DELEGATED-FROM="mailto:a@x","mailto:b@x":mailto:j@x`, "ATTENDEE",
			"CN=Doe, Jane|ROLE=CHAIR|DELEGATED-FROM=mailto:a@x,mailto:b@x", "mailto:j@x"},
		{`ATTENDEE;CN=^'Chair^' ^^ PSC^nBrussels^x:mailto:j@x`, "ATTENDEE", `CN="Chair" ^ PSC` + "\nBrussels^x", "mailto:j@x"},
		{"ATTENDEE;RSVP;CN=x:mailto:j@x", "ATTENDEE", "RSVP=|CN=x", "mailto:j@x"},
		{"DESCRIPTION;ALTREP=\"cid:part1\":text", "DESCRIPTION", "ALTREP=cid:part1", "text"},
		{"EMPTY:", "EMPTY", "", ""},
		{"X-P;X-A=;X-B=,:v", "X-P", "X-A=|X-B=,", "v"},
	} {
		cl, err := splitContentLine(tc.in, 7, nil)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		var params []string
		for _, p := range cl.params {
			params = append(params, p.name+"="+p.value)
		}
		if cl.name != tc.name || strings.Join(params, "|") != tc.params || cl.value != tc.value || cl.line != 7 {
			t.Errorf("%q: got %s [%s] %q line %d; want %s [%s] %q", tc.in, cl.name, strings.Join(params, "|"), cl.value, cl.line, tc.name, tc.params, tc.value)
		}
	}
}

func TestCleanText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		escaped bool
		want    string
	}{
		{"plain text", true, "plain text"},
		{`a\nb\Nc`, true, "a\nb\nc"},
		{`a\,b\;c\\d`, true, `a,b;c\d`},
		{`a\:b`, true, "a:b"},
		{`trailing\`, true, "trailing"},
		{`\é`, true, "é"},
		{`a\nb`, false, `a\nb`},
		{"tab\tkept", true, "tab\tkept"},
		{"crlf\r\nand cr\rend", true, "crlf\nand cr\nend"},
		{"nul\x00 del\x7f bell\x07", true, "nul del bell"},
		{`\` + "\x01", true, ""},
		{"bad \xff\xfe utf-8", true, "bad \uFFFD\uFFFD utf-8"},
		{"Réunion — ✓", true, "Réunion — ✓"},
	} {
		if got := cleanText(tc.in, tc.escaped); got != tc.want {
			t.Errorf("cleanText(%q, %v) = %q, want %q", tc.in, tc.escaped, got, tc.want)
		}
	}
}

func TestSplitTextList(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a,b":         "[a b]",
		`a\,b,c`:      `[a\,b c]`,
		`a\\,b`:       `[a\\ b]`,
		"":            "[]",
		"a,":          "[a ]",
		`trailing\`:   `[trailing\]`,
		`x\;y,\nz,,w`: `[x\;y \nz  w]`,
	} {
		if got := fmt.Sprint(splitTextList(in)); got != want {
			t.Errorf("splitTextList(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestParseTimeValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want string // wall clock, form; "" for an error
	}{
		{"20240612", "2024-06-12T00:00:00 date"},
		{"20240612T101530", "2024-06-12T10:15:30 local"},
		{"20240612T101530Z", "2024-06-12T10:15:30 utc"},
		{" 20240612T101530Z ", "2024-06-12T10:15:30 utc"},
		{"20240229", "2024-02-29T00:00:00 date"},
		{"00010101", "0001-01-01T00:00:00 date"},
		{"99991231T235959Z", "9999-12-31T23:59:59 utc"},
		{"20230229", ""},
		{"20241301", ""},
		{"20240600", ""},
		{"20240612T240000", ""},
		{"20240612T106000", ""},
		{"20240612T10153", ""},
		{"20240612T1015300", ""},
		{"20240612 101530", ""},
		{"2024-06-12", ""},
		{"2024061", ""},
		{"+2024061", ""},
		{"", ""},
	} {
		tv, err := parseTimeValue(tc.in)
		got := ""
		if err == nil {
			form := "local"
			if tv.isDate {
				form = "date"
			} else if tv.utc {
				form = "utc"
			}
			got = tv.wall.Format("2006-01-02T15:04:05") + " " + form
		}
		if got != tc.want {
			t.Errorf("parseTimeValue(%q) = %q (%v), want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestParseNominalDuration(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in    string
		days  int
		exact time.Duration
		err   bool
	}{
		{"P1D", 1, 0, false},
		{"P2W", 14, 0, false},
		{"PT36H", 0, 36 * time.Hour, false},
		{"P1DT2H30M", 1, 150 * time.Minute, false},
		{"-P1DT2H", -1, -2 * time.Hour, false},
		{"+P0D", 0, 0, false},
		{"pt15m", 0, 15 * time.Minute, false},
		{" PT1H ", 0, time.Hour, false},
		{"P1M", 0, 0, true},
		{"1H", 0, 0, true},
		{"P", 0, 0, true},
	} {
		nd, err := parseNominalDuration(tc.in)
		if (err != nil) != tc.err || err == nil && (nd.days != tc.days || nd.exact != tc.exact) {
			t.Errorf("parseNominalDuration(%q) = %+v, %v; want %d days %v", tc.in, nd, err, tc.days, tc.exact)
		}
	}
}

// TestWallIn checks RFC 5545's reading of local times around clock changes
// in zones east and west of UTC and with a half-hour change.
func TestWallIn(t *testing.T) {
	t.Parallel()
	wall := func(s string) time.Time {
		w, err := time.Parse("2006-01-02T15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	for _, tc := range []struct {
		zone, wall, want string
	}{
		{"Europe/Brussels", "2024-03-31T02:30", "2024-03-31T03:30:00+02:00"}, // gap: offset before it
		{"Europe/Brussels", "2024-10-27T02:30", "2024-10-27T02:30:00+02:00"}, // repeated: the first
		{"Europe/Brussels", "2024-10-27T03:00", "2024-10-27T03:00:00+01:00"},
		{"Europe/Brussels", "2024-10-27T01:59", "2024-10-27T01:59:00+02:00"},
		{"America/New_York", "2024-03-10T02:30", "2024-03-10T03:30:00-04:00"},
		{"America/New_York", "2024-11-03T01:30", "2024-11-03T01:30:00-04:00"},
		{"America/New_York", "2024-11-03T02:00", "2024-11-03T02:00:00-05:00"},
		{"Australia/Sydney", "2024-10-06T02:30", "2024-10-06T03:30:00+11:00"},
		{"Australia/Sydney", "2024-04-07T02:30", "2024-04-07T02:30:00+11:00"},
		{"Australia/Lord_Howe", "2024-04-07T01:45", "2024-04-07T01:45:00+11:00"},
		{"Australia/Lord_Howe", "2024-10-06T02:15", "2024-10-06T02:45:00+11:00"},
		{"Pacific/Apia", "2011-12-30T12:00", "2011-12-31T12:00:00+14:00"}, // Samoa skipped a whole day
		{"UTC", "2024-03-31T02:30", "2024-03-31T02:30:00Z"},
	} {
		loc := mustLoad(t, tc.zone)
		if got := wallIn(wall(tc.wall), loc).Format(time.RFC3339); got != tc.want {
			t.Errorf("%s %s = %s, want %s", tc.zone, tc.wall, got, tc.want)
		}
	}
}

func TestParseUTCOffset(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"+0100": 3600, "-0500": -18000, "+0530": 19800, "-0000": 0, "+013045": 5445, "-003000": -1800} {
		if got, err := parseUTCOffset(in); err != nil || got != want {
			t.Errorf("parseUTCOffset(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"0100", "+1", "+01:00", "+2400", "+0160", "+01000", "UTC"} {
		if _, err := parseUTCOffset(in); err == nil {
			t.Errorf("parseUTCOffset(%q) succeeded", in)
		}
	}
}
