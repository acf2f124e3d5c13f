package notify

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// digestParts parses a composed digest into its text and HTML bodies.
func digestParts(t *testing.T, m *Message) (subject, text, html string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Bytes))
	if err != nil {
		t.Fatal(err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(quotedprintable.NewReader(p))
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			text = string(body)
		} else {
			html = string(body)
		}
	}
	return subject, text, html
}

func TestComposeDigest(t *testing.T) {
	t.Parallel()
	brussels, _ := time.LoadLocation("Europe/Brussels")
	newYork, _ := time.LoadLocation("America/New_York")
	week := time.Date(2026, 3, 9, 0, 0, 0, 0, newYork) // the recipient's Monday
	d := Digest{
		Key: "digest:ana@eeas.example:2026-W11", Host: "jointcal.example.org", From: "jointcal <noreply@jointcal.example.org>",
		To: Recipient{Name: "Ana", Email: "ana@eeas.example", TimeZone: "America/New_York"}, WeekStart: week, Now: week.Add(7 * time.Hour),
		Items: []DigestItem{
			{Title: "NAC–PSC informal <meeting>", Start: time.Date(2026, 3, 10, 10, 0, 0, 0, brussels), End: time.Date(2026, 3, 10, 12, 0, 0, 0, brussels), TimeZone: "Europe/Brussels", Location: "NATO HQ", Lead: "EU"},
			{Title: "Cyber staff talks", Start: time.Date(2026, 3, 10, 15, 0, 0, 0, brussels), End: time.Date(2026, 3, 10, 16, 0, 0, 0, brussels), TimeZone: "Europe/Brussels"},
			{Title: "CMX planning conference", Start: time.Date(2026, 3, 12, 0, 0, 0, 0, brussels), End: time.Date(2026, 3, 13, 0, 0, 0, 0, brussels), AllDay: true, TimeZone: "Europe/Brussels"},
		},
	}
	m, err := ComposeDigest(d)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ComposeDigest(d)
	if m.ID != again.ID || !bytes.Equal(m.Bytes, again.Bytes) {
		t.Fatal("the same digest composes differently")
	}
	subject, text, html := digestParts(t, m)
	if !strings.HasPrefix(subject, "Your jointcal week: Mon 9 Mar") {
		t.Fatalf("subject %q", subject)
	}
	// New York is on EDT from 8 March: 10:00 Brussels (CET) is 05:00.
	for _, want := range []string{"3 activities", "Tue 10 Mar 2026:", "05:00", "NAC–PSC informal <meeting> (NATO HQ), led by EU", "Cyber staff talks", "Thu 12 Mar 2026:", "all day — CMX planning conference", "New York time"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(html, "<meeting>") || !strings.Contains(html, "&lt;meeting&gt;") {
		t.Fatal("HTML not escaped")
	}
	d.Items = nil
	empty, err := ComposeDigest(d)
	if err != nil {
		t.Fatal(err)
	}
	if _, text, _ := digestParts(t, empty); !strings.Contains(text, "Nothing is planned for you") {
		t.Fatalf("empty week: %s", text)
	}
	if _, err := ComposeDigest(Digest{Key: "k", Now: time.Now(), From: "x", To: Recipient{Email: "a@b.example"}}); err == nil {
		t.Fatal("a bad From was accepted")
	}
}
