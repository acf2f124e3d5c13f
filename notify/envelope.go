package notify

import (
	"fmt"
	"net/mail"
)

// envelope is what every composed message starts from: the sender, the
// recipient with their name on one line, and the Message-ID the outbox key
// makes stable across re-sends.
type envelope struct {
	from, to  *mail.Address
	messageID string
}

// newEnvelope reads a message's sender and recipient; kind names the
// composer's input type ("Notice", "ProposalMail", …) in the errors.
func newEnvelope(kind, from string, to Recipient, key, host string) (envelope, error) {
	var e envelope
	var err error
	if e.from, err = mail.ParseAddress(from); err != nil {
		return e, fmt.Errorf("notify: %s.From %q is not an e-mail address: %w", kind, from, err)
	}
	addr, err := mail.ParseAddress(to.Email)
	if err != nil || addr.Name != "" {
		return e, fmt.Errorf("notify: %s.To.Email %q is not a bare e-mail address (%v)", kind, to.Email, err)
	}
	e.to = &mail.Address{Name: singleLine(to.Name), Address: addr.Address}
	if e.messageID, err = messageID(key, host, e.from.Address); err != nil {
		return e, err
	}
	return e, nil
}
