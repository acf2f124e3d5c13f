package calendar

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/jointcal/jointcal/isoduration"
)

// The round trip parses rendered output with go-ical's decoder (a parser this
// package did not write) and compares every field with the input events.

// wantText is what a caller-supplied string must read as after a round trip:
// invalid UTF-8 bytes become U+FFFD one by one, CR LF and lone CR become LF,
// other control characters except HTAB and LF disappear.
func wantText(s string) string {
	var b strings.Builder
	for _, r := range s { // ranging yields U+FFFD per invalid byte
		b.WriteRune(r)
	}
	s = strings.ReplaceAll(b.String(), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// decodeRFC6868 undoes the caret encoding of a parameter value.
func decodeRFC6868(s string) string {
	return strings.NewReplacer("^^", "^", "^n", "\n", "^N", "\n", "^'", `"`).Replace(s)
}

// expectedRole is the documented role mapping, restated independently.
func expectedRole(a Attendee) string {
	switch strings.ToLower(a.Role) {
	case "lead":
		return "CHAIR"
	case "audience":
		return "NON-PARTICIPANT"
	}
	if a.Required {
		return "REQ-PARTICIPANT"
	}
	return "OPT-PARTICIPANT"
}

func expectedPartStat(rsvp string) string {
	if rsvp == "" {
		return "NEEDS-ACTION"
	}
	return strings.ToUpper(strings.ReplaceAll(rsvp, "_", "-"))
}

func roundTrip(t *testing.T, data []byte, cal Calendar, events []Event) {
	t.Helper()
	decoded, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot decode the output: %v", err)
	}
	props := decoded.Props
	textOf := func(p ical.Props, name string) string {
		t.Helper()
		s, err := p.Text(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		return s
	}
	if v := props.Get(ical.PropVersion); v == nil || v.Value != "2.0" {
		t.Errorf("VERSION = %v, want 2.0", v)
	}
	wantProdID := cal.ProdID
	if wantProdID == "" {
		wantProdID = DefaultProdID
	}
	if got := textOf(props, ical.PropProductID); got != wantText(wantProdID) {
		t.Errorf("PRODID = %q, want %q", got, wantProdID)
	}
	if got := props.Get(ical.PropCalendarScale); got == nil || got.Value != "GREGORIAN" {
		t.Errorf("CALSCALE = %v", got)
	}
	wantMethod := strings.ToUpper(cal.Method)
	if wantMethod == "" {
		wantMethod = "PUBLISH"
	}
	if got := props.Get(ical.PropMethod); got == nil || got.Value != wantMethod {
		t.Errorf("METHOD = %v, want %s", got, wantMethod)
	}
	if cal.Name != "" {
		for _, name := range []string{ical.PropName, "X-WR-CALNAME"} {
			if got := textOf(props, name); got != wantText(cal.Name) {
				t.Errorf("%s = %q, want %q", name, got, cal.Name)
			}
		}
	}
	wantRefresh := cal.RefreshInterval
	if wantRefresh == 0 {
		wantRefresh = time.Hour
	}
	if p := props.Get(ical.PropRefreshInterval); p == nil || p.Params.Get(ical.ParamValue) != "DURATION" {
		t.Errorf("REFRESH-INTERVAL = %v, want VALUE=DURATION", p)
	} else if d, err := p.Duration(); err != nil || d != wantRefresh {
		t.Errorf("REFRESH-INTERVAL = %v (%v), want %v", d, err, wantRefresh)
	}
	if p := props.Get("X-PUBLISHED-TTL"); p == nil {
		t.Error("no X-PUBLISHED-TTL")
	} else if d, err := isoduration.Parse(p.Value); err != nil || d != wantRefresh {
		t.Errorf("X-PUBLISHED-TTL = %v (%v), want %v", d, err, wantRefresh)
	}

	// VTIMEZONE: exactly the zones of timed events.
	wantZones := map[string]bool{}
	for _, ev := range events {
		if ev.TimeZone != "" && ev.TimeZone != "UTC" && !ev.AllDay {
			wantZones[ev.TimeZone] = true
		}
	}
	gotZones := map[string]bool{}
	byUID := map[string][]*ical.Component{}
	for _, c := range decoded.Children {
		switch c.Name {
		case ical.CompTimezone:
			gotZones[c.Props.Get(ical.PropTimezoneID).Value] = true
		case ical.CompEvent:
			uid := textOf(c.Props, ical.PropUID)
			byUID[uid] = append(byUID[uid], c)
		default:
			t.Errorf("unexpected component %s", c.Name)
		}
	}
	if len(gotZones) != len(wantZones) {
		t.Errorf("VTIMEZONEs %v, want %v", gotZones, wantZones)
	}
	for z := range wantZones {
		if !gotZones[z] {
			t.Errorf("no VTIMEZONE for %s", z)
		}
	}
	if len(byUID) != len(events) {
		t.Errorf("%d distinct UIDs decoded, want %d", len(byUID), len(events))
	}
	for i := range events {
		checkEventRoundTrip(t, &events[i], byUID[wantText(events[i].UID)], cal.Stamp)
	}
}

func checkEventRoundTrip(t *testing.T, ev *Event, comps []*ical.Component, stamp time.Time) {
	t.Helper()
	if len(comps) != 1+len(ev.Overrides) {
		t.Errorf("%s: %d VEVENTs, want %d", ev.UID, len(comps), 1+len(ev.Overrides))
		return
	}
	dateLoc := time.UTC
	if ev.TimeZone != "" {
		dateLoc, _ = time.LoadLocation(ev.TimeZone)
	}
	// when is what a written instant must decode to.
	when := func(tm time.Time) time.Time {
		if ev.AllDay {
			y, m, d := tm.In(dateLoc).Date()
			return time.Date(y, m, d, 0, 0, 0, 0, dateLoc)
		}
		return tm.Truncate(time.Second)
	}
	timeOf := func(c *ical.Component, name string) time.Time {
		t.Helper()
		p := c.Props.Get(name)
		if p == nil {
			t.Errorf("%s: no %s", ev.UID, name)
			return time.Time{}
		}
		checkTimeForm(t, ev, p)
		got, err := p.DateTime(dateLoc)
		if err != nil {
			t.Errorf("%s: %s %q: %v", ev.UID, name, p.Value, err)
		}
		return got
	}
	timesOf := func(c *ical.Component, name string) []time.Time {
		var out []time.Time
		for _, p := range c.Props.Values(name) {
			checkTimeForm(t, ev, &p)
			got, err := p.DateTime(dateLoc)
			if err != nil {
				t.Errorf("%s: %s %q: %v", ev.UID, name, p.Value, err)
			}
			out = append(out, got)
		}
		return out
	}
	wantTimes := func(ts []time.Time) []time.Time {
		var out []time.Time
		for _, tm := range ts {
			out = append(out, when(tm))
		}
		slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
		return slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
	}
	equalTimes := func(a, b []time.Time) bool {
		return slices.EqualFunc(a, b, func(x, y time.Time) bool { return x.Equal(y) })
	}

	var master *ical.Component
	overrides := map[int64]*ical.Component{}
	for _, c := range comps {
		if c.Props.Get(ical.PropRecurrenceID) == nil {
			if master != nil {
				t.Errorf("%s: two masters", ev.UID)
			}
			master = c
		} else {
			overrides[timeOf(c, ical.PropRecurrenceID).Unix()] = c
		}
	}
	if master == nil {
		t.Errorf("%s: no master VEVENT", ev.UID)
		return
	}
	wantStatus := map[string]string{"": "", "tentative": "TENTATIVE", "confirmed": "CONFIRMED", "cancelled": "CANCELLED"}[strings.ToLower(ev.Status)]
	wantDesc := wantText(ev.Description)
	if ev.URL != "" && !strings.Contains(ev.Description, ev.URL) {
		if wantDesc == "" {
			wantDesc = ev.URL
		} else {
			wantDesc = strings.TrimRight(wantDesc, "\n") + "\n\n" + ev.URL
		}
	}
	checkCommon := func(c *ical.Component, what, title, status string, start, end time.Time) {
		t.Helper()
		got := func(name string) string {
			s, err := c.Props.Text(name)
			if err != nil {
				t.Errorf("%s %s: %s: %v", ev.UID, what, name, err)
			}
			return s
		}
		if ts, _ := c.Props.DateTime(ical.PropDateTimeStamp, nil); !ts.Equal(stamp.Truncate(time.Second)) {
			t.Errorf("%s %s: DTSTAMP %v, want %v", ev.UID, what, ts, stamp)
		}
		if s := timeOf(c, ical.PropDateTimeStart); !s.Equal(when(start)) {
			t.Errorf("%s %s: DTSTART %v, want %v", ev.UID, what, s, when(start))
		}
		if end.IsZero() {
			if c.Props.Get(ical.PropDateTimeEnd) != nil {
				t.Errorf("%s %s: DTEND without End", ev.UID, what)
			}
		} else if e := timeOf(c, ical.PropDateTimeEnd); !e.Equal(when(end)) {
			t.Errorf("%s %s: DTEND %v, want %v", ev.UID, what, e, when(end))
		}
		checks := []struct{ name, got, want string }{
			{"SUMMARY", got(ical.PropSummary), wantText(title)},
			{"DESCRIPTION", got(ical.PropDescription), wantDesc},
			{"LOCATION", got(ical.PropLocation), wantText(ev.Location)},
			{"STATUS", got(ical.PropStatus), status},
			{"CLASS", got(ical.PropClass), map[string]string{"": "PUBLIC"}[ev.Class] + strings.ToUpper(ev.Class)},
		}
		for _, ck := range checks {
			if ck.got != ck.want {
				t.Errorf("%s %s: %s = %q, want %q", ev.UID, what, ck.name, ck.got, ck.want)
			}
		}
		if seq, err := c.Props.Get(ical.PropSequence).Int(); err != nil || seq != ev.Sequence {
			t.Errorf("%s %s: SEQUENCE %d (%v), want %d", ev.UID, what, seq, err, ev.Sequence)
		}
		for _, f := range []struct {
			name string
			want time.Time
		}{{ical.PropCreated, ev.Created}, {ical.PropLastModified, ev.LastModified}} {
			p := c.Props.Get(f.name)
			if f.want.IsZero() != (p == nil) {
				t.Errorf("%s %s: %s present=%v, want present=%v", ev.UID, what, f.name, p != nil, !f.want.IsZero())
			} else if p != nil {
				if tm, err := p.DateTime(nil); err != nil || !tm.Equal(f.want.Truncate(time.Second)) || !strings.HasSuffix(p.Value, "Z") {
					t.Errorf("%s %s: %s = %q (%v), want %v in UTC", ev.UID, what, f.name, p.Value, err, f.want)
				}
			}
		}
		var wantCats []string
		for _, cat := range ev.Categories {
			if cat != "" {
				wantCats = append(wantCats, wantText(cat))
			}
		}
		var gotCats []string
		if p := c.Props.Get(ical.PropCategories); p != nil {
			gotCats, _ = p.TextList()
		}
		if !slices.Equal(gotCats, wantCats) {
			t.Errorf("%s %s: CATEGORIES %q, want %q", ev.UID, what, gotCats, wantCats)
		}
		checkPeople(t, ev, c, what)
		if got := c.Props.Get(ical.PropURL); (got == nil) != (ev.URL == "") || got != nil && got.Value != ev.URL {
			t.Errorf("%s %s: URL %v, want %q", ev.UID, what, got, ev.URL)
		}
		if got := c.Props.Get(ical.PropConference); (got == nil) != (ev.ConferenceURL == "") ||
			got != nil && (got.Value != ev.ConferenceURL || got.Params.Get(ical.ParamValue) != "URI" || got.Params.Get(ical.ParamFeature) != "VIDEO") {
			t.Errorf("%s %s: CONFERENCE %v, want %q with VALUE=URI;FEATURE=VIDEO", ev.UID, what, got, ev.ConferenceURL)
		}
		var wantTriggers []time.Duration
		if status != "CANCELLED" {
			for _, r := range ev.Reminders {
				wantTriggers = append(wantTriggers, -r.Truncate(time.Second))
			}
		}
		var gotTriggers []time.Duration
		for _, a := range c.Children {
			if a.Name != ical.CompAlarm {
				t.Errorf("%s %s: child %s", ev.UID, what, a.Name)
				continue
			}
			if act := a.Props.Get(ical.PropAction); act == nil || act.Value != "DISPLAY" {
				t.Errorf("%s %s: VALARM ACTION %v", ev.UID, what, act)
			}
			if d, _ := a.Props.Text(ical.PropDescription); d != wantText(title) {
				t.Errorf("%s %s: VALARM DESCRIPTION %q, want %q", ev.UID, what, d, title)
			}
			d, err := a.Props.Get(ical.PropTrigger).Duration()
			if err != nil {
				t.Errorf("%s %s: TRIGGER: %v", ev.UID, what, err)
			}
			if own, err := isoduration.Parse(a.Props.Get(ical.PropTrigger).Value); err != nil || own != d {
				t.Errorf("%s %s: isoduration.Parse(TRIGGER %q) = %v, %v; go-ical says %v", ev.UID, what, a.Props.Get(ical.PropTrigger).Value, own, err, d)
			}
			gotTriggers = append(gotTriggers, d)
		}
		if !slices.Equal(gotTriggers, wantTriggers) {
			t.Errorf("%s %s: alarm triggers %v, want %v", ev.UID, what, gotTriggers, wantTriggers)
		}
	}

	checkCommon(master, "master", ev.Title, wantStatus, ev.Start, ev.End)
	wantRule := strings.TrimSpace(ev.RRule)
	if len(wantRule) >= 6 && strings.EqualFold(wantRule[:6], "RRULE:") {
		wantRule = wantRule[6:]
	}
	if p := master.Props.Get(ical.PropRecurrenceRule); (p == nil) != (wantRule == "") || p != nil && p.Value != wantRule {
		t.Errorf("%s: RRULE %v, want %q", ev.UID, p, wantRule)
	}
	if got, want := timesOf(master, ical.PropExceptionDates), wantTimes(ev.ExDates); !equalTimes(got, want) {
		t.Errorf("%s: EXDATE %v, want %v", ev.UID, got, want)
	}
	if got, want := timesOf(master, ical.PropRecurrenceDates), wantTimes(ev.RDates); !equalTimes(got, want) {
		t.Errorf("%s: RDATE %v, want %v", ev.UID, got, want)
	}
	for _, c := range comps {
		if c != master && (c.Props.Get(ical.PropRecurrenceRule) != nil || c.Props.Get(ical.PropExceptionDates) != nil) {
			t.Errorf("%s: an override carries RRULE or EXDATE", ev.UID)
		}
	}
	for _, o := range ev.Overrides {
		c := overrides[when(o.RecurrenceID).Unix()]
		if c == nil {
			t.Errorf("%s: no VEVENT with RECURRENCE-ID %v", ev.UID, o.RecurrenceID)
			continue
		}
		start, end := o.Start, o.End
		if start.IsZero() {
			start = o.RecurrenceID
		}
		if end.IsZero() && !ev.End.IsZero() {
			end = start.Add(ev.End.Sub(ev.Start))
		}
		title, status := ev.Title, wantStatus
		if o.Title != "" {
			title = o.Title
		}
		if o.Cancelled {
			status = "CANCELLED"
		}
		checkCommon(c, "override "+o.RecurrenceID.String(), title, status, start, end)
	}
}

// checkTimeForm checks that a date property uses the event's form: DATE for
// all-day, TZID for a zoned timed event, UTC otherwise.
func checkTimeForm(t *testing.T, ev *Event, p *ical.Prop) {
	t.Helper()
	tzid, value := p.Params.Get(ical.ParamTimezoneID), p.Params.Get(ical.ParamValue)
	switch {
	case ev.AllDay:
		if value != "DATE" || tzid != "" || len(p.Value) != 8 {
			t.Errorf("%s: %s %v, want VALUE=DATE", ev.UID, p.Name, p)
		}
	case ev.TimeZone != "" && ev.TimeZone != "UTC":
		if tzid != ev.TimeZone || strings.HasSuffix(p.Value, "Z") {
			t.Errorf("%s: %s %v, want TZID=%s local time", ev.UID, p.Name, p, ev.TimeZone)
		}
	default:
		if tzid != "" || !strings.HasSuffix(p.Value, "Z") {
			t.Errorf("%s: %s %v, want UTC with Z", ev.UID, p.Name, p)
		}
	}
}

// checkPeople compares ORGANIZER and ATTENDEE with the input, skipping
// people without an e-mail address as documented.
func checkPeople(t *testing.T, ev *Event, c *ical.Component, what string) {
	t.Helper()
	org := c.Props.Get(ical.PropOrganizer)
	wantOrg := ev.Organizer != nil && ev.Organizer.Email != ""
	if (org != nil) != wantOrg {
		t.Errorf("%s %s: ORGANIZER %v, want present=%v", ev.UID, what, org, wantOrg)
	} else if org != nil {
		if org.Value != "mailto:"+ev.Organizer.Email || decodeRFC6868(org.Params.Get(ical.ParamCommonName)) != wantText(ev.Organizer.Name) {
			t.Errorf("%s %s: ORGANIZER %v, want %+v", ev.UID, what, org, *ev.Organizer)
		}
	}
	var want []Attendee
	for _, a := range ev.Attendees {
		if a.Email != "" {
			want = append(want, a)
		}
	}
	got := c.Props.Values(ical.PropAttendee)
	if len(got) != len(want) {
		t.Errorf("%s %s: %d ATTENDEEs, want %d", ev.UID, what, len(got), len(want))
		return
	}
	for i, a := range want {
		p := got[i]
		ps := expectedPartStat(a.RSVP)
		wantRSVP := ""
		if ps == "NEEDS-ACTION" {
			wantRSVP = "TRUE"
		}
		if p.Value != "mailto:"+a.Email ||
			decodeRFC6868(p.Params.Get(ical.ParamCommonName)) != wantText(a.Name) ||
			p.Params.Get(ical.ParamRole) != expectedRole(a) ||
			p.Params.Get(ical.ParamParticipationStatus) != ps ||
			p.Params.Get(ical.ParamRSVP) != wantRSVP {
			t.Errorf("%s %s: ATTENDEE %d = %+v, want %+v (ROLE %s, PARTSTAT %s, RSVP %q)", ev.UID, what, i, p, a, expectedRole(a), ps, wantRSVP)
		}
	}
}
