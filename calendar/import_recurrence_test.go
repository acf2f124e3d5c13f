package calendar_test

import (
	"testing"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/planning"
)

// An imported instance keeps what it does not change: a RECURRENCE-ID
// instance that only renames the meeting stays at its original time and
// length, a cancelled one disappears, a moved one moves. The import and
// the external-calendar sync expand events through this one mapping (the
// sync had its own, which gave a renamed-only instance zero times, so
// planning refused the series and its busy time was lost).
func TestImportedRecurrenceKeepsWhatAnInstanceDoesNotChange(t *testing.T) {
	t.Parallel()
	start := time.Date(2031, 3, 3, 9, 0, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	ev := calendar.ImportedEvent{Start: start, RRule: "FREQ=WEEKLY;COUNT=4", TimeZone: "Europe/Brussels", Overrides: []calendar.Override{
		{RecurrenceID: start.Add(week), Title: "Renamed only"},
		{RecurrenceID: start.Add(2 * week), Cancelled: true},
		{RecurrenceID: start.Add(3 * week), Start: start.Add(3*week + 2*time.Hour), End: start.Add(3*week + 3*time.Hour)},
	}}
	occs, err := planning.Expand(ev.Recurrence(start.Add(90*time.Minute), ev.TimeZone), start, start.Add(5*week), start, planning.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ start, end time.Time }{
		{start, start.Add(90 * time.Minute)},
		{start.Add(week), start.Add(week + 90*time.Minute)},
		{start.Add(3*week + 2*time.Hour), start.Add(3*week + 3*time.Hour)},
	}
	if len(occs) != len(want) {
		t.Fatalf("%d occurrences, want %d: %+v", len(occs), len(want), occs)
	}
	for i, w := range want {
		if !occs[i].Start.Equal(w.start) || !occs[i].End.Equal(w.end) {
			t.Errorf("occurrence %d: %s–%s, want %s–%s", i, occs[i].Start, occs[i].End, w.start, w.end)
		}
	}
}
