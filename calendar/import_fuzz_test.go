package calendar

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseImport feeds arbitrary bytes to ParseImport with small limits,
// seeded from the import corpus (testdata/import) and the kept fuzz corpus
// (testdata/fuzz/FuzzParseImport). Run it with a count, e.g.
//
//	go test ./calendar -run '^$' -fuzz FuzzParseImport -fuzztime 2000x
//
// (a timed -fuzztime run trips a bug of this Go release). It must never
// panic; structural failures must be *ImportError without a result; and
// every event it returns must be consistent and accepted by Render.
func FuzzParseImport(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "import", "*.ics"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no corpus: %v", err)
	}
	clients, err := filepath.Glob(filepath.Join("testdata", "import", "clients", "*.ics"))
	if err != nil || len(clients) == 0 {
		f.Fatalf("no clients corpus: %v", err)
	}
	files = append(files, clients...)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(calendarWith(append(vtimezone("Customized Time Zone", euStd1, euDst1),
		eventWith(`DTSTART;TZID="Customized Time Zone":20240801T100000`, "DURATION:P1DT2H", "RRULE:FREQ=WEEKLY;COUNT=3",
			"BEGIN:VALARM", "TRIGGER;RELATED=END:-PT5M", "END:VALARM")...)...)))
	var rendered bytes.Buffer
	if err := Render(&rendered, Calendar{Name: "seed", Stamp: fixtureStamp}, genEvents(f, 12)); err != nil {
		f.Fatal(err)
	}
	f.Add(rendered.Bytes())
	f.Add([]byte("BEGIN:VCALENDAR\rBEGIN:VEVENT\rDTSTART;VALUE=DATE:20240229\rRDATE;VALUE=PERIOD:20240301T000000Z/PT1H\rEND:VEVENT\rEND:VCALENDAR"))
	bru := mustLoad(f, "Europe/Brussels")
	opts := ImportOptions{DefaultZone: bru, Limits: ImportLimits{MaxBytes: 64 << 10, MaxEvents: 200}}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := ParseImport(bytes.NewReader(data), opts)
		if err != nil {
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("error %T %v is not an *ImportError", err, err)
			}
			if res != nil {
				t.Fatal("result returned with a structural error")
			}
			if ie.Line < 0 || ie.Line > bytes.Count(data, []byte("\n"))+bytes.Count(data, []byte("\r"))+1 || ie.Message == "" {
				t.Fatalf("error %+v points nowhere", ie)
			}
			return
		}
		seen := map[string]bool{}
		for _, ev := range res.Events {
			switch {
			case ev.UID == "" || seen[ev.UID]:
				t.Fatalf("UID %q empty or repeated", ev.UID)
			case ev.Line < 1:
				t.Fatalf("event %q has line %d", ev.UID, ev.Line)
			case ev.End.Before(ev.Start):
				t.Fatalf("event %q ends before it starts", ev.UID)
			case ev.AllDay && !ev.End.After(ev.Start):
				t.Fatalf("all-day event %q lasts no day", ev.UID)
			}
			seen[ev.UID] = true
			for _, s := range append([]string{ev.UID, ev.Title, ev.Description, ev.Location}, ev.Categories...) {
				if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\r") {
					t.Fatalf("event %q carries invalid text %q", ev.UID, s)
				}
			}
		}
		for _, e := range res.Errors {
			if e.Line < 1 || e.Message == "" {
				t.Fatalf("event error %+v points nowhere", e)
			}
		}
		// Render expands COUNT rules to size the VTIMEZONE; a minutely or
		// secondly rule with a huge COUNT would take it minutes. Planning
		// refuses such rules before anything is stored.
		cheap := &ImportResult{}
		for _, ev := range res.Events {
			if !strings.Contains(ev.RRule, "FREQ=MINUTELY") && !strings.Contains(ev.RRule, "FREQ=SECONDLY") {
				cheap.Events = append(cheap.Events, ev)
			}
		}
		checkRenderable(t, cheap)
	})
}
