package notify

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// TestComposeProposal: the message says what happened, by whom, when in
// the recipient's zone and the activity's, why, and what is awaited; the
// same key composes to the same Message-ID.
func TestComposeProposal(t *testing.T) {
	t.Parallel()
	brussels := mustZone(t, "Europe/Brussels")
	m := ProposalMail{Key: "proposal:7:coop@nato.example", Host: "jointcal.example.org", From: "jointcal <noreply@jointcal.example.org>",
		To: Recipient{Name: "NATO", Email: "coop@nato.example", TimeZone: "America/New_York"}, Step: "countered", By: "EU",
		Reason: "the council meets\r\non the 10th", Title: "NAC–PSC informal", Start: time.Date(2031, 3, 11, 10, 0, 0, 0, brussels),
		End: time.Date(2031, 3, 11, 12, 0, 0, 0, brussels), TimeZone: "Europe/Brussels", Lead: "NATO", Awaiting: []string{"NATO"},
		Link: "https://jointcal.example.org/api/v1/activities/7/proposal", Now: time.Date(2031, 3, 1, 8, 0, 0, 0, time.UTC)}
	msg, err := ComposeProposal(m)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(msg.Bytes))
	if err != nil {
		t.Fatal(err)
	}
	body := decodeBody(t, parsed.Header.Get("Content-Transfer-Encoding"), parsed.Body)
	for _, want := range []string{
		"EU proposes another time for \"NAC–PSC informal\" (led by NATO).",
		"When: Tue 11 Mar 2031 05:00 – 07:00 EDT",
		"Tue 11 Mar 2031 10:00 – 12:00 CET (Europe/Brussels)",
		"Reason: the council meets on the 10th",
		"Awaiting: NATO",
		"https://jointcal.example.org/api/v1/activities/7/proposal",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if msg.Subject != "EU proposes another time for: NAC–PSC informal" || msg.To != "coop@nato.example" || msg.Kind != KindProposal {
		t.Errorf("message %q to %s (%s)", msg.Subject, msg.To, msg.Kind)
	}
	again, _ := ComposeProposal(m)
	if again.ID != msg.ID {
		t.Error("the same key composed to another Message-ID")
	}
	m.Step = "shrugged"
	if _, err := ComposeProposal(m); err == nil {
		t.Error("an unknown step composed")
	}
}
