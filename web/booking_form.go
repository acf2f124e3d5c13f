package web

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
)

// wallLayout is how the form writes times: a wall time in the activity's
// zone, as <input type="datetime-local"> sends it.
const wallLayout = "2006-01-02T15:04"

// maxParticipantRows bounds the rows a form may send.
const maxParticipantRows = 200

// activityForm is the booking form as the person filled it in: strings,
// so that whatever they typed comes back as typed when something is
// wrong.
type activityForm struct {
	ID                       int64
	Version                  int
	Kind, Title, Description string
	Start, End, TimeZone     string
	AllDay                   bool
	Status, Format           string
	Venue, Lead              string
	Participants             []participantRow
	Visibility               []string
	Areas, Series, Parent    string
	Reminders, ConferenceURL string
	// The recurrence builder.
	Freq                   Frequency
	Interval, Count, Until string
	Days                   []time.Weekday
	RawRule                string
	// ExDates and RDates carry the activity's excluded and extra dates
	// (RFC 3339, space-separated) through an edit unchanged: the form has
	// no control for them, and saving must not drop them.
	ExDates, RDates string
	Override        bool
	OverrideReason  string
}

// participantRow is one participant line: a reference written
// "type:code" (as the picker fills it in), a role and whether required.
type participantRow struct {
	Ref, Role string
	Required  bool
}

// Sees reports whether the form restricts visibility to org.
func (f *activityForm) Sees(org string) bool { return slices.Contains(f.Visibility, org) }

// OnDay reports whether the recurrence builder has day ticked.
func (f *activityForm) OnDay(day time.Weekday) bool { return slices.Contains(f.Days, day) }

// blankRows are the empty participant lines a form offers for more.
const blankRows = 2

// withBlankRows adds empty participant lines to fill in.
func (f *activityForm) withBlankRows(n int) {
	for range n {
		f.Participants = append(f.Participants, participantRow{Role: string(models.RoleParticipant), Required: true})
	}
}

