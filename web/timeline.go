package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/labstack/echo/v4"
)

// TimelineRows is what the timeline's rows are.
type TimelineRows string

// The timeline's row choices.
const (
	RowsBodies TimelineRows = "bodies"
	RowsVenues TimelineRows = "venues"
	RowsPeople TimelineRows = "people"
)

// TimelineSpan is how much time the timeline shows.
type TimelineSpan string

// The timeline's spans.
const (
	SpanWeek  TimelineSpan = "week"
	SpanMonth TimelineSpan = "month"
)

// timelineData is the timeline page's data.
type timelineData struct {
	Rows       TimelineRows
	RowChoices []TimelineRows
	Span       TimelineSpan
	Spans      []TimelineSpan
	Day        time.Time
	From, To   time.Time
	Prev, Next time.Time
	Columns    []column
	Grid       []gridRow
	Legend     []legendEntry
	FieldError map[string]string
}

// timelinePage shows who is busy when, across both organisations: a row
// per body, venue or person, a column per day of a week or a month. It
// reads the occupancy through the store's ResourceSchedules, which
// reduces another organisation's restricted activities to bare busy
// blocks; the page draws those grey, without a title. It is a table, so
// it reads the same without script and to a screen reader.
func (w *Web) timelinePage(c echo.Context) error {
	p, err := w.newPage(c, "timeline", "")
	if err != nil {
		return err
	}
	p.Title = p.T("timeline.title")
	d := &timelineData{Rows: RowsBodies, RowChoices: []TimelineRows{RowsBodies, RowsVenues, RowsPeople}, Span: SpanWeek, Spans: []TimelineSpan{SpanWeek, SpanMonth}, FieldError: map[string]string{}}
	p.Data = d
	switch r := TimelineRows(c.QueryParam("rows")); r {
	case RowsBodies, RowsVenues, RowsPeople:
		d.Rows = r
	case "":
	default:
		d.FieldError["rows"] = p.T("timeline.bad_rows")
	}
	switch sp := TimelineSpan(c.QueryParam("span")); sp {
	case SpanWeek, SpanMonth:
		d.Span = sp
	case "":
	default:
		d.FieldError["span"] = p.T("timeline.bad_span")
	}
	d.Day = w.now().In(p.Zone)
	if s := c.QueryParam("date"); s != "" {
		day, err := time.ParseInLocation(time.DateOnly, s, p.Zone)
		if err != nil {
			d.FieldError["date"] = p.T("calendar.bad_date")
		} else {
			d.Day = day
		}
	}
	if len(d.FieldError) > 0 {
		p.Status = http.StatusUnprocessableEntity
		return w.render(c, "timeline", p)
	}
	if d.Span == SpanMonth {
		d.From, d.To = calendarWindow(ViewList, d.Day, p.Zone)
		d.Prev, d.Next = d.From.AddDate(0, -1, 0), d.To
	} else {
		d.From, d.To = calendarWindow(ViewWeek, d.Day, p.Zone)
		d.Prev, d.Next = d.From.AddDate(0, 0, -7), d.To
	}
	for day := d.From; day.Before(d.To); day = day.AddDate(0, 0, 1) {
		d.Columns = append(d.Columns, column{Start: day, End: day.AddDate(0, 0, 1), First: day.Weekday() == time.Monday})
	}
	keys, err := w.timelineKeys(c, d.Rows)
	if err != nil {
		return err
	}
	schedules, err := w.Store.ResourceSchedules(c.Request().Context(), actor(c), keys, d.From, d.To)
	var verr *models.ValidationError
	if errors.As(err, &verr) {
		for _, fe := range verr.Errors {
			d.FieldError[fe.Field] = p.FieldMessage(fe)
		}
		p.Status = http.StatusUnprocessableEntity
		return w.render(c, "timeline", p)
	}
	if err != nil {
		return err
	}
	d.Grid = buildGrid(schedules, d.Columns)
	leads := map[string]bool{}
	for _, s := range schedules {
		for _, b := range s.Busy {
			leads[b.Lead] = true
		}
	}
	orgs, err := w.Store.ListOrganizations(c.Request().Context(), models.OrganizationFilter{ListOptions: models.ListOptions{Limit: models.MaxLimit}})
	if err != nil {
		return err
	}
	for _, o := range orgs.Items {
		if leads[o.Code] {
			d.Legend = append(d.Legend, legendEntry{Code: o.Code, Name: o.Name, Colour: orgColour(o.Code)})
		}
	}
	return w.render(c, "timeline", p)
}

// timelineKeys lists the resources of the chosen rows: every body, venue
// or person (reference data every signed-in person may read), up to the
// store's limit of a request.
func (w *Web) timelineKeys(c echo.Context, rows TimelineRows) ([]models.ResourceKey, error) {
	ctx := c.Request().Context()
	opts := models.ListOptions{Limit: models.MaxLimit}
	var keys []models.ResourceKey
	switch rows {
	case RowsVenues:
		page, err := w.Store.ListVenues(ctx, models.VenueFilter{ListOptions: opts})
		if err != nil {
			return nil, err
		}
		for _, v := range page.Items {
			keys = append(keys, models.ResourceKey{Type: models.ResourceVenue, IDOrCode: models.Ref(v.Code)})
		}
	case RowsPeople:
		page, err := w.Store.ListPeople(ctx, models.PersonFilter{ListOptions: opts})
		if err != nil {
			return nil, err
		}
		for _, p := range page.Items {
			keys = append(keys, models.ResourceKey{Type: models.ResourcePerson, IDOrCode: models.Ref(p.Email)})
		}
	default:
		page, err := w.Store.ListBodies(ctx, models.BodyFilter{ListOptions: opts})
		if err != nil {
			return nil, err
		}
		for _, b := range page.Items {
			keys = append(keys, models.ResourceKey{Type: models.ResourceBody, IDOrCode: models.Ref(b.Code)})
		}
	}
	return keys[:min(len(keys), storage.MaxScheduleResources)], nil
}
