package calendar

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/teambition/rrule-go"
)

// baseEvent is a minimal valid event that the table tests mutate.
func baseEvent() Event {
	return Event{
		UID:   "e1@jointcal.example",
		Title: "t",
		Start: time.Date(2024, 4, 16, 8, 0, 0, 0, time.UTC),
		End:   time.Date(2024, 4, 16, 9, 0, 0, 0, time.UTC),
	}
}

func render(t *testing.T, cal Calendar, events ...Event) (string, error) {
	t.Helper()
	var buf bytes.Buffer
	err := Render(&buf, cal, events)
	if err == nil {
		if verr := validateICS(buf.Bytes()); verr != nil {
			t.Fatalf("Render output fails validation: %v", verr)
		}
	}
	return buf.String(), err
}

func TestRenderRejects(t *testing.T) {
	t.Parallel()
	cal := Calendar{Stamp: fixtureStamp}
	tests := []struct {
		name   string
		cal    Calendar
		mutate func(*Event)
		want   string
	}{
		{"zero stamp", Calendar{}, nil, "Stamp is zero"},
		{"unknown method", Calendar{Stamp: fixtureStamp, Method: "SEND"}, nil, `Method "SEND"`},
		{"sub-second refresh", Calendar{Stamp: fixtureStamp, RefreshInterval: time.Millisecond}, nil, "RefreshInterval"},
		{"year 10000", cal, func(e *Event) { e.Start = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC); e.End = time.Time{} }, "year outside"},
		{"empty UID", cal, func(e *Event) { e.UID = "" }, "empty UID"},
		{"zero start", cal, func(e *Event) { e.Start = time.Time{} }, "zero Start"},
		{"end before start", cal, func(e *Event) { e.End = e.Start.Add(-time.Minute) }, "before Start"},
		{"all-day end same date", cal, func(e *Event) { e.AllDay = true; e.End = e.Start.Add(time.Hour) }, "not on a later date"},
		{"unknown zone", cal, func(e *Event) { e.TimeZone = "Mars/Olympus" }, `"Mars/Olympus"`},
		{"unknown status", cal, func(e *Event) { e.Status = "done" }, `Status "done"`},
		{"unknown class", cal, func(e *Event) { e.Class = "secret" }, `Class "secret"`},
		{"bad rrule", cal, func(e *Event) { e.RRule = "FREQ=FORTNIGHTLY" }, "RRule"},
		{"rrule bounds", cal, func(e *Event) { e.RRule = "FREQ=YEARLY;BYMONTH=13" }, "bymonth"},
		{"rrule newline", cal, func(e *Event) { e.RRule = "FREQ=DAILY\nEXDATE:x" }, "contains"},
		{"rrule dtstart", cal, func(e *Event) { e.RRule = "FREQ=DAILY;DTSTART=20240101T000000Z" }, "DTSTART is not"},
		{"local until", cal, func(e *Event) { e.RRule = "FREQ=DAILY;UNTIL=20240601T000000" }, "UTC date-time"},
		{"all-day datetime until", cal, func(e *Event) {
			e.AllDay, e.End = true, time.Time{}
			e.RRule = "FREQ=DAILY;UNTIL=20240601T000000Z"
		}, "must be a date"},
		{"relative URL", cal, func(e *Event) { e.URL = "/activities/1" }, "absolute URL"},
		{"bad conference URL", cal, func(e *Event) { e.ConferenceURL = "http://a b:c/" }, "ConferenceURL"},
		{"override without recurrence", cal, func(e *Event) { e.Overrides = []Override{{RecurrenceID: e.Start}} }, "no RRule or RDates"},
		{"override zero id", cal, func(e *Event) { e.RRule = "FREQ=DAILY"; e.Overrides = []Override{{}} }, "zero RecurrenceID"},
		{"duplicate override", cal, func(e *Event) {
			e.RRule = "FREQ=DAILY"
			e.Overrides = []Override{{RecurrenceID: e.Start, Cancelled: true}, {RecurrenceID: e.Start, Title: "x"}}
		}, "two overrides"},
		{"override end before start", cal, func(e *Event) {
			e.RRule = "FREQ=DAILY"
			e.Overrides = []Override{{RecurrenceID: e.Start, End: e.Start.Add(-time.Hour)}}
		}, "not after Start"},
		{"zero exdate", cal, func(e *Event) { e.RRule = "FREQ=DAILY"; e.ExDates = []time.Time{{}} }, "ExDates holds a zero time"},
		{"bad email", cal, func(e *Event) { e.Attendees = []Attendee{{Email: "not-an-address"}} }, "Attendees[0]"},
		{"email with space", cal, func(e *Event) { e.Organizer = &Attendee{Email: "a b@c.d"} }, "Organizer"},
		{"unknown role", cal, func(e *Event) { e.Attendees = []Attendee{{Email: "a@b.c", Role: "spy"}} }, `role "spy"`},
		{"unknown rsvp", cal, func(e *Event) { e.Attendees = []Attendee{{Email: "a@b.c", RSVP: "maybe"}} }, `RSVP state "maybe"`},
		{"sub-second reminder", cal, func(e *Event) { e.Reminders = []time.Duration{time.Millisecond} }, "reminder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := baseEvent()
			if tc.mutate != nil {
				tc.mutate(&ev)
			}
			out, err := render(t, tc.cal, ev)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
			if tc.mutate != nil && !strings.Contains(err.Error(), ev.UID) {
				t.Errorf("error %q does not name the event UID %q", err, ev.UID)
			}
			if out != "" {
				t.Errorf("Render wrote %d bytes before failing", len(out))
			}
		})
	}
}

