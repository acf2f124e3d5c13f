package notify

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/calendar"
)

// TestComposeReminder checks the whole message for the sample reminder:
// headers, structure, both bodies and both calendar parts.
func TestComposeReminder(t *testing.T) {
	t.Parallel()
	n := sampleNotice(t)
	m := compose(t, n)
	p := parseMessage(t, m.Bytes)

	if date, err := p.header.Date(); err != nil || !date.Equal(n.Now) {
		t.Errorf("Date = %v (%v), want %v", date, err, n.Now)
	}
	for name, want := range map[string]string{
		"MIME-Version":             "1.0",
		"Auto-Submitted":           "auto-generated",
		"X-Auto-Response-Suppress": "All",
		"Message-ID":               "<" + m.ID + ">",
	} {
		if got := p.header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if from, err := p.header.AddressList("From"); err != nil || len(from) != 1 || from[0].Address != "noreply@example.org" || from[0].Name != "jointcal" {
		t.Errorf("From = %v (%v)", from, err)
	}
	if m.From != "noreply@example.org" || m.To != "anna.berg@example.org" || m.Kind != KindReminder || m.Subject != p.subject {
		t.Errorf("Message envelope = %+v", *m)
	}
	if want := "Reminder: NAC–PSC informal meeting — Tue 3 Mar 04:00 (New York)"; p.subject != want {
		t.Errorf("subject = %q, want %q", p.subject, want)
	}

	for _, want := range []string{
		"Reminder: “NAC–PSC informal meeting” starts in 35 minutes.",
		"When:   Tue 3 Mar 2026, 04:00–06:00 (your time, New York)\n        Tue 3 Mar 2026, 10:00–12:00 (Brussels time, where it is planned)\n",
		"Where:  Justus Lipsius, Rue de la Loi 175, Brussels\n",
		"Online: https://vtc.example.org/nac-psc\n",
		"Lead:   EU (European Union)\n",
		"Who:    Jean Dupont (lead), Anna Berg, Tom Hale (briefer)\n",
		"Exchange of views on hybrid threats.\nPreparatory notes are in the shared folder.\n",
		"Open in jointcal: https://jointcal.example.org/activities/42\n",
	} {
		if !strings.Contains(p.text, want) {
			t.Errorf("text part lacks %q:\n%s", want, p.text)
		}
	}
	if strings.Contains(p.text, "Status:") {
		t.Errorf("a confirmed activity shows a status line:\n%s", p.text)
	}
	for _, want := range []string{
		"<title>Reminder: NAC–PSC informal meeting — Tue 3 Mar 04:00 (New York)</title>",
		"<strong>NAC–PSC informal meeting</strong>",
		"Tue 3 Mar 2026, 04:00–06:00 (your time, New York)<br>Tue 3 Mar 2026, 10:00–12:00 (Brussels time, where it is planned)",
		`<a href="https://vtc.example.org/nac-psc" style="color:#0b5cad;">https://vtc.example.org/nac-psc</a>`,
		`<a href="https://jointcal.example.org/activities/42" style="color:#0b5cad;">Open in jointcal</a>`,
		"Exchange of views on hybrid threats.<br>\nPreparatory notes are in the shared folder.",
	} {
		if !strings.Contains(p.html, want) {
			t.Errorf("html part lacks %q:\n%s", want, p.html)
		}
	}

	if p.calCT != "text/calendar; charset=utf-8; method=REQUEST" {
		t.Errorf("calendar Content-Type = %q", p.calCT)
	}
	if p.attCT != "application/ics; name=invite.ics" || p.attDisp != "attachment; filename=invite.ics" {
		t.Errorf("attachment Content-Type %q, Content-Disposition %q", p.attCT, p.attDisp)
	}
	if p.att != p.cal {
		t.Errorf("the attachment differs from the calendar alternative")
	}
	for _, want := range []string{
		"METHOD:REQUEST\r\n", "UID:42@jointcal.example.org\r\n", "SEQUENCE:3\r\n", "DTSTAMP:20260303T082500Z\r\n",
		"DTSTART;TZID=Europe/Brussels:20260303T100000\r\n", "BEGIN:VTIMEZONE\r\n", "TRIGGER:-PT1H\r\n",
		"ORGANIZER;CN=Secretariat:mailto:secretariat@example.org\r\n",
	} {
		if !strings.Contains(p.cal, want) {
			t.Errorf("calendar lacks %q:\n%s", want, p.cal)
		}
	}
	if c := strings.Count(unfold(p.cal), "mailto:anna.berg@example.org"); c != 1 {
		t.Errorf("the recipient appears %d times as attendee, want 1 (already listed)", c)
	}
}

// unfold undoes iCalendar line folding.
func unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

// TestComposeKinds: subject, opening, iTIP method and status per kind.
func TestComposeKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind, subject, opening, method string
		calendarHas, calendarLacks     []string
	}{
		{KindReminder, "Reminder: ", "starts in 35 minutes", "REQUEST", []string{"STATUS:CONFIRMED", "BEGIN:VALARM"}, nil},
		{KindUpdate, "Updated: ", "has changed", "REQUEST", []string{"STATUS:CONFIRMED", "SEQUENCE:3"}, nil},
		{KindCancellation, "Cancelled: ", "has been cancelled", "CANCEL", []string{"STATUS:CANCELLED", "METHOD:CANCEL"}, []string{"BEGIN:VALARM", "STATUS:CONFIRMED"}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			n := sampleNotice(t)
			n.Kind = tt.kind
			p := parseMessage(t, compose(t, n).Bytes)
			if !strings.HasPrefix(p.subject, tt.subject) {
				t.Errorf("subject %q, want prefix %q", p.subject, tt.subject)
			}
			if !strings.Contains(p.text, tt.opening) || !strings.Contains(p.html, tt.opening) {
				t.Errorf("bodies lack %q", tt.opening)
			}
			if p.calParam["method"] != tt.method || !strings.Contains(p.cal, "METHOD:"+tt.method+"\r\n") {
				t.Errorf("method: Content-Type %q, want %s in it and in the object", p.calCT, tt.method)
			}
			for _, s := range tt.calendarHas {
				if !strings.Contains(p.cal, s+"\r\n") {
					t.Errorf("calendar lacks %q", s)
				}
			}
			for _, s := range tt.calendarLacks {
				if strings.Contains(p.cal, s) {
					t.Errorf("calendar has %q", s)
				}
			}
			if tt.kind == KindCancellation && !strings.Contains(p.text, "Status: Cancelled\n") {
				t.Errorf("cancellation text lacks the status line:\n%s", p.text)
			}
		})
	}
}

