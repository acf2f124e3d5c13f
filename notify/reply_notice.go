package notify

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/jointcal/jointcal/planning"
)

// The kinds of message that tell the lead planners about the answers of
// required participants.
const (
	// KindReplyDeclined: a required participant declined the activity or
	// one of its occurrences.
	KindReplyDeclined = "reply_declined"
	// KindReplyChase: required participants have not answered an
	// occurrence that starts soon.
	KindReplyChase = "reply_chase"
)

// ReplyMail is what a decline or chase message says. The scheduler fills
// it from the outbox row and the answers as they stand when it is sent.
type ReplyMail struct {
	// Kind is KindReplyDeclined or KindReplyChase.
	Kind string
	// Key is the outbox key; the Message-ID is derived from it, so a
	// retried message is recognisably the same.
	Key, Host, From string
	To              Recipient
	// Language is the recipient's ("fr", else English).
	Language string
	Title    string
	// Start and End are the occurrence concerned; TimeZone the activity's.
	Start, End time.Time
	TimeZone   string
	Lead       string
	// WholeActivity: the decline is of every occurrence (Start is then
	// the next one). Recurring: the activity has several occurrences.
	WholeActivity, Recurring bool
	// People are who declined, or who have not answered.
	People []string
	// Comment is the decliner's own.
	Comment string
	// Link leads to the activity's replies in jointcal.
	Link string
	Now  time.Time
}

// replyWords are the phrases of a reply message in one language.
type replyWords struct {
	hello, declinedSubj, chaseSubj          string
	declined, declinedOne, chase            string // %[1]s people, %[2]s title
	when, zone, comment, lead, open, footer string
}

var replyEnglish = replyWords{
	hello:        "Hello %s,",
	declinedSubj: "Declined: %s",
	chaseSubj:    "No answer yet: %s",
	declined:     "%[1]s, a required participant, declined “%[2]s”.",
	declinedOne:  "%[1]s, a required participant, declined this occurrence of “%[2]s”.",
	chase:        "These required participants have not answered “%[2]s”, which starts soon: %[1]s.",
	when:         "When", zone: "%s time", comment: "Comment", lead: "Lead",
	open:   "See every answer in jointcal: %s",
	footer: "You receive this because you plan for the organisation leading this activity.",
}

var replyFrench = replyWords{
	hello:        "Bonjour %s,",
	declinedSubj: "Refusé : %s",
	chaseSubj:    "Pas encore de réponse : %s",
	declined:     "%[1]s, participant requis, a refusé « %[2]s ».",
	declinedOne:  "%[1]s, participant requis, a refusé cette occurrence de « %[2]s ».",
	chase:        "Ces participants requis n'ont pas répondu à « %[2]s », qui commence bientôt : %[1]s.",
	when:         "Quand", zone: "heure de %s", comment: "Commentaire", lead: "Pilote",
	open:   "Toutes les réponses dans jointcal : %s",
	footer: "Vous recevez ce message parce que vous planifiez pour l'organisation qui pilote cette activité.",
}

// ComposeReplyNotice writes a decline or chase message in the
// recipient's language: who declined (with their comment) or who has not
// answered, the occurrence in the recipient's zone and the activity's,
// and a link to the replies.
func ComposeReplyNotice(m ReplyMail) (*Message, error) {
	if m.Key == "" || m.Now.IsZero() {
		return nil, fmt.Errorf("notify: ReplyMail.Key and Now are required")
	}
	if m.Kind != KindReplyDeclined && m.Kind != KindReplyChase {
		return nil, fmt.Errorf("notify: ReplyMail.Kind %q is not %q or %q", m.Kind, KindReplyDeclined, KindReplyChase)
	}
	if len(m.People) == 0 {
		return nil, fmt.Errorf("notify: ReplyMail.People is empty: a reply notice names who declined or has not answered")
	}
	e, err := newEnvelope("ReplyMail", m.From, m.To, m.Key, m.Host)
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
	rw, w := replyEnglish, wordsFor(m.Language)
	if w.lang == "fr" {
		rw = replyFrench
	}
	title := singleLine(m.Title)
	if title == "" {
		title = w.untitled
	}
	people := make([]string, len(m.People))
	for i, p := range m.People {
		people[i] = singleLine(p)
	}
	who := strings.Join(people, ", ")
	var subject, opening string
	switch {
	case m.Kind == KindReplyChase:
		subject, opening = fmt.Sprintf(rw.chaseSubj, title), fmt.Sprintf(rw.chase, who, title)
	case m.Recurring && !m.WholeActivity:
		subject, opening = fmt.Sprintf(rw.declinedSubj, title), fmt.Sprintf(rw.declinedOne, who, title)
	default:
		subject, opening = fmt.Sprintf(rw.declinedSubj, title), fmt.Sprintf(rw.declined, who, title)
	}
	var b strings.Builder
	fmt.Fprintf(&b, rw.hello+"\r\n\r\n%s\r\n\r\n", displayName(to), opening)
	when := func(l *time.Location) string {
		return w.date(m.Start.In(l).Format(dateLayout+" "+clockLayout)) + " – " + m.End.In(l).Format(clockLayout+" MST")
	}
	fmt.Fprintf(&b, "%s: %s\r\n", rw.when, when(loc))
	if actLoc.String() != loc.String() {
		fmt.Fprintf(&b, "      %s (%s)\r\n", when(actLoc), fmt.Sprintf(rw.zone, actLoc))
	}
	if m.Lead != "" {
		fmt.Fprintf(&b, "%s: %s\r\n", rw.lead, singleLine(m.Lead))
	}
	if c := singleLine(m.Comment); c != "" && m.Kind == KindReplyDeclined {
		fmt.Fprintf(&b, "%s: %s\r\n", rw.comment, c)
	}
	if m.Link != "" {
		fmt.Fprintf(&b, "\r\n"+rw.open+"\r\n", m.Link)
	}
	b.WriteString("\r\n" + rw.footer + "\r\n")
	var buf bytes.Buffer
	writeHeaders(&buf, m.Now, from, to, subject, id, "text/plain; charset=utf-8")
	writeHeader(&buf, "Content-Transfer-Encoding", "quoted-printable")
	buf.WriteString("\r\n")
	if err := writeQuotedPrintable(&buf, []byte(b.String())); err != nil {
		return nil, err
	}
	return &Message{ID: id, Kind: m.Kind, From: from.Address, To: to.Address, Subject: subject, Bytes: buf.Bytes()}, nil
}
