package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/isoduration"
	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// durationChoices are the lengths the availability form offers, in
// minutes: a briefing to a working day.
var durationChoices = []int{30, 60, 90, 120, 180, 240, 480}

// gridDays bounds the free/busy grid: a working week reads at a glance;
// the earliest slots come from the whole window.
const gridDays = 7

// availabilityForm is the "find a time" form as sent (a GET form: a
// search changes nothing and can be bookmarked).
type availabilityForm struct {
	People             string
	Bodies             []string
	Venue              string
	Duration           int
	From, To           string
	WorkStart, WorkEnd string
	AllDays            bool
}

func readAvailabilityForm(q url.Values, today time.Time) availabilityForm {
	f := availabilityForm{People: strings.TrimSpace(q.Get("people")), Bodies: q["body"], Venue: q.Get("venue"), From: q.Get("from"), To: q.Get("to"),
		WorkStart: q.Get("work_start"), WorkEnd: q.Get("work_end"), AllDays: q.Get("days") == "all", Duration: 60}
	if d, err := strconv.Atoi(q.Get("duration")); err == nil {
		f.Duration = d
	} else if q.Get("duration") != "" {
		f.Duration = -1
	}
	if f.From == "" {
		f.From = today.Format(time.DateOnly)
	}
	if f.To == "" {
		f.To = today.AddDate(0, 0, 13).Format(time.DateOnly)
	}
	if f.WorkStart == "" {
		f.WorkStart = "09:00"
	}
	if f.WorkEnd == "" {
		f.WorkEnd = "18:00"
	}
	return f
}

// Asked reports whether the form names anything to find a time for (the
// first visit shows the form only).
func (f availabilityForm) Asked() bool {
	return f.People != "" || len(f.Bodies) > 0 || f.Venue != ""
}

// HasBody reports whether code is chosen (the select keeps the choice).
func (f availabilityForm) HasBody(code string) bool {
	for _, b := range f.Bodies {
		if b == code {
			return true
		}
	}
	return false
}

// availabilityData is the availability page's data.
type availabilityData struct {
	Form       availabilityForm
	Durations  []int
	Options    filterOptions
	FieldError map[string]string
	Searched   bool
	Days       []time.Time
	Columns    []column
	Rows       []gridRow
	Slots      []slotLink
}

// slotLink is a proposed slot and the booking form it opens.
type slotLink struct {
	Start, End time.Time
	URL        string
}

// availabilityPage finds a time: the earliest common free slots of the
// chosen people, bodies and venue (the store's Availability, as the API
// answers it) and a free/busy grid of each over the first week of the
// window, in which another organisation's restricted activities are only
// "busy (restricted)".
func (w *Web) availabilityPage(c echo.Context) error {
	p, err := w.newPage(c, "availability", "")
	if err != nil {
		return err
	}
	p.Title = p.T("availability.title")
	now := w.now().In(p.Zone)
	d := availabilityData{Form: readAvailabilityForm(c.QueryParams(), now), Durations: durationChoices, FieldError: map[string]string{}}
	if d.Options, err = w.filterOptions(c); err != nil {
		return err
	}
	p.Data = &d
	if !d.Form.Asked() {
		if len(c.QueryParams()) > 0 {
			d.FieldError["people"] = p.T("availability.need_someone")
			p.Status = http.StatusUnprocessableEntity
		}
		return w.render(c, "availability", p)
	}
	q, keys, fields := w.availabilityQuery(p, &d, now)
	if len(d.FieldError) == 0 {
		err = w.findTime(c, p, &d, q, keys, fields)
		var verr *models.ValidationError
		if errors.As(err, &verr) {
			for _, fe := range verr.Errors {
				field, ok := fields[fe.Field]
				if !ok {
					field = availabilityField(fe.Field)
				}
				if _, dup := d.FieldError[field]; !dup {
					d.FieldError[field] = p.FieldMessage(fe)
				}
			}
			err = nil
		}
		if err != nil {
			return err
		}
	}
	if len(d.FieldError) > 0 {
		p.Status = http.StatusUnprocessableEntity
		d.Rows, d.Slots, d.Searched = nil, nil, false
	}
	return w.render(c, "availability", p)
}

