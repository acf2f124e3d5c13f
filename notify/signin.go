package notify

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/mail"
	"time"
)

// KindSignIn is the kind of a sign-in link message.
const KindSignIn = "signin"

// SignInMail is an e-mailed sign-in link.
type SignInMail struct {
	From     *mail.Address
	To       *mail.Address
	URL      string // the one-time link
	Expires  time.Time
	Zone     *time.Location // the recipient's, for the expiry time
	Language string         // "fr" or else English
	Now      time.Time
}

// ComposeSignIn writes the sign-in message: plain text only, so that the
// link is shown exactly as it is (no tracking, no HTML to spoof). Its
// Message-ID is random: every link is a new message.
func ComposeSignIn(m SignInMail) (*Message, error) {
	if m.From == nil || m.To == nil || m.URL == "" {
		return nil, fmt.Errorf("notify: a sign-in message needs From, To and a URL")
	}
	zone := m.Zone
	if zone == nil {
		zone = time.UTC
	}
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, fmt.Errorf("notify: message id: %w", err)
	}
	host, err := messageHost("", m.From.Address)
	if err != nil {
		return nil, err
	}
	id := hex.EncodeToString(rnd[:]) + "@" + host
	until := m.Expires.In(zone).Format("15:04 MST")
	subject, body := "Sign in to jointcal", fmt.Sprintf(
		"Hello %s,\r\n\r\nOpen this link to sign in to jointcal. It works once, until %s:\r\n\r\n%s\r\n\r\n"+
			"If you did not ask for it, ignore this message: nothing happens unless the link is used.\r\n",
		displayName(m.To), until, m.URL)
	if m.Language == "fr" {
		subject, body = "Connexion à jointcal", fmt.Sprintf(
			"Bonjour %s,\r\n\r\nOuvrez ce lien pour vous connecter à jointcal. Il ne sert qu'une fois, jusqu'à %s :\r\n\r\n%s\r\n\r\n"+
				"Si vous ne l'avez pas demandé, ignorez ce message : rien ne se passe tant que le lien n'est pas utilisé.\r\n",
			displayName(m.To), until, m.URL)
	}
	var buf bytes.Buffer
	writeHeaders(&buf, m.Now, m.From, m.To, subject, id, "text/plain; charset=utf-8")
	writeHeader(&buf, "Content-Transfer-Encoding", "quoted-printable")
	buf.WriteString("\r\n")
	if err := writeQuotedPrintable(&buf, []byte(body)); err != nil {
		return nil, err
	}
	return &Message{ID: id, Kind: KindSignIn, From: m.From.Address, To: m.To.Address, Subject: subject, Bytes: buf.Bytes()}, nil
}

func displayName(a *mail.Address) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Address
}
