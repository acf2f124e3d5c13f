package notify

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/calendar"
)

// mustZone loads an IANA zone or fails the test.
func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	return loc
}

// sampleNotice is a reminder for a NAC–PSC informal meeting on Tuesday
// 3 March 2026, 10:00–12:00 in Brussels, for a planner in Washington, composed
// 35 minutes before the start.
func sampleNotice(t testing.TB) Notice {
	t.Helper()
	bru := mustZone(t, "Europe/Brussels")
	start := time.Date(2026, 3, 3, 10, 0, 0, 0, bru)
	return Notice{
		Kind: KindReminder,
		Key:  "activity=42;occurrence=2026-03-03T09:00:00Z;recipient=person:7;offset=PT1H",
		Host: "jointcal.example.org",
		From: "jointcal <noreply@example.org>",
		To:   Recipient{Name: "Anna Berg", Email: "anna.berg@example.org", TimeZone: "America/New_York"},
		Activity: calendar.Event{
			UID:           calendar.UID("42", "jointcal.example.org"),
			Title:         "NAC–PSC informal meeting",
			Description:   "Exchange of views on hybrid threats.\nPreparatory notes are in the shared folder.",
			Start:         start,
			End:           start.Add(2 * time.Hour),
			TimeZone:      "Europe/Brussels",
			Status:        "confirmed",
			Sequence:      3,
			Location:      "Justus Lipsius, Rue de la Loi 175, Brussels",
			ConferenceURL: "https://vtc.example.org/nac-psc",
			URL:           "https://jointcal.example.org/activities/42",
			Categories:    []string{"meeting"},
			Organizer:     &calendar.Attendee{Name: "Secretariat", Email: "secretariat@example.org"},
			Attendees: []calendar.Attendee{
				{Name: "Jean Dupont", Email: "jean.dupont@example.org", Role: "lead", Required: true},
				{Name: "Anna Berg", Email: "anna.berg@example.org", Role: "participant", Required: true, RSVP: "accepted"},
				{Name: "Tom Hale", Email: "tom.hale@example.org", Role: "briefer", Required: true},
			},
			Reminders: []time.Duration{time.Hour},
		},
		Lead: "EU (European Union)",
		Link: "https://jointcal.example.org/activities/42",
		Now:  start.Add(-35 * time.Minute),
	}
}

// parsed is a received message taken apart the way a mail client does.
type parsed struct {
	header   mail.Header
	subject  string
	text     string
	html     string
	calCT    string            // Content-Type of the text/calendar alternative
	calParam map[string]string // its parameters
	cal      string            // its decoded body
	attCT    string            // Content-Type of the attachment
	attDisp  string            // its Content-Disposition
	att      string            // its decoded body
}

// parseMessage parses raw with net/mail and mime/multipart and checks the
// structure Compose promises: multipart/mixed { multipart/alternative {
// text/plain, text/html, text/calendar }, attachment }.
func parseMessage(t testing.TB, raw []byte) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v\n%s", err, raw)
	}
	p := parsed{header: msg.Header}
	dec := new(mime.WordDecoder)
	if p.subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("decoding Subject %q: %v", msg.Header.Get("Subject"), err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("top Content-Type = %q (%v), want multipart/mixed", msg.Header.Get("Content-Type"), err)
	}
	mixed := multipart.NewReader(msg.Body, params["boundary"])
	var parts []*multipart.Part
	var bodies [][]byte
	for {
		part, err := mixed.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading multipart/mixed: %v", err)
		}
		body, err := io.ReadAll(part)
		if err != nil {
			t.Fatalf("reading a part: %v", err)
		}
		parts, bodies = append(parts, part), append(bodies, body)
	}
	if len(parts) != 2 {
		t.Fatalf("multipart/mixed has %d parts, want 2 (alternative, attachment)", len(parts))
	}
	amt, aparams, err := mime.ParseMediaType(parts[0].Header.Get("Content-Type"))
	if err != nil || amt != "multipart/alternative" {
		t.Fatalf("first part Content-Type = %q, want multipart/alternative", parts[0].Header.Get("Content-Type"))
	}
	alt := multipart.NewReader(bytes.NewReader(bodies[0]), aparams["boundary"])
	var order []string
	for {
		part, err := alt.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading multipart/alternative: %v", err)
		}
		ct := part.Header.Get("Content-Type")
		mt, ps, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("alternative part Content-Type %q: %v", ct, err)
		}
		if !strings.EqualFold(ps["charset"], "utf-8") {
			t.Errorf("part %s has charset %q, want utf-8", mt, ps["charset"])
		}
		body := decodeBody(t, part.Header.Get("Content-Transfer-Encoding"), part)
		order = append(order, mt)
		switch mt {
		case "text/plain": // quoted-printable carries CRLF line ends
			p.text = strings.ReplaceAll(body, "\r\n", "\n")
		case "text/html":
			p.html = strings.ReplaceAll(body, "\r\n", "\n")
		case "text/calendar":
			p.calCT, p.calParam, p.cal = ct, ps, body
		}
	}
	if got := strings.Join(order, ","); got != "text/plain,text/html,text/calendar" {
		t.Fatalf("alternative parts = %s, want text/plain,text/html,text/calendar", got)
	}
	p.attCT = parts[1].Header.Get("Content-Type")
	p.attDisp = parts[1].Header.Get("Content-Disposition")
	p.att = decodeBody(t, parts[1].Header.Get("Content-Transfer-Encoding"), bytes.NewReader(bodies[1]))
	return p
}

func decodeBody(t testing.TB, cte string, r io.Reader) string {
	t.Helper()
	switch strings.ToLower(cte) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	default:
		t.Fatalf("Content-Transfer-Encoding %q, want quoted-printable or base64", cte)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decoding a %s body: %v", cte, err)
	}
	return string(b)
}

// compose is Compose that fails the test on error.
func compose(t testing.TB, n Notice) *Message {
	t.Helper()
	m, err := Compose(n)
	if err != nil {
		t.Fatalf("Compose: %v", err)
	}
	return m
}
