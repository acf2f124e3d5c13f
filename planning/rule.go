package planning

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// maxInterval bounds INTERVAL: larger values serve no planning need and would
// let a crafted rule overflow the library's date arithmetic.
const maxInterval = 1000

// maxTimesPerDay bounds how many start times BYHOUR x BYMINUTE x BYSECOND may
// produce per day (per hour for FREQ=HOURLY). The library materialises a whole
// period (up to a year) of starts at once, so this keeps its memory bounded.
const maxTimesPerDay = 24

// rule is an RRULE that passed the house restrictions (see parseRule) and is
// ready to be expanded in wall-clock time by ruleStarts.
type rule struct {
	text  string        // as the user gave it, for error messages
	opt   rrule.ROption // without Dtstart and Until: expansion sets both
	count int           // COUNT, 0 when absent
	until time.Time     // last permitted start instant (UTC); zero when absent
}

// parseRule parses an RRULE value and rejects what jointcal will not expand:
// rules that are malformed by RFC 5545, MINUTELY and SECONDLY rules, HOURLY
// or several-times-a-day rules without COUNT or UNTIL, COUNT above
// maxInstances, and parts (BYEASTER, DTSTART) that are not RRULE parts.
// wallStart is the first occurrence's wall-clock reading in loc.
func parseRule(text string, loc *time.Location, wallStart time.Time, allDay bool, maxInstances int) (*rule, error) {
	fail := func(format string, args ...any) error {
		return &FieldError{Field: "rrule", Message: fmt.Sprintf("%s: ", quote(text)) + fmt.Sprintf(format, args...)}
	}
	s := strings.ToUpper(strings.TrimSpace(text))
	s = strings.TrimPrefix(s, "RRULE:")
	if strings.ContainsAny(s, "\r\n") {
		return nil, fail("must be one RRULE value, without line breaks")
	}
	seen := make(map[string]string)
	var parts []string
	for _, part := range strings.Split(s, ";") {
		if part == "" {
			continue
		}
		key, value, ok := strings.Cut(part, "=")
		if !ok || value == "" || strings.Contains(value, "=") {
			return nil, fail("part %s is not NAME=VALUE", quote(part))
		}
		switch key {
		case "FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYSETPOS", "BYMONTH", "BYMONTHDAY",
			"BYYEARDAY", "BYWEEKNO", "BYDAY", "BYHOUR", "BYMINUTE", "BYSECOND":
		case "DTSTART":
			return nil, fail("DTSTART is not an RRULE part; the activity start is the first occurrence")
		case "BYEASTER":
			return nil, fail("BYEASTER is not part of RFC 5545")
		default:
			return nil, fail("unknown rule part %s", key)
		}
		if _, dup := seen[key]; dup {
			return nil, fail("%s is given twice", key)
		}
		seen[key] = value
		parts = append(parts, part)
	}
	if _, ok := seen["FREQ"]; !ok {
		return nil, fail("FREQ is required")
	}
	parsed, err := rrule.StrToROptionInLocation(strings.Join(parts, ";"), loc)
	if err != nil {
		return nil, fail("%v", err)
	}
	opt := *parsed
	// Repeated values would make the library emit the same start twice.
	for _, list := range []*[]int{&opt.Byhour, &opt.Byminute, &opt.Bysecond, &opt.Bymonth, &opt.Bymonthday,
		&opt.Byyearday, &opt.Byweekno, &opt.Bysetpos} {
		slices.Sort(*list)
		*list = slices.Compact(*list)
	}
	r := &rule{text: text, count: opt.Count}

	switch opt.Freq {
	case rrule.MINUTELY, rrule.SECONDLY:
		return nil, fail("FREQ=%s is not supported; the finest frequency is HOURLY", opt.Freq)
	case rrule.HOURLY:
		if allDay {
			return nil, fail("FREQ=HOURLY cannot repeat an all-day activity")
		}
	}
	if v, ok := seen["INTERVAL"]; ok && (opt.Interval < 1 || opt.Interval > maxInterval) {
		return nil, fail("INTERVAL=%s must be between 1 and %d", v, maxInterval)
	}
	if opt.Interval < 1 {
		opt.Interval = 1
	}
	_, hasCount := seen["COUNT"]
	_, hasUntil := seen["UNTIL"]
	if hasCount && hasUntil {
		return nil, fail("COUNT and UNTIL must not both be given")
	}
	if hasCount && (opt.Count < 1 || opt.Count > maxInstances) {
		return nil, fail("COUNT=%s must be between 1 and %d", seen["COUNT"], maxInstances)
	}
	bounded := hasCount || hasUntil
	if opt.Freq == rrule.HOURLY && !bounded {
		return nil, fail("FREQ=HOURLY repeats more than daily and needs COUNT or UNTIL")
	}

	// Parts that only make sense with some frequencies (RFC 5545 §3.3.10).
	if len(opt.Byweekno) > 0 && opt.Freq != rrule.YEARLY {
		return nil, fail("BYWEEKNO is only allowed with FREQ=YEARLY")
	}
	if len(opt.Byyearday) > 0 && (opt.Freq == rrule.MONTHLY || opt.Freq == rrule.WEEKLY || opt.Freq == rrule.DAILY) {
		return nil, fail("BYYEARDAY is not allowed with FREQ=%s", opt.Freq)
	}
	if len(opt.Bymonthday) > 0 && opt.Freq == rrule.WEEKLY {
		return nil, fail("BYMONTHDAY is not allowed with FREQ=WEEKLY")
	}
	if len(opt.Bysetpos) > 0 && !selectsDays(seen) {
		return nil, fail("BYSETPOS needs another BYxxx part to select from")
	}
	if v, ok := seen["WKST"]; ok && len(v) != 2 {
		return nil, fail("WKST=%s must be a plain weekday such as MO", v)
	}
	if v, ok := seen["BYDAY"]; ok {
		if err := checkOrdinals(v, opt); err != nil {
			return nil, fail("%v", err)
		}
	}

	// Times of day.
	if allDay && (len(opt.Byhour) > 0 || len(opt.Byminute) > 0 || len(opt.Bysecond) > 0) {
		return nil, fail("BYHOUR, BYMINUTE and BYSECOND cannot apply to an all-day activity")
	}
	perDay := max(1, len(opt.Byminute)) * max(1, len(opt.Bysecond))
	if opt.Freq != rrule.HOURLY {
		perDay *= max(1, len(opt.Byhour))
	}
	if perDay > maxTimesPerDay {
		return nil, fail("BYHOUR, BYMINUTE and BYSECOND give %d start times per period; at most %d are allowed",
			perDay, maxTimesPerDay)
	}
	if perDay > 1 && !bounded {
		return nil, fail("a rule repeating more than once a day needs COUNT or UNTIL")
	}
	if opt.Freq == rrule.HOURLY && len(opt.Byhour) > 0 && !hourReachable(opt.Byhour, wallStart.Hour(), opt.Interval) {
		return nil, fail("with INTERVAL=%d from %02d:00 no hour in BYHOUR is ever reached", opt.Interval, wallStart.Hour())
	}

	// The library checks the numeric ranges of every BYxxx part.
	probe := opt
	probe.Dtstart = wallStart
	if _, err := rrule.NewRRule(probe); err != nil {
		return nil, fail("%v", err)
	}

	if hasUntil {
		r.until = untilInstant(seen["UNTIL"], opt.Until, loc, allDay)
	}
	opt.Count, opt.Until = 0, time.Time{}
	r.opt = opt
	return r, nil
}

