package calendar

import "time"

// These helpers write RFC 5545 DATE and DATE-TIME values without going
// through time.Format, which dominated the profile of a 10,000-event feed.
// Instants are written to the second; sub-second parts are dropped.

// appendDate appends t's calendar date in its own location as YYYYMMDD.
func appendDate(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	b = append4(b, y)
	b = append2(b, int(m))
	return append2(b, d)
}

// appendLocalDateTime appends t's wall clock in its own location as
// YYYYMMDDTHHMMSS (a "floating" or TZID-qualified DATE-TIME).
func appendLocalDateTime(b []byte, t time.Time) []byte {
	b = appendDate(b, t)
	h, mi, s := t.Clock()
	b = append(b, 'T')
	b = append2(b, h)
	b = append2(b, mi)
	return append2(b, s)
}

// appendUTCDateTime appends t as a UTC DATE-TIME, YYYYMMDDTHHMMSSZ.
func appendUTCDateTime(b []byte, t time.Time) []byte {
	return append(appendLocalDateTime(b, t.UTC()), 'Z')
}

func append2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10%10), byte('0'+n%10))
}

func append4(b []byte, n int) []byte {
	return append(b, byte('0'+n/1000%10), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}
