package notify

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxNamedAttendees caps the "Who" line: an exercise with two hundred
// participants would otherwise bury the time and place under names.
const maxNamedAttendees = 12

// content is what a notice says, independent of how it is written. The text
// and HTML bodies are both rendered from it, so they cannot drift apart.
type content struct {
	w           *words
	opening     string  // the first sentence: what this e-mail is about
	fields      []field // What, When, Where, ... in reading order
	description string  // the activity's description, multi-line
	link        string  // the link back to the activity, "" when unusable
	footer      string
	// replies are the one-click answers of an invitation.
	replies []replyLink
}

// replyLink is one answer button of an invitation.
type replyLink struct{ label, href string }

// field is one labelled row: "When: Tue 10 Mar 2026, 10:00–12:00".
type field struct {
	label string
	lines []string
	// href, when set, makes the (single) line a link in HTML. Only http and
	// https URLs become links, so a javascript: URL in the data cannot.
	href string
	// strong marks the title row, shown bold in HTML.
	strong bool
}

// buildContent decides what the notice says.
func buildContent(n *notice) content {
	ev := &n.Activity
	w := n.w
	title := singleLine(ev.Title)
	if title == "" {
		title = w.untitled
	}
	c := content{w: w}
	switch n.Kind {
	case KindReminder:
		c.opening = fmt.Sprintf(w.reminder, title, startsIn(n.start.Sub(n.Now), w))
	case KindUpdate:
		c.opening = fmt.Sprintf(w.updated, title)
		if n.instanceCancelled {
			c.opening = fmt.Sprintf(w.instanceCancelled, title)
		}
	case KindCancellation:
		c.opening = fmt.Sprintf(w.cancelled, title)
	case KindInvitation:
		c.opening = fmt.Sprintf(w.invited, title)
	}

	c.fields = append(c.fields, field{label: w.what, lines: []string{title}, strong: true})
	when := field{label: w.when, lines: n.whenLines(n.start, n.end)}
	if ev.RRule != "" || len(ev.RDates) > 0 {
		if n.Kind == KindCancellation {
			when.lines = append(when.lines, w.everyCancelled)
		} else {
			when.lines = append(when.lines, w.oneOccurrence)
		}
	}
	c.fields = append(c.fields, when)
	prev := n.Previous
	if n.Kind == KindUpdate && prev != nil && !prev.Start.IsZero() &&
		(!prev.Start.Equal(n.start) || !prev.End.IsZero() && !prev.End.Equal(n.end)) {
		c.fields = append(c.fields, field{label: w.was, lines: n.whenLines(prev.Start, prev.End)})
	}

	status := statusWord(ev.Status)
	if n.Kind == KindCancellation || n.instanceCancelled {
		status = "cancelled"
	}
	was := ""
	if prev != nil {
		was = statusWord(prev.Status)
	}
	if changed := was != "" && was != status; status != "" && status != "confirmed" || changed {
		line := capitalize(w.statusWord(status))
		if line == "" {
			line = w.notSet
		}
		if changed {
			line += " " + fmt.Sprintf(w.wasValue, w.statusWord(was))
		}
		c.fields = append(c.fields, field{label: w.status, lines: []string{line}})
	}

	if loc := singleLine(ev.Location); loc != "" || prev != nil && prev.Location != "" {
		where := field{label: w.where, lines: []string{loc}}
		if loc == "" {
			where.lines[0] = w.noVenue
		}
		if prev != nil && prev.Location != "" && singleLine(prev.Location) != loc {
			where.lines = append(where.lines, fmt.Sprintf(w.wasValue, singleLine(prev.Location)))
		}
		c.fields = append(c.fields, where)
	}
	if conf := singleLine(ev.ConferenceURL); conf != "" {
		online := field{label: w.online, lines: []string{conf}, href: webURL(conf)}
		if prev != nil && prev.ConferenceURL != "" && singleLine(prev.ConferenceURL) != conf {
			online.lines = append(online.lines, fmt.Sprintf(w.wasValue, singleLine(prev.ConferenceURL)))
		}
		c.fields = append(c.fields, online)
	}
	if lead := singleLine(n.Lead); lead != "" {
		c.fields = append(c.fields, field{label: w.lead, lines: []string{lead}})
	}
	if who := attendeeList(n); who != "" {
		c.fields = append(c.fields, field{label: w.who, lines: []string{who}})
	}

	c.description = multiLine(ev.Description)
	if u := webURL(n.link); u != "" {
		c.link = u
		// The calendar package appends Activity.URL to a description that
		// lacks it (for clients that hide URL); here the link has its own
		// line, so drop that duplicate.
		c.description = strings.TrimSpace(strings.TrimSuffix(c.description, u))
	}
	c.footer = w.footer
	if n.Kind == KindInvitation {
		c.footer = w.inviteFooter
		for _, l := range n.ReplyLinks {
			if u := webURL(l.URL); u != "" {
				c.replies = append(c.replies, replyLink{label: w.replyLabel(l.PartStat), href: u})
			}
		}
	}
	return c
}

