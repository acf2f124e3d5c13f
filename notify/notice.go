package notify

import (
	"fmt"
	"net"
	"net/mail"
	"slices"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/planning"
)

// Kinds of notice. The kind decides the subject prefix, the opening line and
// the iTIP method of the attached invitation, so it is a closed set.
const (
	// KindReminder is sent at each reminder offset before an occurrence; it
	// attaches METHOD:REQUEST so the recipient can add the activity.
	KindReminder = "reminder"
	// KindUpdate is sent once after a significant change (time, place,
	// status); it attaches METHOD:REQUEST with the activity's new SEQUENCE so
	// calendars update the event they already hold.
	KindUpdate = "update"
	// KindCancellation is sent once when an activity is cancelled; it
	// attaches METHOD:CANCEL with STATUS:CANCELLED so calendars remove it,
	// with every occurrence of a recurring activity. One cancelled
	// occurrence of a series is a KindUpdate whose Activity carries the
	// cancelled Override (or ExDate): calendars then drop that instance
	// and keep the others.
	KindCancellation = "cancellation"
	// KindInvitation is sent once to everyone a booking newly reaches; it
	// attaches METHOD:REQUEST with the recipient's ATTENDEE line (RSVP,
	// PARTSTAT) and carries one-click answer links.
	KindInvitation = "invitation"
)

// ReplyLink is one signed answer link of an invitation: following it
// shows a page with the answer pre-selected.
type ReplyLink struct {
	// PartStat is accepted, tentative or declined.
	PartStat string
	// URL is absolute (http or https); others are left out.
	URL string
}

// Recipient is who receives a notice. TimeZone is the person's home IANA zone:
// times are shown in it first, because a reminder that makes a planner in
// Washington convert from Brussels time is a reminder that gets misread.
type Recipient struct {
	// Name is the display name in the To header and the greeting; may be "".
	Name string
	// Email is the bare address (addr-spec), e.g. "anna.berg@example.org".
	Email string
	// TimeZone is an IANA zone name; "" shows the activity's zone only.
	TimeZone string
}

// Notice is everything needed to write one e-mail. The scheduler fills it from
// the database (the outbox row, the activity, the recipient), which keeps this
// package free of models and lets tests build notices from literals.
type Notice struct {
	// Kind is KindReminder, KindUpdate or KindCancellation.
	Kind string
	// Key is the outbox row's unique key (activity, occurrence start,
	// recipient, offset or kind). The Message-ID is derived from it, so a
	// retried message carries the same Message-ID and receiving systems can
	// recognise (and drop) the duplicate. It never appears in the message.
	Key string
	// Host is the domain of the Message-ID (the configured public host); a
	// port is ignored. "" uses the domain of From.
	Host string
	// From is the sender, e.g. "jointcal <noreply@example.org>". It is also
	// the invitation's ORGANIZER when Activity has none, because RFC 5546
	// requires one in REQUEST and CANCEL and clients ignore invitations
	// without it.
	From string
	// To is the recipient.
	To Recipient
	// Activity is the activity as the feed shows it (UID, SEQUENCE, times,
	// location, attendees, ...). It is rendered as the attached invitation
	// and supplies the what, where and who of the text.
	Activity calendar.Event
	// Occurrence and OccurrenceEnd are the instance the notice is about (for
	// a recurring activity, one of its occurrences). Zero Occurrence means
	// Activity.Start; zero OccurrenceEnd means Occurrence plus the
	// activity's duration.
	Occurrence, OccurrenceEnd time.Time
	// Lead is the lead organisation as people say it, e.g.
	// "EU (European Union)".
	Lead string
	// Link leads back to the activity in jointcal; "" uses Activity.URL.
	Link string
	// Previous, for an update, is the occurrence as it was before the change,
	// so the e-mail can say what changed ("was Tue 10 Mar 10:00"). Optional.
	Previous *Previous
	// Organizer, when set, is the invitation's ORGANIZER (jointcal's reply
	// address, JOINTCAL_REPLY_ADDRESS): calendar clients send the
	// attendee's iTIP REPLY there, which jointcal records. Empty keeps the
	// activity's organizer, or From.
	Organizer string
	// PartStat is the recipient's own answer so far (needs_action when
	// ""), written on their ATTENDEE line.
	PartStat string
	// Language is the recipient's ("fr", else English).
	Language string
	// ReplyLinks are the answer links of an invitation.
	ReplyLinks []ReplyLink
	// Now is when the message is composed: the Date header, the invitation's
	// DTSTAMP and the reference for "starts in 35 minutes" (a reminder sent
	// late after downtime says how soon the occurrence starts). It is passed
	// in, not read from the clock, so the same notice composes to the same
	// bytes.
	Now time.Time
}

// Previous is the part of an occurrence that a significant change can alter,
// as it was before the change. Zero fields are not compared.
type Previous struct {
	// Start and End are the occurrence's former times.
	Start, End time.Time
	// Location and ConferenceURL are the former place.
	Location, ConferenceURL string
	// Status is the former status ("tentative", "confirmed", "cancelled").
	Status string
}

