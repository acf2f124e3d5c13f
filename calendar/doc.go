// Package calendar is jointcal's iCalendar boundary: everything that turns
// planned activities into RFC 5545 / RFC 7986 text, and (later) iCalendar
// text back into activities.
//
// It exists as its own pure package so that the subscription feed, the
// e-mail invitations (iTIP METHOD:REQUEST / CANCEL) and the future import of
// external calendars share one implementation of the format's sharp edges:
// line folding at 75 octets without splitting a UTF-8 character, CRLF line
// ends, TEXT escaping, TZID references that must be backed by a VTIMEZONE,
// and UID / SEQUENCE / RECURRENCE-ID rules that decide whether subscribed
// clients update or duplicate an event.
//
// Like planning, it imports neither api nor models: callers map their
// records to the plain structs [Calendar], [Event], [Override] and [Attendee]
// and call [Render]. Output is deterministic for the same input (the caller
// passes the DTSTAMP in [Calendar.Stamp], or with [Calendar.EventStamps]
// the stamp beneath the events' own), which is what lets the api package
// cache a rendered feed by version and answer revalidations with 304.
//
// The data model is github.com/emersion/go-ical's: [VTimezone] returns an
// *ical.Component, and the tests parse every rendered feed back with go-ical's
// decoder. The feed itself is written by this package's own streaming
// content-line writer rather than by go-ical's Encoder, because that encoder
// does not fold lines at all (RFC 5545 section 3.1), refuses a VCALENDAR
// without components (a feed with no events yet still has to be served, and
// clients accept it although RFC 5545's grammar asks for one component),
// rejects parameter values
// containing a double quote instead of applying RFC 6868, and is too slow for
// the 10,000-event budget (see BenchmarkGoIcalEncoder10k and
// BenchmarkRender10k).
//
// Text handed in is made valid before it is written: invalid UTF-8 bytes
// become U+FFFD, CR LF and lone CR become a newline (written as \n), and the
// other control characters that RFC 5545 forbids in TEXT (everything below
// U+0020 except HTAB and LF, and DEL) are dropped. A feed therefore never
// fails because one activity's title holds a stray byte.
//
// The input side is ParseImport: real-world files (Outlook and Google
// exports, published calendars) read into plain ImportedEvent values, with
// Windows zone names mapped through CLDR's table, custom VTIMEZONE blocks
// matched to IANA zones, floating times resolved, and every problem tied
// to a line. iTIP messages (METHOD:REQUEST and CANCEL for e-mail
// invitations) are Render with Calendar.Method set.
package calendar
