package models

import (
	"time"
)

// ReportGrouping is what an activity report counts by.
type ReportGrouping string

// The groupings of the activity report.
const (
	GroupByArea         ReportGrouping = "area"
	GroupByOrganization ReportGrouping = "organization"
	GroupByKind         ReportGrouping = "kind"
	GroupBySeries       ReportGrouping = "series"
	GroupByBody         ReportGrouping = "body"
	GroupByMonth        ReportGrouping = "month"
	GroupByQuarter      ReportGrouping = "quarter"
)

// ReportGroupings lists the groupings in the order documents show them.
func ReportGroupings() []ReportGrouping {
	return []ReportGrouping{GroupByArea, GroupByOrganization, GroupByKind, GroupBySeries, GroupByBody, GroupByMonth, GroupByQuarter}
}

// maxReportSpan bounds a report's window.
const maxReportSpan = 20 * 366 * 24 * time.Hour

// ReportFilter is the window and grouping of a report.
type ReportFilter struct {
	From, To time.Time
	GroupBy  string
	// TimeZone places occurrences in months and quarters (default UTC).
	TimeZone string
}

// Validate checks the report's window, zone and (when groupings) its
// grouping, and returns the zone the report counts in.
func (f *ReportFilter) Validate(groupings bool) (*time.Location, error) {
	v := &ValidationError{}
	switch {
	case f.From.IsZero() || f.To.IsZero():
		v.Add("from", "from and to are required (RFC 3339)")
	case !f.To.After(f.From):
		v.Add("to", "must be after from")
	case f.To.Sub(f.From) > maxReportSpan:
		v.Add("to", "a report spans at most twenty years")
	}
	if groupings {
		if f.GroupBy == "" {
			f.GroupBy = string(GroupByKind)
		}
		CheckEnum(v, "group_by", f.GroupBy, EnumNames(ReportGroupings())...)
	}
	if f.TimeZone == "" {
		f.TimeZone = "UTC"
	}
	CheckZone(v, "timezone", f.TimeZone, false)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	return time.LoadLocation(f.TimeZone)
}

// ReportGroup is one line of an activity report: how many activities, and
// how many of their occurrences, fall in the window under one key. An
// activity with two areas counts under both; a recurring one counts once
// as an activity and once per instance as occurrences.
type ReportGroup struct {
	Key         string `json:"key"`
	Activities  int64  `json:"activities"`
	Occurrences int64  `json:"occurrences"`
}

// ActivityReport counts the activities the caller may see that take
// place in a window, grouped.
type ActivityReport struct {
	From        time.Time     `json:"from"`
	To          time.Time     `json:"to"`
	GroupBy     string        `json:"group_by"`
	TimeZone    string        `json:"timezone"`
	Activities  int64         `json:"activities"`
	Occurrences int64         `json:"occurrences"`
	Groups      []ReportGroup `json:"groups"`
}

// CrossBriefingRow counts the cross-briefings one organisation gave to one
// body (its audience) in a year.
type CrossBriefingRow struct {
	Year                 int    `json:"year"`
	HostBody             string `json:"host_body"`
	HostOrganization     string `json:"host_organization"`
	BriefingOrganization string `json:"briefing_organization"`
	Count                int64  `json:"count"`
}

// CrossBriefingReport counts cross-briefings by host body and briefing
// organisation (the lead), per year of their start in the report's zone.
type CrossBriefingReport struct {
	From     time.Time          `json:"from"`
	To       time.Time          `json:"to"`
	TimeZone string             `json:"timezone"`
	Total    int64              `json:"total"`
	Rows     []CrossBriefingRow `json:"rows"`
}

// ParticipationRow is one participant invited to one strand of an
// exercise: the exercise itself or one of its phases.
type ParticipationRow struct {
	ExerciseID      int64  `json:"exercise_id"`
	Exercise        string `json:"exercise"`
	StrandID        int64  `json:"strand_id"`
	Strand          string `json:"strand"`
	StrandKind      string `json:"strand_kind"`
	ParticipantType string `json:"participant_type"`
	Participant     string `json:"participant"`
	Organization    string `json:"organization"`
	Role            string `json:"role"`
	RSVP            string `json:"rsvp"`
}

// ParticipationReport says who was invited to which strand of the
// exercises in a window.
type ParticipationReport struct {
	From time.Time          `json:"from"`
	To   time.Time          `json:"to"`
	Rows []ParticipationRow `json:"rows"`
}
