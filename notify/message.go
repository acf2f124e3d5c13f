package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Message is one composed e-mail, ready for a Sender: the envelope (From, To)
// and the RFC 5322 bytes. Composition and delivery are separate so the
// scheduler can compose while claiming outbox rows and send a batch over one
// connection.
type Message struct {
	// ID is the Message-ID without angle brackets, "<32 hex>@<host>"; it is
	// the same for every composition of the same outbox key, so the outbox
	// can store it and a retried message is recognisably the same.
	ID string
	// Kind is the notice's kind, for logs and metrics.
	Kind string
	// From and To are the envelope addresses (bare addr-specs).
	From, To string
	// Subject is the decoded subject, for logs and the DirSink.
	Subject string
	// Bytes is the whole message: headers, CRLF line ends, 7-bit clean
	// (quoted-printable and base64 bodies), so any SMTP server accepts it.
	Bytes []byte
}

// messageIDHexLen is how much of the key's SHA-256 names the message: 128
// bits, ample to keep distinct keys apart, short enough to read in a log.
const messageIDHexLen = 32

// messageID derives the Message-ID (without brackets) from the outbox key.
// The key is hashed, not copied, because it names the recipient and the
// activity and a Message-ID travels to every relay and mailbox.
func messageID(key, host, fromAddr string) (string, error) {
	h, err := messageHost(host, fromAddr)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])[:messageIDHexLen] + "@" + h, nil
}

// subject writes the subject line: "Reminder: NAC–PSC informal meeting — Tue
// 10 Mar 10:00 (Brussels)". The time is the recipient's, labelled with the
// city of their zone, so the inbox list alone tells them when to be there.
func subject(n *notice) string {
	w := n.w
	prefix := w.subjReminder
	switch {
	case n.Kind == KindCancellation || n.instanceCancelled:
		prefix = w.subjCancelled
	case n.Kind == KindUpdate:
		prefix = w.subjUpdated
	case n.Kind == KindInvitation:
		prefix = w.subjInvite
	}
	title := singleLine(n.Activity.Title)
	if title == "" {
		title = w.untitled
	}
	s := span{start: n.start, end: n.end, allDay: n.Activity.AllDay}
	when := w.date(s.short(n.recipientLoc)) + " (" + zoneLabel(n.recipientZoneName) + ")"
	if s.allDay {
		when = w.date(s.short(n.activityLoc))
	}
	sep := ": "
	if w.lang == "fr" {
		sep = " : " // French sets a space before the colon
	}
	return prefix + sep + title + " — " + when
}

// Compose writes the e-mail for one notice. The message is
//
//	multipart/mixed
//	  multipart/alternative
//	    text/plain; charset=utf-8          (quoted-printable)
//	    text/html; charset=utf-8           (quoted-printable)
//	    text/calendar; method=REQUEST|CANCEL (base64)
//	  application/ics; name=invite.ics     (base64, attachment)
//
// the structure calendar services themselves send: Outlook and Gmail read the
// text/calendar alternative and show Add/Update (or Remove) buttons, and
// clients that ignore it still offer the invite.ics attachment. Reminders and
// updates carry METHOD:REQUEST with the activity's UID and SEQUENCE;
// cancellations METHOD:CANCEL with STATUS:CANCELLED.
//
// The header set is neutral: Date (Notice.Now), From, To, Subject (RFC 2047
// encoded when not plain ASCII), Message-ID (from Notice.Key), MIME-Version,
// Auto-Submitted: auto-generated (RFC 3834, so vacation responders stay
// quiet) and X-Auto-Response-Suppress: All (the same for Exchange). The outbox
// key itself is not written anywhere.
//
// Output is deterministic: the same Notice composes to the same bytes
// (boundaries are derived from the key). A reminder whose occurrence has
// already started at Now is refused: reminders are never sent after the
// start.
func Compose(n Notice) (*Message, error) {
	r, err := resolve(&n)
	if err != nil {
		return nil, err
	}
	ics, err := invitation(r)
	if err != nil {
		return nil, err
	}
	c := buildContent(r)

	var buf bytes.Buffer
	buf.Grow(3*len(ics) + 8<<10)
	sum := sha256.Sum256([]byte(n.Key))
	// "=_" cannot occur in quoted-printable or base64 text, so boundaries
	// that contain it never collide with a body.
	tag := hex.EncodeToString(sum[16:24])
	mixedBoundary, altBoundary := "=_jc_mixed_"+tag, "=_jc_alt_"+tag

	writeHeaders(&buf, n.Now, r.from, r.to, r.subject, r.messageID, mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mixedBoundary}))
	buf.WriteString("\r\n")

	mixed := multipart.NewWriter(&buf)
	if err := mixed.SetBoundary(mixedBoundary); err != nil {
		return nil, fmt.Errorf("notify: boundary %q: %w", mixedBoundary, err)
	}
	altPart, err := mixed.CreatePart(textproto.MIMEHeader{
		"Content-Type": {mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": altBoundary})},
	})
	if err != nil {
		return nil, err
	}
	alt := multipart.NewWriter(altPart)
	if err := alt.SetBoundary(altBoundary); err != nil {
		return nil, fmt.Errorf("notify: boundary %q: %w", altBoundary, err)
	}
	method := itipMethod(n.Kind)
	parts := []struct {
		header textproto.MIMEHeader
		body   []byte
		qp     bool
	}{
		{textPartHeader("text/plain", nil), []byte(plainText(&c)), true},
		{textPartHeader("text/html", nil), []byte(htmlText(&c, r.subject)), true},
		{textPartHeader("text/calendar", map[string]string{"method": method}), ics, false},
	}
	for _, p := range parts {
		w, err := alt.CreatePart(p.header)
		if err != nil {
			return nil, err
		}
		if p.qp {
			err = writeQuotedPrintable(w, p.body)
		} else {
			err = writeBase64(w, p.body)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := alt.Close(); err != nil {
		return nil, err
	}
	att, err := mixed.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {mime.FormatMediaType("application/ics", map[string]string{"name": "invite.ics"})},
		"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": "invite.ics"})},
		"Content-Transfer-Encoding": {"base64"},
	})
	if err != nil {
		return nil, err
	}
	if err := writeBase64(att, ics); err != nil {
		return nil, err
	}
	if err := mixed.Close(); err != nil {
		return nil, err
	}

	return &Message{
		ID:      r.messageID,
		Kind:    n.Kind,
		From:    r.from.Address,
		To:      r.to.Address,
		Subject: r.subject,
		Bytes:   buf.Bytes(),
	}, nil
}

