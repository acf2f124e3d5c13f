package calendar

import "strings"

// This file maps ATTENDEE and ORGANIZER to jointcal's Attendee vocabulary,
// the reverse of attendee.go's mapping.

// importAttendee reads an ATTENDEE or ORGANIZER; ok is false when it has no
// usable e-mail address.
func importAttendee(p *contentLine) (Attendee, bool) {
	addr := strings.TrimSpace(p.value)
	if len(addr) >= 7 && strings.EqualFold(addr[:7], "mailto:") {
		addr = strings.TrimSpace(addr[7:])
	} else if strings.IndexByte(addr, ':') >= 0 {
		return Attendee{}, false // another URI scheme: a room URN, "invalid:nomail"
	}
	if !plainText(addr, false) || checkEmail(addr) != nil {
		return Attendee{}, false
	}
	a := Attendee{Email: addr, Role: "participant", Required: true, RSVP: "needs_action"}
	if cn, ok := p.param("CN"); ok {
		a.Name = strings.TrimSpace(cleanText(cn, false))
	}
	role, _ := p.param("ROLE")
	switch upperASCII(role) {
	case "CHAIR":
		a.Role = "lead"
	case "OPT-PARTICIPANT":
		a.Required = false
	case "NON-PARTICIPANT":
		a.Role, a.Required = "audience", false
	}
	ps, _ := p.param("PARTSTAT")
	switch upperASCII(ps) {
	case "ACCEPTED":
		a.RSVP = "accepted"
	case "DECLINED", "DELEGATED":
		a.RSVP = "declined"
	case "TENTATIVE":
		a.RSVP = "tentative"
	}
	return a, true
}
