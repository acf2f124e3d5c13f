package models

import (
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/jointcal/jointcal/isoduration"
	"github.com/jointcal/jointcal/planning"
)

// areaPattern is what an area of cooperation is named like.
var areaPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// CheckArea validates the name of an area of cooperation (hybrid_threats).
func CheckArea(v *ValidationError, field, area string) {
	if !areaPattern.MatchString(area) {
		v.Add(field, "want a lower-case word with underscores, such as hybrid_threats")
	}
}

// CheckFields validates what an activity input says by itself, before the
// store resolves what it names (organisations, venue, parent,
// participants) and expands its series: every problem goes to v, so that
// the client sees them all at once. It fills the defaults (confirmed, in
// person) and returns the reminders in their canonical ISO 8601 form.
func (in *ActivityInput) CheckFields(v *ValidationError) (reminders []string) {
	CheckEnum(v, "kind", in.Kind, EnumNames(Kinds())...)
	CheckText(v, "title", in.Title, true, 300)
	CheckText(v, "description", in.Description, false, 20000)
	if in.Status == "" {
		in.Status = string(StatusConfirmed)
	}
	CheckEnum(v, "status", in.Status, EnumNames(Statuses())...)
	if in.Format == "" {
		in.Format = string(FormatInPerson)
	}
	CheckEnum(v, "format", in.Format, EnumNames(Formats())...)
	in.checkSpan(v)
	in.checkZone(v)
	if in.ConferenceURL != "" {
		if u, err := url.Parse(in.ConferenceURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.Add("conference_url", "want an absolute http(s) URL")
		}
	}
	CheckText(v, "series", in.Series, false, 200)
	for i, a := range in.Areas {
		CheckArea(v, fmt.Sprintf("areas[%d]", i), a)
	}
	return in.checkReminders(v)
}

// checkSpan checks the times and how many of them: an end after the
// start, no longer than MaxActivitySpan, bounded lists of dates.
func (in *ActivityInput) checkSpan(v *ValidationError) {
	if in.Start.IsZero() {
		v.Add("start", "is required (RFC 3339, e.g. 2021-03-10T10:00:00+01:00)")
	}
	days := int(MaxActivitySpan / (24 * time.Hour))
	switch {
	case in.End.IsZero():
		v.Add("end", "is required (RFC 3339)")
	case !in.Start.IsZero() && !in.End.After(in.Start):
		v.Add("end", "must be after start")
	case !in.Start.IsZero() && in.End.Sub(in.Start) > MaxActivitySpan:
		v.Add("end", "an activity may last at most %d days; book a longer programme as several activities", days)
	}
	if len(in.ExDates) > MaxExceptionDates {
		v.Add("exdates", "at most %d exception dates (%d given)", MaxExceptionDates, len(in.ExDates))
	}
	if len(in.RDates) > MaxExceptionDates {
		v.Add("rdates", "at most %d extra dates (%d given)", MaxExceptionDates, len(in.RDates))
	}
	if len(in.Reminders) > MaxReminders {
		v.Add("reminders", "at most %d reminders (%d given)", MaxReminders, len(in.Reminders))
	}
	if in.Overrides != nil {
		for i, o := range *in.Overrides {
			if o.End.Sub(o.Start) > MaxActivitySpan {
				v.Add(fmt.Sprintf("overrides[%d].end", i), "a moved instance may last at most %d days", days)
			}
		}
	}
}

// checkZone checks the zone a series repeats in, and that an all-day
// activity runs from midnight to midnight there.
func (in *ActivityInput) checkZone(v *ValidationError) {
	if in.RRule != "" && in.TimeZone == "" {
		v.Add("timezone", "is required when rrule is set (an IANA zone such as Europe/Brussels)")
	}
	CheckZone(v, "timezone", in.TimeZone, false)
	tz := in.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	if !in.AllDay {
		return
	}
	loc := time.Local // refused above, but checked as before
	if tz != "Local" {
		loc, _ = planning.LoadZone(tz) // a loaded zone is kept
	}
	if loc == nil {
		return
	}
	for _, f := range []struct {
		field string
		t     time.Time
	}{{"start", in.Start}, {"end", in.End}} {
		if l := f.t.In(loc); !f.t.IsZero() && (l.Hour() != 0 || l.Minute() != 0 || l.Second() != 0) {
			v.Add(f.field, "an all-day activity starts and ends at midnight in its time zone (%s)", tz)
		}
	}
}

// checkReminders reads the reminders (ISO 8601, PT1M to P366D before the
// start) and returns them in canonical form.
func (in *ActivityInput) checkReminders(v *ValidationError) []string {
	reminders := make([]string, 0, len(in.Reminders))
	for i, r := range in.Reminders {
		dur, err := isoduration.Parse(r)
		switch {
		case err != nil:
			v.Add(fmt.Sprintf("reminders[%d]", i), "want an ISO 8601 duration such as P1D or PT1H: %v", err)
		case dur <= 0 || dur > 366*24*time.Hour:
			v.Add(fmt.Sprintf("reminders[%d]", i), "want a duration between PT1M and P366D before the start")
		default:
			reminders = append(reminders, isoduration.Format(dur))
		}
	}
	return reminders
}
