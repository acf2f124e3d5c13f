package calendar

import (
	"fmt"
	"strings"
)

// Attendee is a person taking part in an activity, as ORGANIZER or
// ATTENDEE. It uses jointcal's vocabulary (roles, RSVP states) so that callers
// need not know RFC 5545's; the mapping is decided here, once.
//
// Role mapping to the RFC 5545 ROLE parameter:
//
//	lead                      -> CHAIR
//	participant, briefer      -> REQ-PARTICIPANT if Required, else OPT-PARTICIPANT
//	observer                  -> REQ-PARTICIPANT if Required, else OPT-PARTICIPANT
//	audience                  -> NON-PARTICIPANT
//	"" (unset)                -> as participant
//
// Observers do attend (an exercise's observation window needs their seat and
// badge), so they are participants whose presence is normally optional, not
// NON-PARTICIPANT. The audience of a briefing or webinar is copied for
// information only, which is what NON-PARTICIPANT means.
type Attendee struct {
	// Name is the CN parameter (RFC 6868 escaping applies).
	Name string
	// Email is the calendar address, written as mailto:. A participant
	// without one (a body or an organisation) cannot be an ATTENDEE or
	// ORGANIZER and is skipped; list it in the Description instead.
	Email string
	// Role is one of lead, participant, observer, briefer, audience.
	Role string
	// Required distinguishes REQ-PARTICIPANT from OPT-PARTICIPANT.
	Required bool
	// RSVP is one of needs_action (the default when ""), accepted, declined,
	// tentative; it becomes PARTSTAT, and needs_action also sets RSVP=TRUE.
	RSVP string
}

// rfcRole maps a jointcal participation role to RFC 5545 ROLE.
func rfcRole(role string, required bool) (string, error) {
	switch strings.ToLower(role) {
	case "lead":
		return "CHAIR", nil
	case "", "participant", "briefer", "observer":
		if required {
			return "REQ-PARTICIPANT", nil
		}
		return "OPT-PARTICIPANT", nil
	case "audience":
		return "NON-PARTICIPANT", nil
	}
	return "", fmt.Errorf("unknown role %q (want lead, participant, observer, briefer or audience)", role)
}

// rfcPartStat maps a jointcal RSVP state to RFC 5545 PARTSTAT.
func rfcPartStat(rsvp string) (string, error) {
	switch strings.ToLower(rsvp) {
	case "", "needs_action":
		return "NEEDS-ACTION", nil
	case "accepted":
		return "ACCEPTED", nil
	case "declined":
		return "DECLINED", nil
	case "tentative":
		return "TENTATIVE", nil
	}
	return "", fmt.Errorf("unknown RSVP state %q (want needs_action, accepted, declined or tentative)", rsvp)
}

// checkEmail rejects addresses that would not make a valid mailto: URI in a
// content line. It is deliberately loose: the api package validates addresses;
// this only protects the output's syntax.
func checkEmail(email string) error {
	at := strings.IndexByte(email, '@')
	if at <= 0 || at == len(email)-1 {
		return fmt.Errorf("e-mail %q has no local part and domain", email)
	}
	for i := 0; i < len(email); i++ {
		switch c := email[i]; {
		case c <= ' ', c == 0x7f, c == '"', c == '<', c == '>', c == '\\':
			return fmt.Errorf("e-mail %q contains %q, which a mailto: address cannot hold", email, c)
		}
	}
	return nil
}
