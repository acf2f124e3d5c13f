// Package planning is jointcal's scheduling arithmetic: it turns a stored
// activity's timing (start, IANA zone, RRULE, EXDATE, RDATE, moved or
// cancelled instances) into concrete occurrences, decides which of those
// occurrences conflict with what the neighbouring activities already hold
// (people, bodies, venues, organisations' planning and blackouts), and finds
// free slots for a set of resources.
//
// It exists as its own package so that the rules deciding whether a booking is
// accepted, warned about or refused live in one place, can be tested on plain
// values, and are reused unchanged by the API, the importer and the scheduler.
// It therefore knows nothing of HTTP or SQL and imports no other jointcal
// package: callers load rows, convert them to the plain structs declared here
// and act on the answer.
//
// All times are instants. Wall-clock reasoning (a weekly 10:00 meeting stays at
// 10:00 Brussels time across a DST change, a 09:00 working day starts at 09:00
// local on both sides of it) is done internally in the zone the caller names,
// and every instant this package returns is in UTC.
package planning