// availabilityField maps a store field onto the form's: the window's
// ends and the lists of resources.
func availabilityField(field string) string {
	switch {
	case strings.HasPrefix(field, "participants"), strings.HasPrefix(field, "resources"):
		return "people"
	}
	return field
}

// availabilityQuery reads the form into the store's query; a field it
// cannot read is marked in d. fields maps the store's indexed fields
// (participants[2], resources[2]) onto the form field they came from.
func (w *Web) availabilityQuery(p *page, d *availabilityData, now time.Time) (models.AvailabilityQuery, []models.ResourceKey, map[string]string) {
	f := d.Form
	q := models.AvailabilityQuery{Location: p.Zone, Venue: models.Ref(f.Venue), Limit: 8}
	fields := map[string]string{}
	var keys []models.ResourceKey
	add := func(typ models.ResourceType, ref, field string) {
		fields[fmt.Sprintf("participants[%d]", len(q.Participants))] = field
		fields[fmt.Sprintf("resources[%d]", len(keys))] = field
		q.Participants = append(q.Participants, models.ParticipantInput{Type: string(typ), IDOrCode: models.Ref(ref)})
		keys = append(keys, models.ResourceKey{Type: typ, IDOrCode: models.Ref(ref)})
	}
	for _, e := range splitTyped(f.People) {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			d.FieldError["people"] = p.T("availability.bad_email", e)
			continue
		}
		add(models.ResourcePerson, e, "people")
	}
	for _, b := range f.Bodies {
		add(models.ResourceBody, b, "body")
	}
	if f.Venue != "" {
		fields[fmt.Sprintf("resources[%d]", len(keys))] = "venue"
		keys = append(keys, models.ResourceKey{Type: models.ResourceVenue, IDOrCode: models.Ref(f.Venue)})
	}
	if !validDuration(f.Duration) {
		d.FieldError["duration"] = p.T("availability.bad_duration")
	}
	q.Duration = time.Duration(f.Duration) * time.Minute
	from, ferr := time.ParseInLocation(time.DateOnly, f.From, p.Zone)
	to, terr := time.ParseInLocation(time.DateOnly, f.To, p.Zone)
	switch {
	case ferr != nil:
		d.FieldError["from"] = p.T("availability.bad_date")
	case terr != nil:
		d.FieldError["to"] = p.T("availability.bad_date")
	case to.Before(from):
		d.FieldError["to"] = p.T("availability.to_before_from")
	}
	// A slot already begun is no use: the search starts at the next
	// quarter hour when the window starts today or earlier.
	q.From, q.To = from, to.AddDate(0, 0, 1)
	if start := now.Truncate(15 * time.Minute).Add(15 * time.Minute); q.From.Before(start) {
		q.From = start
	}
	ws, werr := parseClock(f.WorkStart)
	we, eerr := parseClock(f.WorkEnd)
	switch {
	case werr != nil:
		d.FieldError["work_start"] = p.T("availability.bad_time")
	case eerr != nil:
		d.FieldError["work_end"] = p.T("availability.bad_time")
	case we <= ws:
		d.FieldError["work_end"] = p.T("availability.end_before_start")
	}
	q.WorkStart, q.WorkEnd = ws, we
	if !f.AllDays {
		q.Days = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	for day := from; len(d.Days) < gridDays && !day.After(to) && ferr == nil && terr == nil; day = day.AddDate(0, 0, 1) {
		if f.AllDays || (day.Weekday() != time.Saturday && day.Weekday() != time.Sunday) {
			d.Days = append(d.Days, day)
		}
	}
	return q, keys, fields
}

