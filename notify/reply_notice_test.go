package notify

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// TestComposeReplyNotice: a decline says who declined what (one
// occurrence or the whole activity), with their comment, in the
// recipient's language and zone and the activity's; a chase lists who has
// not answered; a header cannot be injected through a name; incomplete
// notices are refused.
func TestComposeReplyNotice(t *testing.T) {
	t.Parallel()
	brussels := mustZone(t, "Europe/Brussels")
	base := ReplyMail{Kind: KindReplyDeclined, Key: "reply_declined:7:0:3:lena@eeas.example", Host: "jointcal.example.org", From: "jointcal <noreply@jointcal.example.org>",
		To: Recipient{Name: "Lena", Email: "lena@eeas.example", TimeZone: "America/New_York"}, Title: "NAC–PSC informal",
		Start: time.Date(2031, 3, 11, 10, 0, 0, 0, brussels), End: time.Date(2031, 3, 11, 12, 0, 0, 0, brussels), TimeZone: "Europe/Brussels",
		Lead: "EU", People: []string{"Ben\r\nBcc: x@example.org"}, Comment: "ministerial", Link: "https://jointcal.example.org/activities/7",
		Now: time.Date(2031, 3, 1, 8, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		name    string
		edit    func(*ReplyMail)
		subject string
		want    []string
	}{
		{"decline", func(*ReplyMail) {}, "Declined: NAC–PSC informal", []string{"Ben Bcc: x@example.org, a required participant, declined “NAC–PSC informal”.",
			"When: Tue 11 Mar 2031 05:00 – 07:00 EDT", "Tue 11 Mar 2031 10:00 – 12:00 CET (Europe/Brussels time)", "Comment: ministerial", "https://jointcal.example.org/activities/7"}},
		{"one occurrence, in French", func(m *ReplyMail) { m.Recurring, m.Language = true, "fr" }, "Refusé : NAC–PSC informal",
			[]string{"a refusé cette occurrence de « NAC–PSC informal »", "Quand: mar. 11 mars 2031 05:00", "Commentaire: ministerial"}},
		{"chase", func(m *ReplyMail) { m.Kind, m.People = KindReplyChase, []string{"Ana", "Ben"} }, "No answer yet: NAC–PSC informal",
			[]string{"These required participants have not answered “NAC–PSC informal”, which starts soon: Ana, Ben."}},
	} {
		m := base
		tc.edit(&m)
		msg, err := ComposeReplyNotice(m)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		parsed, err := mail.ReadMessage(bytes.NewReader(msg.Bytes))
		if err != nil {
			t.Fatal(err)
		}
		if parsed.Header.Get("Bcc") != "" || msg.Subject != tc.subject {
			t.Errorf("%s: subject %q, Bcc %q", tc.name, msg.Subject, parsed.Header.Get("Bcc"))
		}
		body := decodeBody(t, parsed.Header.Get("Content-Transfer-Encoding"), parsed.Body)
		for _, want := range tc.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s: body lacks %q:\n%s", tc.name, want, body)
			}
		}
		if tc.name == "chase" && strings.Contains(body, "ministerial") {
			t.Errorf("a chase repeats a comment")
		}
	}
	for name, edit := range map[string]func(*ReplyMail){
		"no key":    func(m *ReplyMail) { m.Key = "" },
		"no people": func(m *ReplyMail) { m.People = nil },
		"bad kind":  func(m *ReplyMail) { m.Kind = "reminder" },
		"bad zone":  func(m *ReplyMail) { m.To.TimeZone = "Mars/Olympus" },
	} {
		m := base
		edit(&m)
		if _, err := ComposeReplyNotice(m); err == nil {
			t.Errorf("%s: composed", name)
		}
	}
}
