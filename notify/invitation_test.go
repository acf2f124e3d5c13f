package notify

import (
	"strings"
	"testing"
)

// TestComposeInvitation: an invitation names jointcal's reply address as
// ORGANIZER, carries the recipient's ATTENDEE line with their answer so
// far, offers the three answer links in both bodies, and is written in the
// recipient's language.
func TestComposeInvitation(t *testing.T) {
	t.Parallel()
	links := []ReplyLink{
		{PartStat: "accepted", URL: "https://jointcal.example.org/reply/a.1"},
		{PartStat: "tentative", URL: "https://jointcal.example.org/reply/t.1"},
		{PartStat: "declined", URL: "https://jointcal.example.org/reply/d.1"},
		{PartStat: "declined", URL: "javascript:alert(1)"},
	}
	for _, tt := range []struct {
		lang, subject, opening, accept, when string
	}{
		{"en", "Invitation: NAC–PSC informal meeting — Tue 3 Mar 04:00 (New York)", "You are invited to “NAC–PSC informal meeting”", "Accept: https://jointcal.example.org/reply/a.1", "Tue 3 Mar 2026, 04:00–06:00 (your time, New York)"},
		{"fr", "Invitation : NAC–PSC informal meeting — mar. 3 mars 04:00 (New York)", "Vous êtes invité à « NAC–PSC informal meeting »", "Accepter: https://jointcal.example.org/reply/a.1", "mar. 3 mars 2026, 04:00–06:00 (votre heure, New York)"},
	} {
		n := sampleNotice(t)
		n.Kind, n.Language, n.ReplyLinks, n.PartStat = KindInvitation, tt.lang, links, "needs_action"
		n.Organizer = "jointcal <replies@jointcal.example.org>"
		m, err := Compose(n)
		if err != nil {
			t.Fatal(err)
		}
		p := parseMessage(t, m.Bytes)
		cal := unfold(p.cal)
		for _, want := range []string{
			"METHOD:REQUEST",
			"ORGANIZER;CN=jointcal:mailto:replies@jointcal.example.org",
			"PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:anna.berg@example.org",
			"PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:tom.hale@example.org",
		} {
			if !strings.Contains(cal, want) {
				t.Errorf("%s: calendar part lacks %q:\n%s", tt.lang, want, cal)
			}
		}
		if strings.Contains(cal, "secretariat@example.org") {
			t.Errorf("%s: the activity's own organizer is still named:\n%s", tt.lang, cal)
		}
		if p.subject != tt.subject {
			t.Errorf("%s: subject %q, want %q", tt.lang, p.subject, tt.subject)
		}
		for _, want := range []string{tt.opening, tt.accept, tt.when, "https://jointcal.example.org/reply/d.1"} {
			if !strings.Contains(p.text, want) {
				t.Errorf("%s: text lacks %q:\n%s", tt.lang, want, p.text)
			}
		}
		if strings.Contains(p.text, "javascript:") || strings.Contains(p.html, "javascript:") {
			t.Errorf("%s: a non-web link was written", tt.lang)
		}
		if !strings.Contains(p.html, `<html lang="`+tt.lang+`">`) || !strings.Contains(p.html, `href="https://jointcal.example.org/reply/t.1"`) {
			t.Errorf("%s: html:\n%s", tt.lang, p.html)
		}
	}

	// An answer given already is on the recipient's line, without RSVP.
	n := sampleNotice(t)
	n.Kind, n.PartStat = KindUpdate, "declined"
	m, err := Compose(n)
	if err != nil {
		t.Fatal(err)
	}
	if cal := unfold(parseMessage(t, m.Bytes).cal); !strings.Contains(cal, "PARTSTAT=DECLINED:mailto:anna.berg@example.org") {
		t.Errorf("the recipient's answer is not on their line:\n%s", cal)
	}
}
