package demo

import (
	"context"
	"testing"
	"time"

	"github.com/jointcal/jointcal/storage/storagetest"
)

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
			storagetest.SameRows(t, b.Name, bulkDSN, bookDSN, storagetest.ActivityWrites(), "", "bulk", "booking path")
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
