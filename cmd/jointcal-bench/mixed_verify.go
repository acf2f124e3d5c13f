package main

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
)

// doubleBookingQuery counts the double-bookings that involve the given
// activities (those a run booked), read from the tables the API writes
// rather than from the occupancy index the exclusion constraint guards:
// the activities' own participants, venue and occurrences. A hard claim is
// a required person or body, or a physical venue, of a confirmed or
// tentative activity that is not deleted. It counts
//
//   - pairs of these activities that overlap on a resource they both
//     claim hard (the contested slots: several processes booked them at
//     once), and
//   - their overlaps with any other activity's exclusive occupancy (what
//     the data already held, or another run booked).
//
// The run's bookings never carry an override, so each of them had to be
// refused rather than written over either kind of overlap.
const doubleBookingQuery = `
WITH mine AS (SELECT unnest($1::bigint[]) AS id),
claims AS (
	SELECT p.activity_id, p.type AS rtype, p.ref_id AS rid
	FROM participants p JOIN mine ON mine.id = p.activity_id
	WHERE p.required AND p.type IN ('person', 'body')
	UNION
	SELECT a.id, 'venue', a.venue_id
	FROM activities a JOIN mine ON mine.id = a.id JOIN venues v ON v.id = a.venue_id
	WHERE NOT v.virtual
),
held AS (
	SELECT c.activity_id, c.rtype, c.rid, o.start_s, o.end_s
	FROM claims c
	JOIN activities a ON a.id = c.activity_id
	JOIN occurrences o ON o.activity_id = c.activity_id
	WHERE a.deleted_at IS NULL AND a.status IN ('confirmed', 'tentative')
)
SELECT
	(SELECT count(*) FROM held h1 JOIN held h2
		ON h1.rtype = h2.rtype AND h1.rid = h2.rid AND h1.activity_id < h2.activity_id
		AND h1.start_s < h2.end_s AND h2.start_s < h1.end_s),
	(SELECT count(*) FROM held h JOIN occupancy x
		ON x.resource_type = h.rtype AND x.resource_id = h.rid AND x.exclusive
		AND x.start_s < h.end_s AND h.start_s < x.end_s
		WHERE x.activity_id <> ALL($1::bigint[]))`

// countDoubleBookings runs doubleBookingQuery on the PostgreSQL database
// at dsn for the activities booked, and writes what it found to out.
func countDoubleBookings(ctx context.Context, out io.Writer, dsn string, booked []int64) (int64, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, fmt.Errorf("connect to %s: %w", "the --verify-db database", err)
	}
	defer conn.Close(ctx)
	var among, withOthers int64
	if err := conn.QueryRow(ctx, doubleBookingQuery, booked).Scan(&among, &withOthers); err != nil {
		return 0, fmt.Errorf("count overlapping bookings: %w", err)
	}
	if among+withOthers > 0 {
		fmt.Fprintf(out, "overlaps among this run's bookings: %d; with other activities' exclusive occupancy: %d\n", among, withOthers)
	}
	return among + withOthers, nil
}