func TestRenderDuplicateUID(t *testing.T) {
	t.Parallel()
	_, err := render(t, Calendar{Stamp: fixtureStamp}, baseEvent(), baseEvent())
	if err == nil || !strings.Contains(err.Error(), "share the UID") {
		t.Fatalf("err = %v", err)
	}
}

// failingWriter fails after n bytes, to check that write errors surface.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return w.n, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestRenderWriteError(t *testing.T) {
	t.Parallel()
	err := Render(&failingWriter{n: 100}, Calendar{Stamp: fixtureStamp}, genEvents(t, 100))
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the writer's error", err)
	}
}

// TestRenderLines checks individual output lines for behaviours that the
// golden files show only once.
func TestRenderLines(t *testing.T) {
	t.Parallel()
	bru := mustLoad(t, "Europe/Brussels")
	tests := []struct {
		name    string
		cal     Calendar
		mutate  func(*Event)
		want    []string
		notWant []string
	}{
		{"defaults", Calendar{Stamp: fixtureStamp}, nil,
			[]string{"PRODID:-//jointcal//jointcal//EN", "METHOD:PUBLISH", "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H", "CLASS:PUBLIC", "SEQUENCE:0", "DTSTAMP:20240301T080000Z"},
			[]string{"NAME:", "X-WR-CALNAME", "STATUS:", "BEGIN:VTIMEZONE", "CREATED:", "LAST-MODIFIED:"}},
		{"custom calendar", Calendar{Stamp: fixtureStamp, ProdID: "-//x//y//EN", Method: "request", RefreshInterval: 90 * time.Minute, Name: "a;b"}, nil,
			[]string{"PRODID:-//x//y//EN", "METHOD:REQUEST", "REFRESH-INTERVAL;VALUE=DURATION:PT1H30M", "X-PUBLISHED-TTL:PT1H30M", `NAME:a\;b`, `X-WR-CALNAME:a\;b`}, nil},
		{"UTC zone name writes Z", Calendar{Stamp: fixtureStamp}, func(e *Event) { e.TimeZone = "UTC" },
			[]string{"DTSTART:20240416T080000Z", "DTEND:20240416T090000Z"}, []string{"TZID", "VTIMEZONE"}},
		{"zone converts the instant", Calendar{Stamp: fixtureStamp}, func(e *Event) { e.TimeZone = "Europe/Brussels" },
			[]string{"DTSTART;TZID=Europe/Brussels:20240416T100000", "DTEND;TZID=Europe/Brussels:20240416T110000", "TZID:Europe/Brussels"}, nil},
		{"all-day without end, in zone", Calendar{Stamp: fixtureStamp}, func(e *Event) {
			e.AllDay, e.TimeZone, e.End = true, "Europe/Brussels", time.Time{}
			e.Start = time.Date(2024, 4, 16, 0, 0, 0, 0, bru)
		}, []string{"DTSTART;VALUE=DATE:20240416"}, []string{"DTEND", "VTIMEZONE"}},
		{"all-day date is taken in the event zone", Calendar{Stamp: fixtureStamp}, func(e *Event) {
			e.AllDay, e.TimeZone = true, "Europe/Brussels"
			e.Start = time.Date(2024, 4, 15, 22, 0, 0, 0, time.UTC) // midnight 16 April in Brussels
			e.End = e.Start.AddDate(0, 0, 2)
		}, []string{"DTSTART;VALUE=DATE:20240416", "DTEND;VALUE=DATE:20240418"}, nil},
		{"status case and spelling", Calendar{Stamp: fixtureStamp}, func(e *Event) { e.Status = "Canceled" },
			[]string{"STATUS:CANCELLED"}, nil},
		{"cancelled event has no alarm", Calendar{Stamp: fixtureStamp}, func(e *Event) {
			e.Status = "cancelled"
			e.Reminders = []time.Duration{time.Hour}
		}, nil, []string{"VALARM"}},
		{"reminder after start", Calendar{Stamp: fixtureStamp}, func(e *Event) { e.Reminders = []time.Duration{-10 * time.Minute, 0} },
			[]string{"TRIGGER:PT10M", "TRIGGER:PT0S"}, nil},
		{"rrule prefix trimmed", Calendar{Stamp: fixtureStamp}, func(e *Event) { e.RRule = " RRULE:FREQ=DAILY;COUNT=3 " },
			[]string{"RRULE:FREQ=DAILY;COUNT=3"}, []string{"RRULE:RRULE"}},
		{"url appended once", Calendar{Stamp: fixtureStamp}, func(e *Event) {
			e.URL = "https://j.example/a/1"
			e.Description = "See https://j.example/a/1 for details"
		}, []string{"DESCRIPTION:See https://j.example/a/1 for details", "URL:https://j.example/a/1"}, nil},
		{"url normalised", Calendar{Stamp: fixtureStamp}, func(e *Event) { e.URL = "https://j.example/a b" },
			[]string{"URL:https://j.example/a%20b"}, nil},
		{"people without e-mail skipped", Calendar{Stamp: fixtureStamp}, func(e *Event) {
			e.Organizer = &Attendee{Name: "EU"}
			e.Attendees = []Attendee{{Name: "PSC", Role: "participant"}, {Name: "X", Email: "x@y.z"}}
		}, []string{"ATTENDEE;CN=X;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:x@y.z"}, []string{"ORGANIZER", "CN=PSC"}},
		{"empty categories skipped", Calendar{Stamp: fixtureStamp}, func(e *Event) { e.Categories = []string{"", "a,b", ""} },
			[]string{`CATEGORIES:a\,b`}, nil},
		{"only empty categories", Calendar{Stamp: fixtureStamp}, func(e *Event) { e.Categories = []string{""} },
			nil, []string{"CATEGORIES"}},
		{"exdates sorted and deduplicated", Calendar{Stamp: fixtureStamp}, func(e *Event) {
			e.RRule = "FREQ=DAILY"
			d2, d1 := e.Start.AddDate(0, 0, 2), e.Start.AddDate(0, 0, 1)
			e.ExDates = []time.Time{d2, d1, d2.In(bru)}
		}, []string{"EXDATE:20240417T080000Z\r\nEXDATE:20240418T080000Z\r\nSUMMARY:t"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := baseEvent()
			if tc.mutate != nil {
				tc.mutate(&ev)
			}
			out, err := render(t, tc.cal, ev)
			if err != nil {
				t.Fatal(err)
			}
			unfolded := strings.ReplaceAll(out, "\r\n ", "")
			for _, w := range tc.want {
				if !strings.Contains(unfolded, w+"\r\n") {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(unfolded, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestRoleMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		role     string
		required bool
		want     string
	}{
		{"lead", false, "CHAIR"},
		{"Lead", true, "CHAIR"},
		{"participant", true, "REQ-PARTICIPANT"},
		{"participant", false, "OPT-PARTICIPANT"},
		{"", true, "REQ-PARTICIPANT"},
		{"briefer", true, "REQ-PARTICIPANT"},
		{"observer", false, "OPT-PARTICIPANT"},
		{"observer", true, "REQ-PARTICIPANT"},
		{"audience", true, "NON-PARTICIPANT"},
		{"audience", false, "NON-PARTICIPANT"},
	}
	for _, tc := range tests {
		got, err := rfcRole(tc.role, tc.required)
		if err != nil || got != tc.want {
			t.Errorf("rfcRole(%q, %v) = %q, %v; want %q", tc.role, tc.required, got, err, tc.want)
		}
	}
}

// TestZoneSpan checks which instants a zone's VTIMEZONE is asked to cover.
func TestZoneSpan(t *testing.T) {
	t.Parallel()
	bru := mustLoad(t, "Europe/Brussels")
	start := time.Date(2024, 4, 16, 10, 0, 0, 0, bru)
	tests := []struct {
		name     string
		rrule    string
		rdates   []time.Time
		wantFrom time.Time
		wantTo   time.Time
	}{
		{"single", "", nil, start, start.Add(time.Hour)},
		{"until", "FREQ=WEEKLY;UNTIL=20241231T090000Z", nil, start, time.Date(2024, 12, 31, 10, 0, 0, 0, time.UTC)},
		{"count", "FREQ=MONTHLY;COUNT=12", nil, start, time.Date(2025, 3, 16, 11, 0, 0, 0, bru)},
		{"unbounded", "FREQ=WEEKLY", nil, start, start.Add(time.Hour).AddDate(1, 0, 0)},
		{"until capped", "FREQ=YEARLY;UNTIL=20990101T000000Z", nil, start, start.Add(time.Hour).AddDate(recurrenceCap, 0, 0)},
		{"count capped", "FREQ=YEARLY;COUNT=500", nil, start, start.Add(time.Hour).AddDate(recurrenceCap, 0, 0)},
		{"rdate before start", "", []time.Time{start.AddDate(0, -1, 0)}, start.AddDate(0, -1, 0), start.Add(time.Hour)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := Event{UID: "u", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels", RRule: tc.rrule, RDates: tc.rdates}
			pr := newPreparer(1)
			p, err := pr.prepare(&ev)
			if err != nil {
				t.Fatal(err)
			}
			s := p.zoneSpan(p.rruleOpt)
			if !s.from.Equal(tc.wantFrom) || !s.to.Equal(tc.wantTo) {
				t.Errorf("span [%v, %v], want [%v, %v]", s.from, s.to, tc.wantFrom, tc.wantTo)
			}
		})
	}
}

// TestLastSimpleOccurrence checks the closed form against rrule-go's walk.
func TestLastSimpleOccurrence(t *testing.T) {
	t.Parallel()
	bru := mustLoad(t, "Europe/Brussels")
	starts := []time.Time{
		time.Date(2024, 3, 28, 2, 30, 0, 0, bru), // before the spring-forward gap
		time.Date(2024, 1, 28, 10, 0, 0, 0, bru),
		time.Date(2024, 1, 31, 10, 0, 0, 0, bru),
		time.Date(2024, 2, 29, 10, 0, 0, 0, bru),
		time.Date(2024, 10, 20, 2, 30, 0, 0, bru), // ambiguous hour a week later
	}
	rules := []string{"FREQ=DAILY;COUNT=40", "FREQ=WEEKLY;COUNT=9", "FREQ=WEEKLY;INTERVAL=2;COUNT=30",
		"FREQ=MONTHLY;COUNT=14", "FREQ=MONTHLY;INTERVAL=3;COUNT=5", "FREQ=YEARLY;COUNT=6", "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=7"}
	for _, start := range starts {
		for _, text := range rules {
			opt, err := rrule.StrToROption(text)
			if err != nil {
				t.Fatal(err)
			}
			o := *opt
			o.Dtstart = start
			r, err := rrule.NewRRule(o)
			if err != nil {
				t.Fatal(err)
			}
			all := r.All()
			want := all[len(all)-1]
			if got := lastOccurrence(*opt, start, start.AddDate(20, 0, 0)); !got.Equal(want) {
				t.Errorf("%s from %v: last occurrence %v, rrule-go says %v", text, start, got, want)
			}
		}
	}
}
