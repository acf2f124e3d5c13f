package storage_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/calendar"
)

// generated describes a calendar file the import tests make.
type generated struct {
	prefix  string        // UIDs are prefix-0, prefix-1, …
	n       int           // events
	every   time.Duration // between starts (default 90 minutes)
	invalid int           // index of an event too long to book, or -1
	rich    bool          // each event has a category, an attendee and a reminder, as exports do
}

// generateCalendar writes and parses the calendar g describes: one-hour
// events from 2031-01-01 08:00 UTC.
func generateCalendar(t testing.TB, g generated) *calendar.ImportResult {
	t.Helper()
	if g.every == 0 {
		g.every = 90 * time.Minute
	}
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//jointcal tests//EN\r\n")
	start := time.Date(2031, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < g.n; i++ {
		s := start.Add(time.Duration(i) * g.every)
		end := s.Add(time.Hour)
		if i == g.invalid {
			end = s.Add(400 * 24 * time.Hour)
		}
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:%s-%d\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s event %d\r\n",
			g.prefix, i, s.Format("20060102T150405Z"), end.Format("20060102T150405Z"), g.prefix, i)
		if g.rich {
			b.WriteString("CATEGORIES:Meeting\r\nATTENDEE;CN=Ana:mailto:ana@eeas.example\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT1H\r\nEND:VALARM\r\n")
		}
		b.WriteString("END:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	res, err := calendar.ParseImport(strings.NewReader(b.String()), calendar.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