// selectsDays reports whether the rule has a BYxxx part other than BYSETPOS,
// which RFC 5545 requires for BYSETPOS to have a set to pick from.
func selectsDays(seen map[string]string) bool {
	for k := range seen {
		if k != "BYSETPOS" && strings.HasPrefix(k, "BY") {
			return true
		}
	}
	return false
}

// checkOrdinals enforces the RFC 5545 rules on numbered weekdays such as 2TH
// or -1FR: only with MONTHLY or YEARLY, never with YEARLY+BYWEEKNO, never 0,
// and within the weeks a month (5) or year (53) has. Out-of-range ordinals
// would make a rule that never occurs.
func checkOrdinals(value string, opt rrule.ROption) error {
	for _, tok := range strings.Split(value, ",") {
		if len(tok) <= 2 {
			continue
		}
		n, err := strconv.Atoi(tok[:len(tok)-2])
		if err != nil {
			return fmt.Errorf("BYDAY value %s is not a weekday", quote(tok))
		}
		switch {
		case n == 0:
			return fmt.Errorf("BYDAY value %s: the week number must not be 0", tok)
		case opt.Freq != rrule.MONTHLY && opt.Freq != rrule.YEARLY:
			return fmt.Errorf("BYDAY value %s: numbered weekdays need FREQ=MONTHLY or YEARLY", tok)
		case opt.Freq == rrule.YEARLY && len(opt.Byweekno) > 0:
			return fmt.Errorf("BYDAY value %s: numbered weekdays cannot be combined with BYWEEKNO", tok)
		case (opt.Freq == rrule.MONTHLY || len(opt.Bymonth) > 0) && (n > 5 || n < -5):
			return fmt.Errorf("BYDAY value %s: a month has at most 5 of each weekday", tok)
		case n > 53 || n < -53:
			return fmt.Errorf("BYDAY value %s: a year has at most 53 of each weekday", tok)
		}
	}
	return nil
}

// hourReachable reports whether stepping INTERVAL hours from startHour ever
// lands on one of hours. The library loops forever when it does not.
func hourReachable(hours []int, startHour, interval int) bool {
	g := gcd(interval, 24)
	for _, h := range hours {
		if ((h-startHour)%g+g)%g == 0 {
			return true
		}
	}
	return false
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// untilInstant turns the parsed UNTIL into the last permitted start instant.
// A date-only UNTIL on a timed activity includes that whole local day, which
// is what people mean by "until 30 June".
func untilInstant(raw string, parsed time.Time, loc *time.Location, allDay bool) time.Time {
	if len(raw) == len(rrule.DateFormat) && !allDay {
		return instantAt(wallClock(parsed, loc).AddDate(0, 0, 1), loc).Add(-time.Second)
	}
	return parsed.UTC()
}
