package notify

import (
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"
)

func TestComposeSignIn(t *testing.T) {
	t.Parallel()
	url := "http://127.0.0.1:8080/signin/link?token=jc_" + strings.Repeat("A", 43)
	brussels, _ := time.LoadLocation("Europe/Brussels")
	for lang, want := range map[string]string{"en": "Sign in to jointcal", "fr": "Connexion à jointcal"} {
		m, err := ComposeSignIn(SignInMail{
			From: &mail.Address{Name: "jointcal", Address: "noreply@jointcal.example"}, To: &mail.Address{Name: "Chloé Liaison", Address: "chloe@eeas.example"},
			URL: url, Expires: time.Date(2031, 1, 1, 9, 15, 0, 0, time.UTC), Zone: brussels, Language: lang, Now: time.Date(2031, 1, 1, 9, 0, 0, 0, time.UTC),
		})
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(m.Bytes)))
		if err != nil {
			t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || subject != want {
			t.Errorf("%s subject %q (%v)", lang, subject, err)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(body), url) || !strings.Contains(string(body), "10:15 CET") || !strings.Contains(string(body), "Chloé") {
			t.Errorf("%s body:\n%s", lang, body)
		}
		for _, line := range strings.Split(string(m.Bytes), "\r\n") {
			if len(line) > 998 {
				t.Fatalf("line longer than RFC 5322 allows")
			}
		}
	}
	if _, err := ComposeSignIn(SignInMail{}); err == nil {
		t.Fatal("an empty message was composed")
	}
}