// whenLines shows a span in the recipient's zone and, when that reads
// differently, in the activity's own zone as well: the recipient acts on
// their local time, but talks with the organisers in the activity's.
func (n *notice) whenLines(start, end time.Time) []string {
	s := span{start: start, end: end, allDay: n.Activity.AllDay}
	actName := zoneLabel(n.Activity.TimeZone)
	w := n.w
	format := func(loc *time.Location) string {
		return w.date(strings.Replace(s.format(loc), "(all day)", w.allDay, 1))
	}
	if s.allDay {
		// All-day dates are the activity's calendar dates; converting them
		// would move a one-day exercise to two half days.
		return []string{format(n.activityLoc)}
	}
	there := format(n.activityLoc)
	here := format(n.recipientLoc)
	if here == there {
		return []string{there + " (" + fmt.Sprintf(w.zoneTime, actName) + ")"}
	}
	return []string{
		here + " (" + fmt.Sprintf(w.yourTime, zoneLabel(n.recipientZoneName)) + ")",
		there + " (" + fmt.Sprintf(w.plannedTime, actName) + ")",
	}
}

// attendeeList names the people taking part, with their role when it is not
// plain participation: "Anna Berg (lead), Tom Hale (briefer), and 3 more".
func attendeeList(n *notice) string {
	var names []string
	rest := 0
	for _, a := range n.Activity.Attendees {
		name := singleLine(a.Name)
		if name == "" {
			name = singleLine(a.Email)
		}
		if name == "" {
			continue
		}
		if len(names) == maxNamedAttendees {
			rest++
			continue
		}
		if role := strings.ToLower(a.Role); role != "" && role != "participant" {
			name += " (" + role + ")"
		}
		names = append(names, name)
	}
	out := strings.Join(names, ", ")
	if rest > 0 {
		out += fmt.Sprintf(n.w.andMore, rest)
	}
	return out
}

// statusWord normalises an activity status for text ("TENTATIVE" →
// "tentative").
func statusWord(s string) string {
	return strings.ToLower(singleLine(s))
}

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// webURL returns s if it is an absolute http or https URL, else "". Only such
// URLs are written as links: the data comes from users, and a javascript: or
// data: URL in an href would be an attack on the reader.
func webURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return s
}

// singleLine makes s safe for a one-line field or a header: valid UTF-8,
// control characters and line breaks turned into spaces, runs of spaces
// collapsed, trimmed.
func singleLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// multiLine makes s safe for a block of text: valid UTF-8, CR LF and lone CR
// as LF, other control characters except tab dropped, trailing blanks
// trimmed from every line and from the end.
func multiLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, line := range strings.Split(s, "\n") {
		line = strings.Map(func(r rune) rune {
			if r != '\t' && unicode.IsControl(r) {
				return -1
			}
			return r
		}, line)
		b.WriteString(strings.TrimRightFunc(line, unicode.IsSpace))
		b.WriteByte('\n')
	}
	return strings.TrimSpace(b.String())
}
