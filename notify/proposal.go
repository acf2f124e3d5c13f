package notify

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/jointcal/jointcal/planning"
)

// KindProposal is a message about a step of a proposal: another
// organisation proposed, agreed, declined, countered; the activity was
// confirmed, expired or withdrawn.
const KindProposal = "proposal"

// ProposalMail is what a proposal message says. The scheduler fills it
// from the outbox row and the proposal's step.
type ProposalMail struct {
	// Key is the outbox key; the Message-ID is derived from it, so a
	// retried message is recognisably the same.
	Key, Host, From string
	To              Recipient
	// Step is proposed, agreed, declined, countered, confirmed, expired
	// or withdrawn; By the organisation that took it ("" for jointcal).
	Step, By, Reason string
	Title            string
	// Start and End are the time proposed at that step; TimeZone the
	// activity's.
	Start, End time.Time
	TimeZone   string
	Lead       string
	// Awaiting are the organisations whose answer is still awaited.
	Awaiting []string
	// Link leads to the proposal in jointcal.
	Link string
	Now  time.Time
}

// ComposeProposal writes a proposal message: plain text, saying what
// happened, by whom, the time at stake in the recipient's zone and the
// activity's, and what is awaited next.
func ComposeProposal(m ProposalMail) (*Message, error) {
	if m.Key == "" || m.Now.IsZero() || m.Step == "" {
		return nil, fmt.Errorf("notify: ProposalMail.Key, Step and Now are required")
	}
	e, err := newEnvelope("ProposalMail", m.From, m.To, m.Key, m.Host)
	if err != nil {
		return nil, err
	}
	from, to, id := e.from, e.to, e.messageID
	loc, err := planning.LoadZone(m.To.TimeZone)
	if err != nil {
		return nil, err
	}
	actLoc, err := planning.LoadZone(m.TimeZone)
	if err != nil {
		return nil, err
	}
	by := m.By
	if by == "" {
		by = "jointcal"
	}
	title := singleLine(m.Title)
	what := map[string]string{
		"proposed":  by + " proposes",
		"agreed":    by + " agreed to",
		"declined":  by + " declined",
		"countered": by + " proposes another time for",
		"confirmed": "Every organisation agreed: confirmed",
		"expired":   "Unanswered, expired",
		"withdrawn": "Withdrawn",
	}[m.Step]
	if what == "" {
		return nil, fmt.Errorf("notify: unknown proposal step %q", m.Step)
	}
	subject := fmt.Sprintf("%s: %s", what, title)
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\r\n\r\n%s \"%s\" (led by %s).\r\n\r\n", displayName(to), what, title, singleLine(m.Lead))
	when := func(l *time.Location) string {
		return m.Start.In(l).Format(dateLayout+" "+clockLayout) + " – " + m.End.In(l).Format(clockLayout+" MST")
	}
	fmt.Fprintf(&b, "When: %s\r\n", when(loc))
	if actLoc.String() != loc.String() {
		fmt.Fprintf(&b, "      %s (%s)\r\n", when(actLoc), actLoc)
	}
	if m.Reason != "" {
		fmt.Fprintf(&b, "Reason: %s\r\n", singleLine(m.Reason))
	}
	if len(m.Awaiting) > 0 && m.Step != "confirmed" && m.Step != "expired" && m.Step != "declined" && m.Step != "withdrawn" {
		fmt.Fprintf(&b, "Awaiting: %s\r\n", strings.Join(m.Awaiting, ", "))
	}
	if m.Link != "" {
		fmt.Fprintf(&b, "\r\nAgree, decline or propose another time: %s\r\n", m.Link)
	}
	b.WriteString("\r\nYou receive this because you plan for an organisation involved in this proposal.\r\n")
	var buf bytes.Buffer
	writeHeaders(&buf, m.Now, from, to, subject, id, "text/plain; charset=utf-8")
	writeHeader(&buf, "Content-Transfer-Encoding", "quoted-printable")
	buf.WriteString("\r\n")
	if err := writeQuotedPrintable(&buf, []byte(b.String())); err != nil {
		return nil, err
	}
	return &Message{ID: id, Kind: KindProposal, From: from.Address, To: to.Address, Subject: subject, Bytes: buf.Bytes()}, nil
}
