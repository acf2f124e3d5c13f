package calendar

import (
	"fmt"
	"strconv"
	"time"

	"github.com/emersion/go-ical"
)

// vtimezoneLookahead is how far past the requested span VTimezone looks to
// decide whether a yearly rule still holds (open-ended RRULE) or has stopped
// (RRULE with UNTIL).
const vtimezoneLookahead = 2 // years

// VTimezone builds the VTIMEZONE component for an IANA zone from Go's time
// zone database, so that a client that does not know the TZID (or knows an
// outdated version of it) still shows the right local time. RFC 5545 requires
// one for every TZID a calendar references.
//
// The observances cover [from, to]: the one in effect at from, and every
// offset change up to to, found by walking (time.Time).ZoneBounds because
// time.Location has no transition API. Transitions that recur on the same
// rule in consecutive years (month, weekday, n-th or last weekday of the
// month, wall-clock time) are collapsed into one STANDARD or DAYLIGHT block
// with a yearly RRULE; the last such rule is left open-ended when it still
// holds two years past to, so recurring events beyond the span still get the
// right offsets, and is closed with UNTIL when the zone stopped following it.
// Anything irregular is written explicitly, one block per transition. A zone
// without transitions (UTC, Etc/GMT-3) gets one STANDARD block; Asia/Tokyo
// gets one for the change it has been in since 1951.
func VTimezone(tz string, from, to time.Time) (*ical.Component, error) {
	if tz == "" {
		return nil, fmt.Errorf("calendar: VTimezone: empty time zone name")
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("calendar: VTimezone: loading time zone %q: %w", tz, err)
	}
	if to.Before(from) {
		return nil, fmt.Errorf("calendar: VTimezone(%q): span end %v is before its start %v", tz, to, from)
	}
	return buildVTimezone(tz, loc, from, to), nil
}

// transition is one change of a zone's offset, abbreviation or DST flag.
type transition struct {
	at      time.Time // the instant of the change; zero for "since the beginning of time"
	offFrom int       // seconds east of UTC before the change
	offTo   int       // seconds east of UTC after the change
	name    string    // abbreviation after the change (TZNAME)
	dst     bool      // DAYLIGHT rather than STANDARD after the change
}

// local is the wall-clock time of the change in the offset before it, which
// is what a VTIMEZONE observance's DTSTART holds. It is returned as a UTC
// time.Time whose fields are the wall-clock fields.
func (tr transition) local() time.Time {
	return tr.at.Add(time.Duration(tr.offFrom) * time.Second).UTC()
}

// signature groups transitions that one STANDARD/DAYLIGHT block can carry.
type signature struct {
	dst            bool
	offFrom, offTo int
	name           string
}

func (tr transition) signature() signature {
	return signature{tr.dst, tr.offFrom, tr.offTo, tr.name}
}

// buildVTimezone is VTimezone once the zone is loaded.
func buildVTimezone(tzid string, loc *time.Location, from, to time.Time) *ical.Component {
	limit := to.AddDate(vtimezoneLookahead, 0, 0)
	trs := zoneTransitions(loc, from, limit)

	comp := ical.NewComponent(ical.CompTimezone)
	comp.Props.SetText(ical.PropTimezoneID, tzid)
	for _, ob := range observances(trs, from, to, limit) {
		comp.Children = append(comp.Children, ob.component())
	}
	return comp
}

// zoneTransitions returns the transition that started the zone period in
// effect at from, followed by every transition up to limit.
func zoneTransitions(loc *time.Location, from, limit time.Time) []transition {
	cur := from.In(loc)
	start, _ := cur.ZoneBounds()
	var trs []transition
	if start.IsZero() {
		name, off := cur.Zone()
		trs = append(trs, transition{offFrom: off, offTo: off, name: name, dst: cur.IsDST()})
	} else {
		trs = append(trs, transitionAt(loc, start))
	}
	for {
		_, end := cur.ZoneBounds()
		if end.IsZero() || end.After(limit) || !end.After(cur) {
			return trs
		}
		trs = append(trs, transitionAt(loc, end))
		cur = end
	}
}

