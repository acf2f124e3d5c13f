package calendar

import (
	"fmt"
	"strings"
	"time"
)

// DefaultProdID is the PRODID written when Calendar.ProdID is empty; RFC 5545
// requires one, and clients use it to recognise the producer's quirks.
const DefaultProdID = "-//jointcal//jointcal//EN"

// DefaultRefreshInterval is how often subscribed clients are asked to poll
// the feed when Calendar.RefreshInterval is zero (issue: "default PT1H").
const DefaultRefreshInterval = time.Hour

// Calendar describes the feed as a whole: the VCALENDAR properties that do
// not belong to any one event. It is separate from the events so that the same
// events can be rendered as a subscription feed (PUBLISH) or, later, as an
// e-mail invitation (REQUEST / CANCEL).
type Calendar struct {
	// Name is written as NAME (RFC 7986) and X-WR-CALNAME (what Apple and
	// Google clients read) so the subscription shows a readable title.
	Name string
	// ProdID identifies the producer; DefaultProdID when empty.
	ProdID string
	// Method is the iTIP method: "PUBLISH" (the default) for feeds;
	// "REQUEST" and "CANCEL" for e-mail invitations.
	Method string
	// RefreshInterval is written as REFRESH-INTERVAL;VALUE=DURATION and
	// X-PUBLISHED-TTL; DefaultRefreshInterval when zero.
	RefreshInterval time.Duration
	// Stamp is the DTSTAMP of every event (with EventStamps, of every
	// event not modified later). The caller passes it (the message's time,
	// or a time a feed version determines) so that the same input renders
	// the same bytes.
	Stamp time.Time
	// EventStamps makes each event's DTSTAMP the later of Stamp and the
	// event's LastModified: for a published feed, when the event's
	// published form was last made, so an event that did not change keeps
	// its bytes from one version of a feed to the next (what lets a feed
	// served compressed be compressed again only where it changed), and
	// RFC 5546's ordering (SEQUENCE, then DTSTAMP) still sees every change
	// of it as newer. An iTIP message (REQUEST, CANCEL) leaves it false:
	// its DTSTAMP is when the message was made.
	EventStamps bool
}

// isITIPMethod reports whether m is a METHOD that RFC 5546 defines; anything
// else would make clients reject the whole object.
func isITIPMethod(m string) bool {
	switch m {
	case "PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH", "COUNTER", "DECLINECOUNTER":
		return true
	}
	return false
}

// normalized returns cal with its defaults applied, or an error naming the
// field that cannot be rendered.
func (cal Calendar) normalized() (Calendar, error) {
	if cal.ProdID == "" {
		cal.ProdID = DefaultProdID
	}
	if cal.Method == "" {
		cal.Method = "PUBLISH"
	}
	method := strings.ToUpper(cal.Method)
	if !isITIPMethod(method) {
		return cal, fmt.Errorf("calendar: Calendar.Method %q is not an RFC 5546 iTIP method (PUBLISH, REQUEST, REPLY, ADD, CANCEL, REFRESH, COUNTER, DECLINECOUNTER)", cal.Method)
	}
	cal.Method = method
	if cal.RefreshInterval == 0 {
		cal.RefreshInterval = DefaultRefreshInterval
	}
	if cal.RefreshInterval < time.Second {
		return cal, fmt.Errorf("calendar: Calendar.RefreshInterval %v is not a positive whole-second duration", cal.RefreshInterval)
	}
	if cal.Stamp.IsZero() {
		return cal, fmt.Errorf("calendar: Calendar.Stamp is zero; the caller must pass the DTSTAMP so output is deterministic")
	}
	if err := checkYear("Calendar.Stamp", cal.Stamp.UTC()); err != nil {
		return cal, fmt.Errorf("calendar: %w", err)
	}
	return cal, nil
}

// checkYear rejects instants whose year cannot be written with the four
// digits that RFC 5545 DATE and DATE-TIME values have.
func checkYear(field string, t time.Time) error {
	if y := t.Year(); y < 0 || y > 9999 {
		return fmt.Errorf("%s %v has a year outside 0000-9999 and cannot be written as an iCalendar date", field, t)
	}
	return nil
}
