package notify

import (
	"strings"
	"testing"
)

// FuzzCompose feeds arbitrary user text into every free-text field: the
// message must still compose, parse as multipart MIME, stay 7-bit, keep the
// title on the subject line and never add a header.
func FuzzCompose(f *testing.F) {
	f.Add("NAC–PSC informal meeting", "Agenda:\n1. Hybrid threats", "Anna Berg", "Justus Lipsius", "EU")
	f.Add("x\r\nBcc: a@b.c", "<script>", "\"Q\" =?utf-8?q?x?=", "\xff\xfe", "\x00")
	f.Add(strings.Repeat("Ünïcödé ", 40), strings.Repeat("long line ", 200), "", "", "")
	f.Fuzz(func(t *testing.T, title, description, name, location, lead string) {
		n := sampleNotice(t)
		n.Activity.Title, n.Activity.Description, n.Activity.Location = title, description, location
		n.To.Name, n.Lead = name, lead
		m, err := Compose(n)
		if err != nil {
			t.Fatalf("Compose: %v", err)
		}
		for i, c := range m.Bytes {
			if c >= 0x80 {
				t.Fatalf("byte %d is 0x%02x: not 7-bit", i, c)
			}
		}
		p := parseMessage(t, m.Bytes)
		for name := range p.header {
			switch name {
			case "Date", "From", "To", "Subject", "Message-Id", "Mime-Version", "Auto-Submitted", "X-Auto-Response-Suppress", "Content-Type":
			default:
				t.Fatalf("unexpected header %q", name)
			}
		}
		wantTitle := strings.ReplaceAll(singleLine(title), "=?", "= ?")
		if wantTitle == "" {
			wantTitle = "Untitled activity"
		}
		if !strings.HasPrefix(p.subject, "Reminder: "+wantTitle+" — ") {
			t.Fatalf("subject %q lacks the title %q", p.subject, wantTitle)
		}
		if !strings.Contains(p.cal, "UID:42@jointcal.example.org\r\n") {
			t.Fatalf("calendar part lost the UID")
		}
	})
}