// transitionAt describes the change that happens at instant at.
//
// Go reports the tz database's "negative DST" as is: Europe/Dublin's winter
// GMT and Africa/Casablanca's Ramadan +00 carry the DST flag while the higher
// summer offset does not. Clients that map VTIMEZONE onto a standard offset
// plus a daylight bias (Outlook) misread that, so a change into a lower
// offset flagged DST out of a non-DST period is written as STANDARD, and the
// change back as DAYLIGHT, which is how every other producer describes those
// zones. Offsets, the part that decides local times, are unaffected.
func transitionAt(loc *time.Location, at time.Time) transition {
	before := at.Add(-time.Nanosecond).In(loc)
	_, offFrom := before.Zone()
	after := at.In(loc)
	name, offTo := after.Zone()
	dst := after.IsDST()
	switch {
	case dst && !before.IsDST() && offTo < offFrom:
		dst = false
	case !dst && before.IsDST() && offTo > offFrom:
		dst = true
	}
	return transition{at: at.UTC(), offFrom: offFrom, offTo: offTo, name: name, dst: dst}
}

// yearlyRule is "the nth (or last, nth == -1) weekday of month at tod
// seconds after local midnight", the shape of every regular DST rule.
type yearlyRule struct {
	month   time.Month
	weekday time.Weekday
	nth     int
	tod     int
}

// rulesOf returns the rules a transition's local onset fits: the n-th weekday
// of its month (n <= 4) and, in the last week, the last weekday.
func rulesOf(local time.Time) []yearlyRule {
	y, m, d := local.Date()
	h, mi, s := local.Clock()
	base := yearlyRule{month: m, weekday: local.Weekday(), tod: h*3600 + mi*60 + s}
	var rules []yearlyRule
	if d+7 > daysIn(y, m) {
		r := base
		r.nth = -1
		rules = append(rules, r)
	}
	if n := (d-1)/7 + 1; n <= 4 {
		r := base
		r.nth = n
		rules = append(rules, r)
	}
	return rules
}

// onset is the local wall-clock date-time the rule gives in year y.
func (r yearlyRule) onset(y int) time.Time {
	var day int
	if r.nth > 0 {
		first := time.Date(y, r.month, 1, 0, 0, 0, 0, time.UTC).Weekday()
		day = 1 + (int(r.weekday)-int(first)+7)%7 + (r.nth-1)*7
	} else {
		n := daysIn(y, r.month)
		last := time.Date(y, r.month, n, 0, 0, 0, 0, time.UTC).Weekday()
		day = n - (int(last)-int(r.weekday)+7)%7
	}
	return time.Date(y, r.month, day, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.tod) * time.Second)
}