// TestComposeMessageID: the ID depends on the key only, is stable across
// compositions, and the key never appears in the message.
func TestComposeMessageID(t *testing.T) {
	t.Parallel()
	n := sampleNotice(t)
	a, b := compose(t, n), compose(t, n)
	if a.ID != b.ID || !bytes.Equal(a.Bytes, b.Bytes) {
		t.Errorf("same notice composed twice: IDs %s / %s, identical bytes %v", a.ID, b.ID, bytes.Equal(a.Bytes, b.Bytes))
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}@jointcal\.example\.org$`).MatchString(a.ID) {
		t.Errorf("ID %q, want 32 hex digits @jointcal.example.org", a.ID)
	}
	later := n
	later.Now = n.Now.Add(10 * time.Minute) // a retry composes later
	if c := compose(t, later); c.ID != a.ID {
		t.Errorf("a retry composed later has ID %s, want %s", c.ID, a.ID)
	}
	other := n
	other.Key += "x"
	if c := compose(t, other); c.ID == a.ID {
		t.Errorf("different keys share the ID %s", a.ID)
	}
	if bytes.Contains(a.Bytes, []byte("recipient=person:7")) {
		t.Errorf("the outbox key leaks into the message")
	}
	for _, tt := range []struct{ host, from, want string }{
		{"jointcal.example.org:8443", "x@example.org", "@jointcal.example.org"},
		{"", "jointcal <noreply@mail.example.org>", "@mail.example.org"},
	} {
		nn := n
		nn.Host, nn.From = tt.host, tt.from
		if id := compose(t, nn).ID; !strings.HasSuffix(id, tt.want) {
			t.Errorf("Host %q From %q: ID %s, want suffix %s", tt.host, tt.from, id, tt.want)
		}
	}
}

// TestComposeTimeZones: the recipient sees their own time first, and the
// activity's time when it reads differently. March 2026 has three weeks in
// which the US is on summer time and Europe is not (8–29 March): a 10:00
// Brussels meeting is then at 05:00 in New York, not 04:00.
func TestComposeTimeZones(t *testing.T) {
	t.Parallel()
	bru := mustZone(t, "Europe/Brussels")
	tests := []struct {
		name       string
		start      time.Time
		recipient  string
		subject    string
		whenLines  []string
		notInLines string
	}{
		{"both on winter time", time.Date(2026, 3, 3, 10, 0, 0, 0, bru), "America/New_York",
			"Tue 3 Mar 04:00 (New York)",
			[]string{"Tue 3 Mar 2026, 04:00–06:00 (your time, New York)", "Tue 3 Mar 2026, 10:00–12:00 (Brussels time, where it is planned)"}, ""},
		{"US on summer time, Europe not", time.Date(2026, 3, 10, 10, 0, 0, 0, bru), "America/New_York",
			"Tue 10 Mar 05:00 (New York)",
			[]string{"Tue 10 Mar 2026, 05:00–07:00 (your time, New York)", "Tue 10 Mar 2026, 10:00–12:00 (Brussels time, where it is planned)"}, ""},
		{"both on summer time", time.Date(2026, 4, 14, 10, 0, 0, 0, bru), "America/New_York",
			"Tue 14 Apr 04:00 (New York)",
			[]string{"Tue 14 Apr 2026, 04:00–06:00 (your time, New York)", "Tue 14 Apr 2026, 10:00–12:00 (Brussels time, where it is planned)"}, ""},
		{"same zone", time.Date(2026, 3, 10, 10, 0, 0, 0, bru), "Europe/Brussels",
			"Tue 10 Mar 10:00 (Brussels)",
			[]string{"Tue 10 Mar 2026, 10:00–12:00 (Brussels time)"}, "your time"},
		{"same clock, other zone", time.Date(2026, 3, 10, 10, 0, 0, 0, bru), "Europe/Paris",
			"Tue 10 Mar 10:00 (Paris)",
			[]string{"Tue 10 Mar 2026, 10:00–12:00 (Brussels time)"}, "your time"},
		{"no recipient zone", time.Date(2026, 3, 10, 10, 0, 0, 0, bru), "",
			"Tue 10 Mar 10:00 (Brussels)",
			[]string{"Tue 10 Mar 2026, 10:00–12:00 (Brussels time)"}, "your time"},
		{"next day for the recipient", time.Date(2026, 3, 10, 17, 0, 0, 0, bru), "Asia/Tokyo",
			"Wed 11 Mar 01:00 (Tokyo)",
			[]string{"Wed 11 Mar 2026, 01:00–03:00 (your time, Tokyo)", "Tue 10 Mar 2026, 17:00–19:00 (Brussels time, where it is planned)"}, ""},
		{"across midnight for the recipient", time.Date(2026, 3, 10, 15, 0, 0, 0, bru), "Asia/Tokyo",
			"Tue 10 Mar 23:00 (Tokyo)",
			[]string{"Tue 10 Mar 2026, 23:00 – Wed 11 Mar 2026, 01:00 (your time, Tokyo)"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := sampleNotice(t)
			n.Activity.Start, n.Activity.End = tt.start, tt.start.Add(2*time.Hour)
			n.Now = tt.start.Add(-time.Hour)
			n.To.TimeZone = tt.recipient
			p := parseMessage(t, compose(t, n).Bytes)
			if !strings.HasSuffix(p.subject, " — "+tt.subject) {
				t.Errorf("subject %q, want it to end in %q", p.subject, tt.subject)
			}
			for _, line := range tt.whenLines {
				if !strings.Contains(p.text, line+"\n") || !strings.Contains(p.html, line) {
					t.Errorf("bodies lack %q:\n%s", line, p.text)
				}
			}
			if tt.notInLines != "" && strings.Contains(p.text, tt.notInLines) {
				t.Errorf("text has %q:\n%s", tt.notInLines, p.text)
			}
		})
	}
}

// TestComposeOccurrence: a notice about one occurrence of a recurring
// activity shows that occurrence, not the series' first one.
func TestComposeOccurrence(t *testing.T) {
	t.Parallel()
	n := sampleNotice(t)
	n.Activity.RRule = "FREQ=WEEKLY;COUNT=10"
	n.Occurrence = n.Activity.Start.AddDate(0, 0, 14).UTC()
	n.Now = n.Occurrence.Add(-24 * time.Hour)
	p := parseMessage(t, compose(t, n).Bytes)
	for _, want := range []string{
		"Tue 17 Mar 2026, 10:00–12:00 (Brussels time, where it is planned)\n",
		"(one occurrence of a recurring activity)\n",
		"starts in 1 day.",
	} {
		if !strings.Contains(p.text, want) {
			t.Errorf("text lacks %q:\n%s", want, p.text)
		}
	}
	if !strings.Contains(p.cal, "RRULE:FREQ=WEEKLY;COUNT=10\r\n") || !strings.Contains(p.cal, "DTSTART;TZID=Europe/Brussels:20260303T100000\r\n") {
		t.Errorf("the invitation is not the whole series:\n%s", p.cal)
	}

	t.Run("whole series cancelled", func(t *testing.T) {
		t.Parallel()
		c := n
		c.Kind = KindCancellation
		p := parseMessage(t, compose(t, c).Bytes)
		if !strings.Contains(p.text, "(every occurrence of this recurring activity is cancelled)\n") || strings.Contains(p.text, "one occurrence") {
			t.Errorf("text:\n%s", p.text)
		}
		if !strings.Contains(p.cal, "METHOD:CANCEL\r\n") || !strings.Contains(p.cal, "RRULE:FREQ=WEEKLY;COUNT=10\r\n") {
			t.Errorf("calendar:\n%s", p.cal)
		}
	})
	t.Run("one occurrence cancelled is an update", func(t *testing.T) {
		t.Parallel()
		u := n
		u.Kind = KindUpdate
		u.Activity.Sequence = 4
		u.Activity.Overrides = []calendar.Override{{RecurrenceID: u.Occurrence, Cancelled: true}}
		p := parseMessage(t, compose(t, u).Bytes)
		cal := p.cal
		if !strings.Contains(cal, "METHOD:REQUEST\r\n") || !strings.Contains(cal, "RECURRENCE-ID;TZID=Europe/Brussels:20260317T100000\r\n") ||
			strings.Count(cal, "STATUS:CANCELLED\r\n") != 1 || strings.Count(cal, "SEQUENCE:4\r\n") != 2 {
			t.Errorf("calendar should update the series with the one instance cancelled:\n%s", cal)
		}
		if !strings.HasPrefix(p.subject, "Cancelled: ") || !strings.Contains(p.text, "This occurrence of “NAC–PSC informal meeting” has been cancelled; the other occurrences are unchanged.") ||
			!strings.Contains(p.text, "Status: Cancelled\n") {
			t.Errorf("subject %q, text:\n%s", p.subject, p.text)
		}
	})
}

func TestComposeAllDay(t *testing.T) {
	t.Parallel()
	bru := mustZone(t, "Europe/Brussels")
	n := sampleNotice(t)
	n.Activity.Title = "CMX 26 conduct phase"
	n.Activity.AllDay = true
	n.Activity.Start = time.Date(2026, 3, 9, 0, 0, 0, 0, bru)
	n.Activity.End = time.Date(2026, 3, 14, 0, 0, 0, 0, bru)
	n.Activity.ConferenceURL = ""
	n.Now = n.Activity.Start.Add(-48 * time.Hour)
	p := parseMessage(t, compose(t, n).Bytes)
	if want := "Reminder: CMX 26 conduct phase — Mon 9 Mar"; p.subject != want {
		t.Errorf("subject %q, want %q", p.subject, want)
	}
	if want := "When:   Mon 9 Mar – Fri 13 Mar 2026 (all day)\n"; !strings.Contains(p.text, want) {
		t.Errorf("text lacks %q:\n%s", want, p.text)
	}
	if strings.Contains(p.text, "your time") || !strings.Contains(p.text, "starts in 2 days.") {
		t.Errorf("all-day text:\n%s", p.text)
	}
	if !strings.Contains(p.cal, "DTSTART;VALUE=DATE:20260309\r\n") {
		t.Errorf("calendar:\n%s", p.cal)
	}
}

// TestComposeUpdateSaysWhatChanged: an update shows the former time, place
// and status next to the new ones.
func TestComposeUpdateSaysWhatChanged(t *testing.T) {
	t.Parallel()
	n := sampleNotice(t)
	n.Kind = KindUpdate
	n.To.TimeZone = "Europe/Brussels"
	n.Activity.Status = "tentative"
	n.Activity.Sequence = 4
	n.Previous = &Previous{
		Start:    n.Activity.Start.Add(-24 * time.Hour),
		End:      n.Activity.End.Add(-24 * time.Hour),
		Location: "NATO HQ, Brussels",
		Status:   "confirmed",
	}
	p := parseMessage(t, compose(t, n).Bytes)
	for _, want := range []string{
		"When:   Tue 3 Mar 2026, 10:00–12:00 (Brussels time)\n",
		"Was:    Mon 2 Mar 2026, 10:00–12:00 (Brussels time)\n",
		"Status: Tentative (was confirmed)\n",
		"Where:  Justus Lipsius, Rue de la Loi 175, Brussels\n        (was NATO HQ, Brussels)\n",
	} {
		if !strings.Contains(p.text, want) {
			t.Errorf("text lacks %q:\n%s", want, p.text)
		}
	}
	if !strings.Contains(p.cal, "SEQUENCE:4\r\n") || !strings.Contains(p.cal, "STATUS:TENTATIVE\r\n") {
		t.Errorf("calendar:\n%s", p.cal)
	}
}

// TestComposeEscapesAndSanitises: user text cannot inject headers, markup or
// script links, and the message stays 7-bit with short header lines.
func TestComposeEscapesAndSanitises(t *testing.T) {
	t.Parallel()
	n := sampleNotice(t)
	n.Activity.Title = "Brief <script>alert(1)</script> & \"Q&A\"\r\nBcc: evil@example.com =?utf-8?q?x?="
	n.Activity.Description = "Bring <b>badges</b> & passports"
	n.Activity.Location = `Room "Schuman" <2>`
	n.Activity.ConferenceURL = "javascript:alert(1)"
	n.To.Name = "Zoë Ødegård, PSC"
	n.Lead = "EU <European Union>"
	m := compose(t, n)
	p := parseMessage(t, m.Bytes)

	if p.header.Get("Bcc") != "" {
		t.Errorf("the title injected a Bcc header")
	}
	wantTitle := `Brief <script>alert(1)</script> & "Q&A" Bcc: evil@example.com = ?utf-8?q?x?=`
	if !strings.HasPrefix(p.subject, "Reminder: "+wantTitle+" — ") {
		t.Errorf("subject %q, want the title on one line", p.subject)
	}
	if to, err := p.header.AddressList("To"); err != nil || to[0].Name != "Zoë Ødegård, PSC" {
		t.Errorf("To = %v (%v)", to, err)
	}
	for _, bad := range []string{"<script>", "<b>", `href="javascript`, "<European"} {
		if strings.Contains(p.html, bad) {
			t.Errorf("html contains %q unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Q&amp;A&#34;", "Bring &lt;b&gt;badges&lt;/b&gt; &amp; passports", "Room &#34;Schuman&#34; &lt;2&gt;", "javascript:alert(1)"} {
		if !strings.Contains(p.html, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	if !strings.Contains(p.text, "Bring <b>badges</b> & passports") {
		t.Errorf("text part should carry the description verbatim:\n%s", p.text)
	}
	for i, c := range m.Bytes {
		if c >= 0x80 {
			t.Fatalf("byte %d is 0x%02x: the message is not 7-bit", i, c)
		}
	}
	head, _, _ := bytes.Cut(m.Bytes, []byte("\r\n\r\n"))
	for _, line := range strings.Split(string(head), "\r\n") {
		if len(line) > maxHeaderLine && strings.Contains(strings.TrimLeft(line, " "), " ") {
			t.Errorf("header line of %d characters could have been folded: %q", len(line), line)
		}
	}
}

// TestComposeInvitationForRecipient: without an organizer, From organizes;
// a recipient not among the attendees is added; the caller's event is left
// as it was.
func TestComposeInvitationForRecipient(t *testing.T) {
	t.Parallel()
	n := sampleNotice(t)
	n.Activity.Organizer = nil
	n.Activity.URL = ""
	attendees := make([]calendar.Attendee, 1, 4)
	attendees[0] = calendar.Attendee{Name: "Jean Dupont", Email: "jean.dupont@example.org", Role: "lead"}
	n.Activity.Attendees = attendees
	n.To = Recipient{Name: "PSC Secretariat", Email: "psc.secretariat@example.org", TimeZone: "Europe/Brussels"}
	p := parseMessage(t, compose(t, n).Bytes)
	cal := unfold(p.cal)
	for _, want := range []string{
		"ORGANIZER;CN=jointcal:mailto:noreply@example.org\r\n",
		"ATTENDEE;CN=PSC Secretariat;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:psc.secretariat@example.org\r\n",
		"URL:https://jointcal.example.org/activities/42\r\n",
	} {
		if !strings.Contains(cal, want) {
			t.Errorf("calendar lacks %q:\n%s", want, cal)
		}
	}
	if len(attendees) != 1 || attendees[:2][1].Email != "" {
		t.Errorf("Compose changed the caller's attendees: %+v", attendees[:2])
	}
}

func TestComposeRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mod  func(*Notice)
		want string
	}{
		{"unknown kind", func(n *Notice) { n.Kind = "digest" }, `"digest"`},
		{"no key", func(n *Notice) { n.Key = "" }, "Key is empty"},
		{"no time", func(n *Notice) { n.Now = time.Time{} }, "Now is zero"},
		{"bad from", func(n *Notice) { n.From = "jointcal" }, `From "jointcal"`},
		{"to with a name", func(n *Notice) { n.To.Email = "Anna <anna@example.org>" }, "bare e-mail address"},
		{"bad to", func(n *Notice) { n.To.Email = "anna" }, `"anna"`},
		{"unknown recipient zone", func(n *Notice) { n.To.TimeZone = "Mars/Olympus" }, `"Mars/Olympus"`},
		{"unknown activity zone", func(n *Notice) { n.Activity.TimeZone = "Europe/Atlantis" }, `"Europe/Atlantis"`},
		{"no uid", func(n *Notice) { n.Activity.UID = "" }, "UID is empty"},
		{"no start", func(n *Notice) { n.Activity.Start, n.Activity.End = time.Time{}, time.Time{} }, "neither"},
		{"end before start", func(n *Notice) { n.OccurrenceEnd = n.Activity.Start.Add(-time.Hour) }, "before its start"},
		{"reminder at the start", func(n *Notice) { n.Now = n.Activity.Start }, "not before its occurrence starts"},
		{"reminder after the start", func(n *Notice) { n.Now = n.Activity.Start.Add(time.Minute) }, "not before its occurrence starts"},
		{"bad host", func(n *Notice) { n.Host = "jointcal example" }, `host "jointcal example"`},
		{"calendar refuses", func(n *Notice) { n.Activity.RRule = "FREQ=SOMETIMES" }, "rendering the invitation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := sampleNotice(t)
			tt.mod(&n)
			m, err := Compose(n)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Compose = %v, %v; want an error containing %q", m, err, tt.want)
			}
		})
	}
	t.Run("update after the start is fine", func(t *testing.T) {
		t.Parallel()
		n := sampleNotice(t)
		n.Kind = KindCancellation
		n.Now = n.Activity.Start.Add(time.Minute)
		if _, err := Compose(n); err != nil {
			t.Fatal(err)
		}
	})
}
