package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"net/textproto"
	"time"

	"github.com/jointcal/jointcal/planning"
)

// KindDigest is the weekly agenda e-mail.
const KindDigest = "digest"

// DigestItem is one occurrence on a person's weekly agenda.
type DigestItem struct {
	Title      string
	Start, End time.Time
	AllDay     bool
	// TimeZone is the activity's zone (all-day dates belong to it).
	TimeZone string
	Location string
	Lead     string
	Link     string
}

// Digest is a person's agenda for one week, sent on Monday morning to
// people who never open jointcal.
type Digest struct {
	// Key is the outbox key (person and ISO week); the Message-ID is
	// derived from it as for notices.
	Key, Host, From string
	To              Recipient
	// WeekStart is the Monday the agenda begins (the recipient's midnight).
	WeekStart time.Time
	Items     []DigestItem
	Now       time.Time
}

// ComposeDigest writes the weekly agenda: one field per day, each
// occurrence with its time in the recipient's zone, its title and place.
// A week with nothing planned still says so, so silence never means a
// lost e-mail.
func ComposeDigest(d Digest) (*Message, error) {
	if d.Key == "" || d.Now.IsZero() {
		return nil, fmt.Errorf("notify: Digest.Key and Digest.Now are required")
	}
	e, err := newEnvelope("Digest", d.From, d.To, d.Key, d.Host)
	if err != nil {
		return nil, err
	}
	from, to, id := e.from, e.to, e.messageID
	loc, err := planning.LoadZone(d.To.TimeZone)
	if err != nil {
		return nil, err
	}
	week := d.WeekStart.In(loc)
	subject := "Your jointcal week: " + week.Format(shortDateLayout) + " – " + week.AddDate(0, 0, 6).Format(dateLayout)
	c := content{footer: "You receive this weekly agenda because you take part in activities planned in jointcal. Ask your planner to opt you out of reminders to stop it."}
	if len(d.Items) == 0 {
		c.opening = "Nothing is planned for you in the week of " + week.Format(dateLayout) + "."
	} else {
		c.opening = fmt.Sprintf("Your agenda for the week of %s: %d %s.", week.Format(dateLayout), len(d.Items), map[bool]string{true: "activity", false: "activities"}[len(d.Items) == 1])
	}
	for _, it := range d.Items {
		itemLoc := loc
		if it.AllDay {
			if l, err := planning.LoadZone(it.TimeZone); err == nil {
				itemLoc = l
			}
		}
		day := it.Start.In(itemLoc).Format(dateLayout)
		line := span{start: it.Start, end: it.End, allDay: it.AllDay}.short(itemLoc)
		if it.AllDay {
			line = "all day"
		}
		line += " — " + singleLine(it.Title)
		if it.Location != "" {
			line += " (" + singleLine(it.Location) + ")"
		}
		if it.Lead != "" {
			line += ", led by " + singleLine(it.Lead)
		}
		if n := len(c.fields); n > 0 && c.fields[n-1].label == day {
			c.fields[n-1].lines = append(c.fields[n-1].lines, line)
		} else {
			c.fields = append(c.fields, field{label: day, lines: []string{line}})
		}
	}
	c.fields = append(c.fields, field{label: "Times", lines: []string{"shown in " + zoneLabel(loc.String()) + " time"}})

	var buf bytes.Buffer
	sum := sha256.Sum256([]byte(d.Key))
	boundary := "=_jc_alt_" + hex.EncodeToString(sum[16:24])
	writeHeaders(&buf, d.Now, from, to, subject, id, mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": boundary}))
	buf.WriteString("\r\n")
	alt := multipart.NewWriter(&buf)
	if err := alt.SetBoundary(boundary); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		header textproto.MIMEHeader
		body   string
	}{
		{textPartHeader("text/plain", nil), plainText(&c)},
		{textPartHeader("text/html", nil), htmlText(&c, subject)},
	} {
		w, err := alt.CreatePart(p.header)
		if err != nil {
			return nil, err
		}
		if err := writeQuotedPrintable(w, []byte(p.body)); err != nil {
			return nil, err
		}
	}
	if err := alt.Close(); err != nil {
		return nil, err
	}
	return &Message{ID: id, Kind: KindDigest, From: from.Address, To: to.Address, Subject: subject, Bytes: buf.Bytes()}, nil
}
