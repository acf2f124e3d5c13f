package scheduler

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
)

// decoded returns a received message's headers and every leaf part
// decoded (text, HTML, calendar), concatenated, so tests can assert on
// what a recipient's client reads rather than on transfer encodings.
func decoded(t *testing.T, raw string) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("not an RFC 5322 message: %v", err)
	}
	var out strings.Builder
	for k, v := range msg.Header {
		out.WriteString(k + ": " + strings.Join(v, ", ") + "\n")
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	out.WriteString("Decoded-Subject: " + subject + "\n")
	walk(t, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &out)
	return out.String()
}

func walk(t *testing.T, contentType, encoding string, body io.Reader, out *strings.Builder) {
	t.Helper()
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("bad Content-Type %q: %v", contentType, err)
	}
	if strings.HasPrefix(media, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			walk(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, out)
		}
	}
	raw, _ := io.ReadAll(body)
	switch strings.ToLower(encoding) {
	case "base64":
		dec, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.ReplaceAll(raw, []byte("\r\n"), nil))))
		if err != nil {
			t.Fatalf("bad base64 part: %v", err)
		}
		raw = dec
	case "quoted-printable":
		raw, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
	}
	out.WriteString("\n--- " + media + "\n")
	out.Write(raw)
}
