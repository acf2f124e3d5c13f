package notify

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/jointcal/jointcal/calendar"
)

// itipMethod is the iTIP method of the invitation a notice attaches:
// REQUEST adds or updates the event (same UID, the activity's SEQUENCE),
// CANCEL removes it.
func itipMethod(kind string) string {
	if kind == KindCancellation {
		return "CANCEL"
	}
	return "REQUEST"
}

// invitation renders the iCalendar object attached to n. It is the activity
// as the feed shows it, adjusted to be a valid iTIP message for this one
// recipient (RFC 5546):
//
//   - a cancellation carries STATUS:CANCELLED (and, by the calendar
//     package's rule, no alarms);
//   - Organizer (jointcal's reply address) becomes the ORGANIZER, so that
//     calendar clients send their iTIP REPLY to jointcal; without it and
//     without an organizer, From does, which REQUEST and CANCEL require
//     and without which Gmail shows no buttons;
//   - the recipient's ATTENDEE line carries their answer so far (PARTSTAT;
//     RSVP=TRUE while it is needs-action);
//   - the recipient is added as an ATTENDEE when the activity does not list
//     them (a member of a participating body, an organisation's contact
//     address), because clients offer to add only invitations addressed to
//     one of the attendees;
//   - the link back becomes URL when the activity has none.
//
// The caller's event is not modified.
func invitation(n *notice) ([]byte, error) {
	ev := n.Activity
	if n.Kind == KindCancellation {
		ev.Status = "cancelled"
	}
	switch {
	case n.organizer != nil:
		ev.Organizer = &calendar.Attendee{Name: n.organizer.Name, Email: n.organizer.Address}
	case ev.Organizer == nil || ev.Organizer.Email == "":
		ev.Organizer = &calendar.Attendee{Name: n.from.Name, Email: n.from.Address}
	}
	i := slices.IndexFunc(ev.Attendees, func(a calendar.Attendee) bool {
		return strings.EqualFold(a.Email, n.to.Address)
	})
	if i < 0 {
		ev.Attendees = append(slices.Clip(ev.Attendees), calendar.Attendee{Name: n.to.Name, Email: n.to.Address, RSVP: n.PartStat})
	} else if n.PartStat != "" {
		ev.Attendees = slices.Clone(ev.Attendees)
		ev.Attendees[i].RSVP = n.PartStat
	}
	if ev.URL == "" {
		ev.URL = webURL(n.link)
	}
	var buf bytes.Buffer
	buf.Grow(4 << 10)
	cal := calendar.Calendar{Method: itipMethod(n.Kind), Stamp: n.Now}
	if err := calendar.Render(&buf, cal, []calendar.Event{ev}); err != nil {
		return nil, fmt.Errorf("notify: rendering the invitation for %s: %w", n.to.Address, err)
	}
	return buf.Bytes(), nil
}