// formFromView fills the form with a stored activity, its times as wall
// times in its own zone.
func formFromView(v *models.ActivityView) *activityForm {
	loc, err := time.LoadLocation(v.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	f := &activityForm{
		ID: v.ID, Version: v.Version, Kind: v.Kind, Title: v.Title, Description: v.Description,
		Start: v.Start.In(loc).Format(wallLayout), End: v.End.In(loc).Format(wallLayout), TimeZone: v.TimeZone, AllDay: v.AllDay,
		Status: v.Status, Format: v.Format, Venue: v.Venue, Lead: v.LeadOrganization, Visibility: v.Visibility,
		Areas: strings.Join(v.Areas, ", "), Series: v.Series, Reminders: strings.Join(v.Reminders, ", "), ConferenceURL: v.ConferenceURL,
	}
	if v.Parent != nil {
		f.Parent = strconv.FormatInt(*v.Parent, 10)
	}
	f.ExDates, f.RDates = joinTimes(v.ExDates), joinTimes(v.RDates)
	for _, p := range v.Participants {
		f.Participants = append(f.Participants, participantRow{Ref: p.Type + ":" + p.IDOrCode, Role: p.Role, Required: p.Required})
	}
	f.setRule(ParseRule(v.RRule, loc), loc)
	return f
}

func (f *activityForm) setRule(r Rule, loc *time.Location) {
	f.Freq, f.Days, f.RawRule = r.Freq, r.Days, r.Raw
	if r.Interval > 1 {
		f.Interval = strconv.Itoa(r.Interval)
	}
	if r.Count > 0 {
		f.Count = strconv.Itoa(r.Count)
	}
	if !r.Until.IsZero() {
		f.Until = r.Until.In(loc).Format("2006-01-02")
	}
}

// readForm reads the posted form.
func readForm(v url.Values) *activityForm {
	f := &activityForm{
		Kind: v.Get("kind"), Title: strings.TrimSpace(v.Get("title")), Description: v.Get("description"),
		Start: v.Get("start"), End: v.Get("end"), TimeZone: strings.TrimSpace(v.Get("timezone")), AllDay: v.Get("all_day") != "",
		Status: v.Get("status"), Format: v.Get("format"), Venue: v.Get("venue"), Lead: v.Get("lead_organization"),
		Visibility: v["visibility"], Areas: v.Get("areas"), Series: strings.TrimSpace(v.Get("series")), Parent: strings.TrimSpace(v.Get("parent")),
		Reminders: v.Get("reminders"), ConferenceURL: strings.TrimSpace(v.Get("conference_url")),
		Freq: Frequency(v.Get("freq")), Interval: v.Get("interval"), Count: v.Get("count"), Until: v.Get("until"), RawRule: v.Get("rrule"),
		Override: v.Get("override") != "", OverrideReason: strings.TrimSpace(v.Get("override_reason")),
		ExDates: v.Get("exdates"), RDates: v.Get("rdates"),
	}
	f.ID, _ = strconv.ParseInt(v.Get("id"), 10, 64)
	f.Version, _ = strconv.Atoi(v.Get("version"))
	for _, d := range weekdays {
		if slices.Contains(v["day"], d.Code) {
			f.Days = append(f.Days, d.Day)
		}
	}
	for i := range maxParticipantRows {
		prefix := "p." + strconv.Itoa(i) + "."
		ref, ok := v[prefix+"ref"]
		if !ok {
			break
		}
		row := participantRow{Ref: strings.TrimSpace(ref[0]), Role: v.Get(prefix + "role"), Required: v.Get(prefix+"required") != ""}
		f.Participants = append(f.Participants, row)
	}
	return f
}

// add marks field with msg, keeping the first message of a field.
func (e formErrors) add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

// refKinds tells the form's parser what a bare code names, for the
// prefill contract ("participants=PSC,claire@…,NATO").
type refKinds struct{ bodies, orgs map[string]bool }

// participantRefs are the references the form's participant rows name,
// for refKinds.
func (f *activityForm) participantRefs() []string {
	refs := make([]string, 0, len(f.Participants))
	for _, p := range f.Participants {
		if p.Ref != "" {
			refs = append(refs, p.Ref)
		}
	}
	return refs
}

// prefillRefs are the references of the prefill contract's participants
// parameter, comma-separated.
func prefillRefs(q url.Values) []string {
	var refs []string
	for _, ref := range strings.Split(q.Get("participants"), ",") {
		if ref = strings.TrimSpace(ref); ref != "" {
			refs = append(refs, ref)
		}
	}
	return refs
}

// participantRef splits a participant line into a type and a reference:
// "body:PSC", or a bare e-mail (a person), body code or organisation code.
func (k refKinds) participantRef(s string) (string, models.Ref, bool) {
	if typ, ref, ok := strings.Cut(s, ":"); ok {
		switch models.ResourceType(typ) {
		case models.ResourcePerson, models.ResourceBody, models.ResourceOrganization:
			return typ, models.Ref(strings.TrimSpace(ref)), true
		}
	}
	switch {
	case strings.Contains(s, "@"):
		return string(models.ResourcePerson), models.Ref(s), true
	case k.bodies[s]:
		return string(models.ResourceBody), models.Ref(s), true
	case k.orgs[s]:
		return string(models.ResourceOrganization), models.Ref(s), true
	}
	return "", "", false
}

var durationList = regexp.MustCompile(`[\s,;]+`)

// input turns the form into the store's input. Problems the form itself
// can see (an unreadable time, an unknown zone) come back as field
// errors, in the person's language (t); the store checks the rest.
func (f *activityForm) input(k refKinds, t func(string, ...any) string) (models.ActivityInput, formErrors) {
	errs := formErrors{}
	in := models.ActivityInput{
		Kind: f.Kind, Title: f.Title, Description: f.Description, TimeZone: f.TimeZone, AllDay: f.AllDay,
		Status: f.Status, Format: f.Format, Venue: models.Ref(f.Venue), LeadOrganization: models.Ref(f.Lead),
		Series: f.Series, Parent: models.Ref(f.Parent), ConferenceURL: f.ConferenceURL,
		Participants: []models.ParticipantInput{}, Visibility: []models.Ref{}, Areas: []string{}, Reminders: []string{},
	}
	loc, start, end := readWhen(errs, t, f.TimeZone, f.Start, f.End)
	in.Start, in.End = start, end
	var bad bool
	if in.ExDates, bad = splitTimes(f.ExDates); bad {
		errs.add("freq", t("booking.err.dates"))
	}
	if in.RDates, bad = splitTimes(f.RDates); bad {
		errs.add("freq", t("booking.err.dates"))
	}
	r, rerr := f.rule(loc)
	if rerr != "" {
		errs.add(rerr, t("booking.err.number"))
	}
	in.RRule = r.RRule(loc)
	for i, p := range f.Participants {
		if p.Ref == "" {
			continue
		}
		typ, ref, ok := k.participantRef(p.Ref)
		if !ok {
			errs.add(fmt.Sprintf("p.%d", i), t("booking.err.participant"))
			continue
		}
		req := p.Required
		in.Participants = append(in.Participants, models.ParticipantInput{Type: typ, IDOrCode: ref, Role: p.Role, Required: &req})
	}
	for _, o := range f.Visibility {
		in.Visibility = append(in.Visibility, models.Ref(o))
	}
	for _, a := range durationList.Split(strings.TrimSpace(f.Areas), -1) {
		if a != "" {
			in.Areas = append(in.Areas, a)
		}
	}
	for _, d := range durationList.Split(strings.TrimSpace(f.Reminders), -1) {
		if d != "" {
			in.Reminders = append(in.Reminders, strings.ToUpper(d))
		}
	}
	return in, errs
}

// rule reads the recurrence builder; a bad number names its field.
func (f *activityForm) rule(loc *time.Location) (Rule, string) {
	r := Rule{Freq: f.Freq, Days: f.Days, Raw: f.RawRule, Interval: 1}
	if f.Interval != "" {
		n, err := strconv.Atoi(f.Interval)
		if err != nil || n < 1 || n > 999 {
			return r, "interval"
		}
		r.Interval = n
	}
	if f.Count != "" {
		n, err := strconv.Atoi(f.Count)
		if err != nil || n < 1 {
			return r, "count"
		}
		r.Count = n
	}
	if f.Until != "" && r.Count == 0 {
		u, err := time.ParseInLocation("2006-01-02", f.Until, loc)
		if err != nil {
			return r, "until"
		}
		r.Until = u
	}
	return r, ""
}

// parseFormTime reads a time from the form or a prefill link: a wall
// time in loc (with or without seconds, or a date), or an instant with an
// offset.
func parseFormTime(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{wallLayout, floating, "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Parse(time.RFC3339, s)
}

// storeField maps a field of the store's validation errors onto the
// form's: participants[2].id_or_code → p.2, areas[0] → areas, rrule →
// freq.
func storeField(field string) string {
	if rest, ok := strings.CutPrefix(field, "participants["); ok {
		n, _, _ := strings.Cut(rest, "]")
		return "p." + n
	}
	base, _, _ := strings.Cut(field, "[")
	switch base {
	case "rrule", "exdates", "rdates", "overrides":
		return "freq"
	case "lead_organization", "visibility", "areas", "reminders":
		return base
	}
	return base
}

func joinTimes(ts []time.Time) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.UTC().Format(time.RFC3339)
	}
	return strings.Join(parts, " ")
}

// splitTimes reads what joinTimes wrote; bad is true when a part is not
// a time.
func splitTimes(s string) (ts []time.Time, bad bool) {
	for _, part := range strings.Fields(s) {
		t, err := time.Parse(time.RFC3339, part)
		if err != nil {
			return nil, true
		}
		ts = append(ts, t)
	}
	return ts, false
}