// rrule renders the rule as an RRULE value.
func (r yearlyRule) rrule() string {
	days := [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}
	return "FREQ=YEARLY;BYMONTH=" + strconv.Itoa(int(r.month)) + ";BYDAY=" + strconv.Itoa(r.nth) + days[r.weekday]
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// intersectRules keeps the rules of a that are also in b.
func intersectRules(a, b []yearlyRule) []yearlyRule {
	var out []yearlyRule
	for _, x := range a {
		for _, y := range b {
			if x == y {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

// observance is one STANDARD or DAYLIGHT block: a first transition and,
// when regular, the yearly rule that repeats it.
type observance struct {
	first     transition
	rule      *yearlyRule
	until     time.Time // zero: open-ended (only meaningful with rule)
	sinceEver bool      // the zone has no transition before first
	from      time.Time // span start, for sinceEver's DTSTART
}

// observances groups the transitions into STANDARD/DAYLIGHT blocks. Only
// transitions up to to are needed; those in (to, limit] serve to decide
// whether a rule is still in force.
func observances(trs []transition, from, to, limit time.Time) []observance {
	var out []observance
	groups := map[signature][]transition{}
	var order []signature
	for i, tr := range trs {
		if i == 0 && tr.at.IsZero() {
			out = append(out, observance{first: tr, sinceEver: true, from: from})
			continue
		}
		sig := tr.signature()
		if _, seen := groups[sig]; !seen {
			order = append(order, sig)
		}
		groups[sig] = append(groups[sig], tr)
	}
	for _, sig := range order {
		g := groups[sig]
		for i := 0; i < len(g); {
			cands := rulesOf(g[i].local())
			j := i + 1
			for ; j < len(g); j++ {
				prev, next := g[j-1].local(), g[j].local()
				if next.Year() != prev.Year()+1 {
					break
				}
				common := intersectRules(cands, rulesOf(next))
				if len(common) == 0 {
					break
				}
				cands = common
			}
			first := g[i]
			run := g[i:j]
			i = j
			if len(run) < 2 {
				if !first.at.After(to) {
					out = append(out, observance{first: first})
				}
				continue
			}
			rule := cands[0] // rulesOf lists "last" first; EU-style rules read best that way
			ob := observance{first: first, rule: &rule}
			last := run[len(run)-1]
			nextAt := rule.onset(last.local().Year() + 1).Add(-time.Duration(last.offFrom) * time.Second)
			openEnded := j == len(g) && nextAt.After(limit)
			if !openEnded {
				ob.until = last.at
			}
			// A rule still in force is kept even when its first onset is after
			// to, so that the zone's current regime is always described whole
			// (a DAYLIGHT rule never appears without its STANDARD partner).
			if first.at.After(to) && !openEnded {
				continue
			}
			out = append(out, ob)
		}
	}
	sortObservances(out)
	return out
}

// sortObservances orders blocks by their first onset, for deterministic
// output that reads chronologically.
func sortObservances(obs []observance) {
	for i := 1; i < len(obs); i++ {
		for j := i; j > 0 && obs[j].first.at.Before(obs[j-1].first.at); j-- {
			obs[j], obs[j-1] = obs[j-1], obs[j]
		}
	}
}

// sinceEverStart is the DTSTART written for a zone period that has no known
// beginning: the Unix epoch, a common convention that every client accepts
// (or the span's start, for spans before 1970).
func sinceEverStart(from time.Time, off int) string {
	epoch := time.Unix(0, 0).UTC()
	if from.Before(epoch) {
		local := from.Add(time.Duration(off) * time.Second).UTC()
		y, m, d := local.Date()
		return string(appendLocalDateTime(nil, time.Date(y, m, d, 0, 0, 0, 0, time.UTC)))
	}
	return "19700101T000000"
}

// component renders the observance as a go-ical STANDARD/DAYLIGHT component.
func (ob observance) component() *ical.Component {
	name := ical.CompTimezoneStandard
	if ob.first.dst {
		name = ical.CompTimezoneDaylight
	}
	c := ical.NewComponent(name)
	start := ical.NewProp(ical.PropDateTimeStart)
	if ob.sinceEver {
		start.Value = sinceEverStart(ob.from, ob.first.offTo)
	} else {
		start.Value = string(appendLocalDateTime(nil, ob.first.local()))
	}
	c.Props.Set(start)
	from := ical.NewProp(ical.PropTimezoneOffsetFrom)
	from.Value = formatOffset(ob.first.offFrom)
	c.Props.Set(from)
	to := ical.NewProp(ical.PropTimezoneOffsetTo)
	to.Value = formatOffset(ob.first.offTo)
	c.Props.Set(to)
	if ob.first.name != "" {
		c.Props.SetText(ical.PropTimezoneName, ob.first.name)
	}
	if ob.rule != nil {
		rr := ical.NewProp(ical.PropRecurrenceRule)
		rr.Value = ob.rule.rrule()
		if !ob.until.IsZero() {
			rr.Value += ";UNTIL=" + string(appendUTCDateTime(nil, ob.until))
		}
		c.Props.Set(rr)
	}
	return c
}

// formatOffset writes a UTC-OFFSET value, +hhmm or +hhmmss (RFC 5545 3.3.14).
func formatOffset(sec int) string {
	sign := byte('+')
	if sec < 0 {
		sign = '-'
		sec = -sec
	}
	b := []byte{sign}
	b = append2(b, sec/3600)
	b = append2(b, sec/60%60)
	if s := sec % 60; s != 0 {
		b = append2(b, s)
	}
	return string(b)
}