// findTime asks the store for the slots and the grid.
func (w *Web) findTime(c echo.Context, p *page, d *availabilityData, q models.AvailabilityQuery, keys []models.ResourceKey, fields map[string]string) error {
	ctx, a := c.Request().Context(), actor(c)
	// A window wholly past has no slot to offer, but its grid still
	// shows who was busy.
	var slots []models.SpanView
	if q.To.After(q.From) {
		var err error
		if slots, err = w.Store.Availability(ctx, a, q); err != nil {
			return err
		}
	}
	d.Columns = hourColumns(d.Days, q.WorkStart, q.WorkEnd)
	if len(d.Columns) > 0 {
		schedules, err := w.Store.ResourceSchedules(ctx, a, keys, d.Columns[0].Start, d.Columns[len(d.Columns)-1].End)
		if err != nil {
			return err
		}
		d.Rows = buildGrid(schedules, d.Columns)
	}
	var refs []string
	for _, k := range keys {
		if k.Type != models.ResourceVenue {
			refs = append(refs, string(k.IDOrCode))
		}
	}
	for _, s := range slots {
		u := url.Values{"start": {s.Start.In(p.Zone).Format(time.RFC3339)}, "end": {s.End.In(p.Zone).Format(time.RFC3339)}, "timezone": {p.Zone.String()}}
		if len(refs) > 0 {
			u.Set("participants", strings.Join(refs, ","))
		}
		if d.Form.Venue != "" {
			u.Set("venue", d.Form.Venue)
		}
		d.Slots = append(d.Slots, slotLink{Start: s.Start, End: s.End, URL: "/activities/new?" + u.Encode()})
	}
	// The proposed slots are marked in the grid's last row.
	slotRow := gridRow{Cells: make([]gridCell, len(d.Columns))}
	for j, col := range d.Columns {
		for _, s := range slots {
			if s.Start.Before(col.End) && s.End.After(col.Start) {
				slotRow.Cells[j].Slot = true
			}
		}
	}
	if len(d.Rows) > 0 {
		d.Rows = append(d.Rows, slotRow)
	}
	d.Searched = true
	return nil
}

func validDuration(minutes int) bool {
	for _, m := range durationChoices {
		if m == minutes {
			return true
		}
	}
	return false
}

// DurationLabel writes minutes as people say them: "30 min", "1 h 30".
func (p *page) DurationLabel(minutes int) string {
	h, m := minutes/60, minutes%60
	switch {
	case h == 0:
		return strconv.Itoa(m) + " min"
	case m == 0:
		return strconv.Itoa(h) + " h"
	}
	return fmt.Sprintf("%d h %02d", h, m)
}

// ISODurationLabel is DurationLabel of an ISO 8601 duration as the API
// stores it ("PT1H30M" → "1 h 30"); one it cannot read stays as written.
func (p *page) ISODurationLabel(iso string) string {
	d, err := isoduration.Parse(iso)
	if err != nil || d <= 0 || d%time.Minute != 0 {
		return iso
	}
	return p.DurationLabel(int(d / time.Minute))
}

// splitTyped reads a list typed by a person: commas, semicolons, spaces
// or new lines between the items.
func splitTyped(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// parseClock reads "09:00" (or "24:00") as an offset from midnight.
func parseClock(s string) (time.Duration, error) {
	if s == "24:00" {
		return 24 * time.Hour, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// avField is one text, date or time input of the form with its error.
type avField struct {
	P                        *page
	Name, Type, Value, Error string
}

// Field is the input name of the form, for the template's "avfield".
func (d *availabilityData) Field(p *page, name string) avField {
	f := avField{P: p, Name: name, Type: "text", Error: d.FieldError[name]}
	switch name {
	case "people":
		f.Value = d.Form.People
	case "from":
		f.Type, f.Value = "date", d.Form.From
	case "to":
		f.Type, f.Value = "date", d.Form.To
	case "work_start":
		f.Type, f.Value = "time", d.Form.WorkStart
	case "work_end":
		f.Type, f.Value = "time", d.Form.WorkEnd
	}
	return f
}

// HoursPerDay is the number of hour columns of each day in the grid.
func (d *availabilityData) HoursPerDay() int {
	if len(d.Days) == 0 {
		return 0
	}
	return len(d.Columns) / len(d.Days)
}
