package demo

import (
	"context"
	"testing"
	"time"

	"github.com/jointcal/jointcal/storage/storagetest"
)

// scaleComparisons are the rows the bulk path must write exactly as the
// booking path does, each read as text keyed by the activity's source UID
// (ids and timestamps left out, except the references between rows that
// the same sequence of writes numbers alike in two fresh databases).
var scaleComparisons = map[string]string{
	"activities": `SELECT a.source_uid, a.kind, a.title, a.description, a.start_at, a.end_at, a.timezone, a.all_day, a.rrule,
		a.exdates, a.rdates, a.status, a.format, a.venue_id, a.lead_organization_id, a.restricted, a.areas, a.series,
		a.parent_id, a.reminders, a.conference_url, a.version, a.sequence, a.deleted_at FROM activities a`,
	"participants": `SELECT a.source_uid, p.position, p.type, p.ref_id, p.role, p.required, p.rsvp
		FROM participants p JOIN activities a ON a.id = p.activity_id`,
	"occurrences": `SELECT a.source_uid, o.recurrence_id, o.start_s, o.end_s FROM occurrences o JOIN activities a ON a.id = o.activity_id`,
	"occupancy": `SELECT a.source_uid, o.kind, o.start_s, o.end_s, o.resource_type, o.resource_id, o.required, o.virtual, o.exclusive, o.proposed
		FROM occupancy o JOIN activities a ON a.id = o.activity_id`,
	"audit": `SELECT a.source_uid, l.actor, l.action, l.reason, l.before_json, l.after_json
		FROM audit_log l JOIN activities a ON a.id = l.entity_id WHERE l.entity = 'activity'`,
	"extent": `SELECT max_length_s FROM occupancy_extent`,
}

// TestScaleBulkWritesWhatBookingWrites generates the same 1,000
// activities through the bulk path and through the booking path into two
// fresh databases and compares every row they wrote; a second bulk run
// adds nothing.
func TestScaleBulkWritesWhatBookingWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("books 1,000 activities through the booking path")
	}
	const n = 1000
	start := time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC) // the span crosses both 2027 and 2028 changes of clock
	clock := func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			bulkDSN, bookDSN := b.DSN(t), b.DSN(t)
			bulk, booked := storagetest.OpenDSN(t, bulkDSN), storagetest.OpenDSN(t, bookDSN)
			bulk.SetClock(clock)
			booked.SetClock(clock)
			sum, err := Scale(ctx, bulk, n, start, 7, nil)
			if err != nil {
				t.Fatalf("bulk: %v", err)
			}
			if sum.Created != n {
				t.Fatalf("bulk created %d, want %d", sum.Created, n)
			}
			if sum, err = ScaleThroughBookings(ctx, booked, n, start, 7, nil); err != nil || sum.Created != n {
				t.Fatalf("booking path: created %d, %v", sum.Created, err)
			}
			for name, q := range scaleComparisons {
				got, want := storagetest.ReadRows(t, b.Name, bulkDSN, q), storagetest.ReadRows(t, b.Name, bookDSN, q)
				if len(got) != len(want) {
					t.Errorf("%s: bulk wrote %d rows, booking path %d", name, len(got), len(want))
				}
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Errorf("%s: first difference at row %d:\n bulk:    %s\n booking: %s", name, i, got[i], want[i])
						break
					}
				}
			}
			// The comparison means something only if the data has both
			// clean bookings (exclusive rows) and forced ones.
			kinds := storagetest.ReadRows(t, b.Name, bulkDSN, "SELECT DISTINCT exclusive FROM occupancy")
			overrides := storagetest.ReadRows(t, b.Name, bulkDSN, "SELECT id FROM audit_log WHERE action = 'override'")
			if len(kinds) != 2 || len(overrides) == 0 {
				t.Errorf("want both exclusive and overridden occupancy, got exclusive values %v and %d overrides", kinds, len(overrides))
			}
			again, err := Scale(ctx, bulk, n, start, 7, nil)
			if err != nil || again.Created != 0 || again.Existing != n {
				t.Errorf("second bulk run: %+v, %v; want all %d existing", again, err, n)
			}
		})
	}
}
