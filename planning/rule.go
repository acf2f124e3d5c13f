package planning

import (
	"errors"
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
//
// It runs the steps below in order, each reporting the first problem it
// finds; every message is prefixed with the rule as the user wrote it.
func parseRule(text string, loc *time.Location, wallStart time.Time, allDay bool, maxInstances int) (*rule, error) {
	fail := func(err error) error {
		return &FieldError{Field: "rrule", Message: fmt.Sprintf("%s: %v", quote(text), err)}
	}
	seen, parts, err := splitRule(text)
	if err != nil {
		return nil, fail(err)
	}
	opt, err := decodeRule(parts, loc)
	if err != nil {
		return nil, fail(err)
	}
	if err := checkRepetition(opt, seen, allDay, maxInstances); err != nil {
		return nil, fail(err)
	}
	opt.Interval = max(opt.Interval, 1) // absent INTERVAL means 1
	if err := checkPartsForFrequency(opt, seen); err != nil {
		return nil, fail(err)
	}
	if err := checkTimesOfDay(opt, wallStart, allDay, isBounded(seen)); err != nil {
		return nil, fail(err)
	}
	if err := checkRanges(opt, wallStart); err != nil {
		return nil, fail(err)
	}
	r := &rule{text: text, count: opt.Count}
	if raw, ok := seen["UNTIL"]; ok {
		r.until = untilInstant(raw, opt.Until, loc, allDay)
	}
	opt.Count, opt.Until = 0, time.Time{}
	r.opt = opt
	return r, nil
}

// splitRule upper-cases the value, drops an "RRULE:" prefix and splits it
// into its NAME=VALUE parts, refusing what the library would silently
// accept or misread: line breaks, unknown or repeated names, a missing
// FREQ. It returns the parts by name and in their given order.
func splitRule(text string) (map[string]string, []string, error) {
	s := strings.ToUpper(strings.TrimSpace(text))
	s = strings.TrimPrefix(s, "RRULE:")
	if strings.ContainsAny(s, "\r\n") {
		return nil, nil, errors.New("must be one RRULE value, without line breaks")
	}
	seen := make(map[string]string)
	var parts []string
	for _, part := range strings.Split(s, ";") {
		if part == "" {
			continue
		}
		key, value, ok := strings.Cut(part, "=")
		if !ok || value == "" || strings.Contains(value, "=") {
			return nil, nil, fmt.Errorf("part %s is not NAME=VALUE", quote(part))
		}
		if err := checkPartName(key); err != nil {
			return nil, nil, err
		}
		if _, dup := seen[key]; dup {
			return nil, nil, fmt.Errorf("%s is given twice", key)
		}
		seen[key] = value
		parts = append(parts, part)
	}
	if _, ok := seen["FREQ"]; !ok {
		return nil, nil, errors.New("FREQ is required")
	}
	return seen, parts, nil
}

// checkPartName accepts the RRULE part names of RFC 5545 and explains the
// two that people copy from elsewhere (DTSTART from a VEVENT, BYEASTER from
// a library extension).
func checkPartName(key string) error {
	switch key {
	case "FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYSETPOS", "BYMONTH", "BYMONTHDAY",
		"BYYEARDAY", "BYWEEKNO", "BYDAY", "BYHOUR", "BYMINUTE", "BYSECOND":
		return nil
	case "DTSTART":
		return errors.New("DTSTART is not an RRULE part; the activity start is the first occurrence")
	case "BYEASTER":
		return errors.New("BYEASTER is not part of RFC 5545")
	}
	return fmt.Errorf("unknown rule part %s", key)
}

// decodeRule lets the library read the parts in loc and sorts and
// de-duplicates every numeric list, because repeated values would make the
// library emit the same start twice.
func decodeRule(parts []string, loc *time.Location) (rrule.ROption, error) {
	parsed, err := rrule.StrToROptionInLocation(strings.Join(parts, ";"), loc)
	if err != nil {
		return rrule.ROption{}, err
	}
	opt := *parsed
	for _, list := range []*[]int{&opt.Byhour, &opt.Byminute, &opt.Bysecond, &opt.Bymonth, &opt.Bymonthday,
		&opt.Byyearday, &opt.Byweekno, &opt.Bysetpos} {
		slices.Sort(*list)
		*list = slices.Compact(*list)
	}
	return opt, nil
}

// isBounded reports whether the rule ends by itself (COUNT or UNTIL), which
// rules repeating more than daily must, so that they cannot fill the horizon.
func isBounded(seen map[string]string) bool {
	_, hasCount := seen["COUNT"]
	_, hasUntil := seen["UNTIL"]
	return hasCount || hasUntil
}

// checkRepetition checks how often and how long the rule repeats: the
// frequency, INTERVAL, COUNT and UNTIL, so that no rule expands finer than
// hourly, beyond maxInstances or without end when it repeats hourly.
func checkRepetition(opt rrule.ROption, seen map[string]string, allDay bool, maxInstances int) error {
	switch opt.Freq {
	case rrule.MINUTELY, rrule.SECONDLY:
		return fmt.Errorf("FREQ=%s is not supported; the finest frequency is HOURLY", opt.Freq)
	case rrule.HOURLY:
		if allDay {
			return errors.New("FREQ=HOURLY cannot repeat an all-day activity")
		}
	}
	if v, ok := seen["INTERVAL"]; ok && (opt.Interval < 1 || opt.Interval > maxInterval) {
		return fmt.Errorf("INTERVAL=%s must be between 1 and %d", v, maxInterval)
	}
	count, hasCount := seen["COUNT"]
	if _, hasUntil := seen["UNTIL"]; hasCount && hasUntil {
		return errors.New("COUNT and UNTIL must not both be given")
	}
	if hasCount && (opt.Count < 1 || opt.Count > maxInstances) {
		return fmt.Errorf("COUNT=%s must be between 1 and %d", count, maxInstances)
	}
	if opt.Freq == rrule.HOURLY && !isBounded(seen) {
		return errors.New("FREQ=HOURLY repeats more than daily and needs COUNT or UNTIL")
	}
	return nil
}

// checkPartsForFrequency refuses the parts that RFC 5545 §3.3.10 allows only
// with some frequencies, and malformed WKST and numbered BYDAY values, which
// the library would accept and then expand to something nobody meant.
func checkPartsForFrequency(opt rrule.ROption, seen map[string]string) error {
	switch {
	case len(opt.Byweekno) > 0 && opt.Freq != rrule.YEARLY:
		return errors.New("BYWEEKNO is only allowed with FREQ=YEARLY")
	case len(opt.Byyearday) > 0 && (opt.Freq == rrule.MONTHLY || opt.Freq == rrule.WEEKLY || opt.Freq == rrule.DAILY):
		return fmt.Errorf("BYYEARDAY is not allowed with FREQ=%s", opt.Freq)
	case len(opt.Bymonthday) > 0 && opt.Freq == rrule.WEEKLY:
		return errors.New("BYMONTHDAY is not allowed with FREQ=WEEKLY")
	case len(opt.Bysetpos) > 0 && !selectsDays(seen):
		return errors.New("BYSETPOS needs another BYxxx part to select from")
	}
	if v, ok := seen["WKST"]; ok && len(v) != 2 {
		return fmt.Errorf("WKST=%s must be a plain weekday such as MO", v)
	}
	if v, ok := seen["BYDAY"]; ok {
		return checkOrdinals(v, opt)
	}
	return nil
}

// checkTimesOfDay bounds the start times BYHOUR, BYMINUTE and BYSECOND give
// per period (the library materialises a whole period at once), requires an
// end for rules repeating within a day, and refuses an HOURLY rule whose
// BYHOUR is never reached from wallStart, on which the library loops forever.
func checkTimesOfDay(opt rrule.ROption, wallStart time.Time, allDay, bounded bool) error {
	if allDay && (len(opt.Byhour) > 0 || len(opt.Byminute) > 0 || len(opt.Bysecond) > 0) {
		return errors.New("BYHOUR, BYMINUTE and BYSECOND cannot apply to an all-day activity")
	}
	perDay := max(1, len(opt.Byminute)) * max(1, len(opt.Bysecond))
	if opt.Freq != rrule.HOURLY {
		perDay *= max(1, len(opt.Byhour))
	}
	if perDay > maxTimesPerDay {
		return fmt.Errorf("BYHOUR, BYMINUTE and BYSECOND give %d start times per period; at most %d are allowed",
			perDay, maxTimesPerDay)
	}
	if perDay > 1 && !bounded {
		return errors.New("a rule repeating more than once a day needs COUNT or UNTIL")
	}
	if opt.Freq == rrule.HOURLY && len(opt.Byhour) > 0 && !hourReachable(opt.Byhour, wallStart.Hour(), opt.Interval) {
		return fmt.Errorf("with INTERVAL=%d from %02d:00 no hour in BYHOUR is ever reached", opt.Interval, wallStart.Hour())
	}
	return nil
}

// checkRanges lets the library check the numeric range of every BYxxx part
// by building the rule from wallStart, so that jointcal keeps no second copy
// of those ranges.
func checkRanges(opt rrule.ROption, wallStart time.Time) error {
	opt.Dtstart = wallStart
	_, err := rrule.NewRRule(opt)
	return err
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