// writeHeaders writes the header block every jointcal message has: an
// automated message (Auto-Submitted, no auto-replies) with a stable
// Message-ID, ending with its top-level Content-Type.
func writeHeaders(buf *bytes.Buffer, now time.Time, from, to *mail.Address, subject, id, contentType string) {
	writeHeader(buf, "Date", now.UTC().Format(time.RFC1123Z))
	writeHeader(buf, "From", from.String())
	writeHeader(buf, "To", to.String())
	writeHeader(buf, "Subject", encodeHeaderText(subject))
	writeHeader(buf, "Message-ID", "<"+id+">")
	writeHeader(buf, "MIME-Version", "1.0")
	writeHeader(buf, "Auto-Submitted", "auto-generated")
	writeHeader(buf, "X-Auto-Response-Suppress", "All")
	writeHeader(buf, "Content-Type", contentType)
}

// textPartHeader is the header of a UTF-8 text part; calendar parts are
// base64 (their CRLF line ends and folding must survive relays untouched),
// readable parts quoted-printable (an .eml stays legible).
func textPartHeader(mediaType string, params map[string]string) textproto.MIMEHeader {
	p := map[string]string{"charset": "utf-8"}
	for k, v := range params {
		p[k] = v
	}
	cte := "quoted-printable"
	if mediaType == "text/calendar" {
		cte = "base64"
	}
	return textproto.MIMEHeader{
		"Content-Type":              {mime.FormatMediaType(mediaType, p)},
		"Content-Transfer-Encoding": {cte},
	}
}

func writeQuotedPrintable(w io.Writer, body []byte) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write(body); err != nil {
		return err
	}
	return qp.Close()
}

// base64LineLen is the line length RFC 2045 allows for base64 bodies.
const base64LineLen = 76

func writeBase64(w io.Writer, body []byte) error {
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(body)))
	base64.StdEncoding.Encode(enc, body)
	out := make([]byte, 0, len(enc)+len(enc)/base64LineLen*2+2)
	for len(enc) > 0 {
		n := min(len(enc), base64LineLen)
		out = append(out, enc[:n]...)
		out = append(out, '\r', '\n')
		enc = enc[n:]
	}
	_, err := w.Write(out)
	return err
}

// encodeHeaderText makes an unstructured header value (the subject) 7-bit:
// RFC 2047 Q-encoded words when it holds anything but printable ASCII. A
// literal "=?" is broken up first, so that a title cannot smuggle in an
// encoded word of its own.
func encodeHeaderText(s string) string {
	s = strings.ReplaceAll(s, "=?", "= ?")
	return mime.QEncoding.Encode("utf-8", s)
}

// maxHeaderLine is the line length RFC 5322 asks headers to keep to.
const maxHeaderLine = 78

// writeHeader writes "Name: value" folded at spaces so that lines stay within
// 78 characters where the value allows it (encoded words are separated by
// spaces, so long subjects fold cleanly). Unfolding restores the value.
func writeHeader(buf *bytes.Buffer, name, value string) {
	buf.WriteString(name)
	buf.WriteString(": ")
	lineLen := len(name) + 2
	for i, word := range strings.Split(value, " ") {
		switch {
		case i == 0 && lineLen+len(word) > maxHeaderLine:
			// Fold right after the colon: "Subject:" CRLF SP word.
			buf.Truncate(buf.Len() - 1)
			buf.WriteString("\r\n ")
			lineLen = 1
		case i > 0:
			if lineLen+1+len(word) > maxHeaderLine {
				buf.WriteString("\r\n")
				lineLen = 0
			}
			buf.WriteByte(' ')
			lineLen++
		}
		buf.WriteString(word)
		lineLen += len(word)
	}
	buf.WriteString("\r\n")
}