// notice is a Notice checked and resolved: addresses parsed, zones loaded,
// occurrence times filled in. Everything that can fail fails while building
// it, before any byte of the message is written.
type notice struct {
	*Notice
	from, to          *mail.Address
	organizer         *mail.Address
	w                 *words
	recipientLoc      *time.Location // the recipient's zone (activityLoc when unset)
	activityLoc       *time.Location // the activity's zone (UTC when unset)
	start, end        time.Time      // the occurrence, end zero when open
	link, messageID   string
	subject           string
	recipientZoneName string
	// instanceCancelled: an update about a series in which this one
	// occurrence is cancelled (a cancelled Override or an ExDate).
	instanceCancelled bool
}

// resolve checks n and resolves what the writers need; errors name the field
// and the value at fault.
func resolve(n *Notice) (*notice, error) {
	r := &notice{Notice: n, w: wordsFor(n.Language)}
	switch n.Kind {
	case KindReminder, KindUpdate, KindCancellation, KindInvitation:
	default:
		return nil, fmt.Errorf("notify: Notice.Kind %q is not %q, %q, %q or %q", n.Kind, KindReminder, KindUpdate, KindCancellation, KindInvitation)
	}
	if n.Key == "" {
		return nil, fmt.Errorf("notify: Notice.Key is empty; the Message-ID is derived from the outbox key")
	}
	if n.Now.IsZero() {
		return nil, fmt.Errorf("notify: Notice.Now is zero; the caller passes the composition time so output is deterministic")
	}
	e, err := newEnvelope("Notice", n.From, n.To, n.Key, n.Host)
	if err != nil {
		return nil, err
	}
	r.from, r.to, r.messageID = e.from, e.to, e.messageID
	if n.Organizer != "" {
		if r.organizer, err = mail.ParseAddress(n.Organizer); err != nil {
			return nil, fmt.Errorf("notify: Notice.Organizer %q is not an e-mail address: %w", n.Organizer, err)
		}
	}

	ev := &n.Activity
	if ev.UID == "" {
		return nil, fmt.Errorf("notify: Notice.Activity.UID is empty; calendars match updates and cancellations on it")
	}
	if r.activityLoc, err = planning.LoadZone(ev.TimeZone); err != nil {
		return nil, fmt.Errorf("notify: Notice.Activity.TimeZone: %w", err)
	}
	r.recipientLoc, r.recipientZoneName = r.activityLoc, ev.TimeZone
	if n.To.TimeZone != "" {
		if r.recipientLoc, err = planning.LoadZone(n.To.TimeZone); err != nil {
			return nil, fmt.Errorf("notify: Notice.To.TimeZone of %s: %w", r.to.Address, err)
		}
		r.recipientZoneName = n.To.TimeZone
	}

	r.start, r.end = n.Occurrence, n.OccurrenceEnd
	if r.start.IsZero() {
		r.start = ev.Start
	}
	if r.start.IsZero() {
		return nil, fmt.Errorf("notify: activity %q: neither Notice.Occurrence nor Activity.Start is set", ev.UID)
	}
	if r.end.IsZero() && !ev.End.IsZero() {
		r.end = r.start.Add(ev.End.Sub(ev.Start))
	}
	if !r.end.IsZero() && r.end.Before(r.start) {
		return nil, fmt.Errorf("notify: activity %q: occurrence end %v is before its start %v", ev.UID, r.end, r.start)
	}
	if n.Kind == KindReminder && !n.Now.Before(r.start) {
		// The rule: a reminder is never sent after the start. The
		// scheduler checks it; composing is the last place to enforce it.
		return nil, fmt.Errorf("notify: reminder %s for activity %q composed at %v, not before its occurrence starts at %v",
			r.messageID, ev.UID, n.Now.UTC(), r.start.UTC())
	}

	if n.Kind == KindUpdate {
		r.instanceCancelled = slices.ContainsFunc(ev.ExDates, r.start.Equal) ||
			slices.ContainsFunc(ev.Overrides, func(o calendar.Override) bool { return o.Cancelled && o.RecurrenceID.Equal(r.start) })
	}
	r.link = n.Link
	if r.link == "" {
		r.link = ev.URL
	}
	r.subject = subject(r)
	return r, nil
}

// messageHost returns the host part of a Message-ID: host without a port, or
// the domain of the sender address when host is "".
func messageHost(host, fromAddr string) (string, error) {
	if host == "" {
		for i := len(fromAddr) - 1; i >= 0; i-- {
			if fromAddr[i] == '@' {
				host = fromAddr[i+1:]
				break
			}
		}
	} else if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "" {
		return "", fmt.Errorf("notify: no Message-ID host: Notice.Host is empty and From %q has no domain", fromAddr)
	}
	for i := 0; i < len(host); i++ {
		switch c := host[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.':
		default:
			return "", fmt.Errorf("notify: Message-ID host %q contains %q; want a domain name (letters, digits, '-' and '.')", host, c)
		}
	}
	return host, nil
}
