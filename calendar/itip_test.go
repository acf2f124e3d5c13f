package calendar

import (
	"strings"
	"testing"
	"time"
)

// TestParseReply: REPLY and COUNTER as clients write them; anything else
// is refused.
func TestParseReply(t *testing.T) {
	t.Parallel()
	crlf := func(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "\r\n") + "\r\n" }
	r, err := ParseReply(crlf(`BEGIN:VCALENDAR
METHOD:REPLY
VERSION:2.0
BEGIN:VEVENT
UID:7@jointcal.example.org
SEQUENCE:2
RECURRENCE-ID;TZID=Romance Standard Time:20300314T090000
ATTENDEE;PARTSTAT=DECLINED;CN="Berg, Anna":mailto:Anna.Berg@example.org
COMMENT:Away\, sorry
END:VEVENT
END:VCALENDAR`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Method != "REPLY" || r.UID != "7@jointcal.example.org" || r.Sequence != 2 || r.Attendee.Email != "Anna.Berg@example.org" || r.Attendee.RSVP != "declined" ||
		r.Comment != "Away, sorry" || !r.RecurrenceID.Equal(time.Date(2030, 3, 14, 8, 0, 0, 0, time.UTC)) || !r.Start.IsZero() {
		t.Errorf("REPLY: %+v", r)
	}
	c, err := ParseReply(crlf(`BEGIN:VCALENDAR
METHOD:COUNTER
BEGIN:VEVENT
UID:7@jointcal.example.org
DTSTART:20300315T130000Z
DTEND:20300315T140000Z
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:anna.berg@example.org
END:VEVENT
END:VCALENDAR`))
	if err != nil || c.Method != "COUNTER" || !c.Start.Equal(time.Date(2030, 3, 15, 13, 0, 0, 0, time.UTC)) || !c.End.Equal(time.Date(2030, 3, 15, 14, 0, 0, 0, time.UTC)) || c.Attendee.RSVP != "needs_action" {
		t.Errorf("COUNTER: %+v, %v", c, err)
	}
	for name, bad := range map[string]string{
		"request":     "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:1@x\r\nATTENDEE:mailto:a@b.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"no attendee": "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:1@x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"no uid":      "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nATTENDEE:mailto:a@b.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"unbalanced":  "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n",
		"bad zone":    "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:1@x\r\nRECURRENCE-ID;TZID=Mars/Olympus:20300101T000000\r\nATTENDEE:mailto:a@b.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	} {
		if _, err := ParseReply(bad); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
