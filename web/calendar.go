package web

import (
	"encoding/json"
	"errors"
	"hash/fnv"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// CalendarView is one of the calendar's views; the names are the ones in
// the page's URL.
type CalendarView string

// The calendar's views.
const (
	ViewMonth CalendarView = "month"
	ViewWeek  CalendarView = "week"
	ViewDay   CalendarView = "day"
	ViewList  CalendarView = "list"
)

// calendarViews are the views in the order the switcher shows them.
var calendarViews = [...]CalendarView{ViewMonth, ViewWeek, ViewDay, ViewList}

// ComponentView names a view in the calendar component's terms.
func (v CalendarView) ComponentView() string {
	switch v {
	case ViewWeek:
		return "timeGridWeek"
	case ViewDay:
		return "timeGridDay"
	case ViewList:
		return "listMonth"
	}
	return "dayGridMonth"
}

// calendarFilters are the filters of the calendar, kept in its URL so
// that a view can be bookmarked and shared.
type calendarFilters struct {
	Organization, Kind, Area, Series, Body, Person, Venue string
}

func readFilters(q url.Values) calendarFilters {
	return calendarFilters{Organization: q.Get("organization"), Kind: q.Get("kind"), Area: q.Get("area"), Series: q.Get("series"), Body: q.Get("body"), Person: q.Get("person"), Venue: q.Get("venue")}
}

// query writes the filters back as URL parameters (for the events feed
// and the view switcher).
func (f calendarFilters) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"organization": f.Organization, "kind": f.Kind, "area": f.Area, "series": f.Series, "body": f.Body, "person": f.Person, "venue": f.Venue} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

func (f calendarFilters) activityFilter(from, to time.Time) models.ActivityFilter {
	return models.ActivityFilter{From: from, To: to, Organization: models.Ref(f.Organization), Kind: f.Kind, Area: f.Area, Series: f.Series, Body: models.Ref(f.Body), Person: models.Ref(f.Person), Venue: models.Ref(f.Venue)}
}

// calendarWindow is the span a view shows around day, in zone: the six
// weeks of a month grid (from the Monday on or before the 1st), a
// Monday-to-Sunday week, a day, or a calendar month for the list.
func calendarWindow(v CalendarView, day time.Time, zone *time.Location) (from, to time.Time) {
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, zone)
	monday := func(t time.Time) time.Time { return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7)) }
	switch v {
	case ViewWeek:
		from = monday(d)
		return from, from.AddDate(0, 0, 7)
	case ViewDay:
		return d, d.AddDate(0, 0, 1)
	case ViewList:
		first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, zone)
		return first, first.AddDate(0, 1, 0)
	}
	from = monday(time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, zone))
	return from, from.AddDate(0, 0, 42)
}

// calendarEvent is an occurrence as the calendar component takes it.
// Start and End are wall times in the person's zone without an offset,
// which the component shows as they are ("floating"): it knows UTC
// offsets only, not zones with their summer time.
type calendarEvent struct {
	ID        string            `json:"id"`
	Title     string            `json:"title"`
	Start     string            `json:"start"`
	End       string            `json:"end"`
	AllDay    bool              `json:"allDay"`
	Color     string            `json:"backgroundColor"`
	ClassName []string          `json:"classNames,omitempty"`
	Props     map[string]string `json:"extendedProps"`
	// Editable lets the person drag and resize the event (see
	// editableEvent); the component's own defaults would let every event
	// be dragged, so both are always sent.
	Editable         bool `json:"editable"`
	StartEditable    bool `json:"startEditable"`
	DurationEditable bool `json:"durationEditable"`
}

const floating = "2006-01-02T15:04:05"

// organizationColours are dark enough for white text at WCAG AA (4.5:1
// and more); an organisation keeps its colour across pages.
var organizationColours = [...]string{"#1f4e9c", "#8a3b12", "#116149", "#6b2d8c", "#7a5a00", "#0f5f7a"}

// orgColour is the colour of a lead organisation, stable across
// restarts: the EU and NATO, the seed's pair, get the first two.
func orgColour(code string) string {
	switch code {
	case "EU":
		return organizationColours[0]
	case "NATO":
		return organizationColours[5]
	}
	h := fnv.New32a()
	h.Write([]byte(code))
	return organizationColours[1+int(h.Sum32()%4)]
}

func toEvent(o models.OccurrenceView, zone *time.Location) calendarEvent {
	ev := calendarEvent{
		ID: o.Activity.Kind + "-" + strconv.FormatInt(o.Activity.ID, 10) + "-" + o.Start.UTC().Format("20060102T150405"), Title: o.Activity.Title,
		Start: o.Start.In(zone).Format(floating), End: o.End.In(zone).Format(floating),
		Color: orgColour(o.Activity.LeadOrganization),
		Props: map[string]string{"url": "/activities/" + strconv.FormatInt(o.Activity.ID, 10), "lead": o.Activity.LeadOrganization, "kind": o.Activity.Kind, "status": o.Activity.Status, "venue": o.Activity.Venue},
	}
	// A span from midnight to midnight (an exercise's days) is drawn as
	// whole days, not as a block starting at 00:00.
	if s, e := o.Start.In(zone), o.End.In(zone); isMidnight(s) && isMidnight(e) && e.Sub(s) >= 23*time.Hour {
		ev.AllDay, ev.Start, ev.End = true, s.Format("2006-01-02"), e.Format("2006-01-02")
	}
	if o.Activity.Status == string(models.StatusCancelled) {
		ev.ClassName = []string{"cancelled"}
	}
	return ev
}

func isMidnight(t time.Time) bool { return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 }

// maxCalendarOccurrences bounds what one view loads: six weeks of a busy
// plan are a few hundred, a day of 100,000 activities over three years
// about 270; a month of those is 8,000, of which the month grid would
// show "+N more" on every day, and the page says how many it left out.
const maxCalendarOccurrences = 1000

// maxEventsFeedOccurrences bounds /calendar/events, from which the
// calendar component loads the periods a planner moves to, and which has
// no notice to give: it keeps the bound views had before the page's own
// was lowered (maxCalendarOccurrences), so that moving to the next month
// loses nothing it used to show.
const maxEventsFeedOccurrences = 2000

// occurrences pages through the visible occurrences of a window, up to
// limit, and says how many the window holds.
func (w *Web) occurrences(c echo.Context, f models.ActivityFilter, limit int) ([]models.OccurrenceView, int64, error) {
	all, total, err := models.PagesUpTo(func(opts models.ListOptions) (models.Page[models.OccurrenceView], error) {
		f.Limit, f.Cursor = opts.Limit, opts.Cursor
		return w.Store.ListOccurrences(c.Request().Context(), actor(c), models.OccurrenceFilter{ActivityFilter: f})
	}, limit)
	return all, max(total, int64(len(all))), err
}

// calendarData is the calendar page's data.
type calendarData struct {
	View       CalendarView
	Views      []CalendarView
	Day        time.Time
	From, To   time.Time
	Filters    calendarFilters
	Query      template.URL // the filters, encoded (url.Values.Encode), for links
	Days       []agendaDay
	EventsJSON template.JS
	Legend     []legendEntry
	FieldError map[string]string
	Options    filterOptions
	// Replies are the reply summaries of the activities the person plans.
	Replies map[int64]*models.ReplySummary
	// Shown of the Total occurrences of the window are on the page, up to
	// the day ShownThrough when some are left out.
	Shown        int
	Total        int64
	ShownThrough time.Time
}

type agendaDay struct {
	Day         time.Time
	Occurrences []models.OccurrenceView
}

type legendEntry struct{ Code, Name, Colour string }

// filterOptions fill the filter form's choices.
type filterOptions struct {
	Organizations []models.Organization
	Bodies        []models.Body
	Venues        []models.Venue
	Kinds         []models.Kind
}

// calendarPage shows the plan: the component draws month, week, day or
// list; the same occurrences are on the page as an agenda, which is what
// a browser without script, a screen reader or a printer uses.
func (w *Web) calendarPage(c echo.Context) error {
	p, err := w.newPage(c, "calendar", "")
	if err != nil {
		return err
	}
	p.Title = p.T("calendar.title")
	d := calendarData{View: ViewMonth, Views: calendarViews[:], Filters: readFilters(c.QueryParams()), FieldError: map[string]string{}}
	if v := CalendarView(c.QueryParam("view")); v == ViewWeek || v == ViewDay || v == ViewList {
		d.View = v
	}
	d.Day = w.now().In(p.Zone)
	if s := c.QueryParam("date"); s != "" {
		day, err := time.ParseInLocation("2006-01-02", s, p.Zone)
		if err != nil {
			d.FieldError["date"] = p.T("calendar.bad_date")
		} else {
			d.Day = day
		}
	}
	d.From, d.To = calendarWindow(d.View, d.Day, p.Zone)
	d.Query = template.URL(d.Filters.query().Encode())
	occ, total, err := w.occurrences(c, d.Filters.activityFilter(d.From, d.To), maxCalendarOccurrences)
	d.Shown, d.Total = len(occ), total
	if len(occ) > 0 && int64(len(occ)) < total {
		d.ShownThrough = occ[len(occ)-1].Start.In(p.Zone)
	}
	var verr *models.ValidationError
	if errors.As(err, &verr) {
		for _, fe := range verr.Errors {
			d.FieldError[fe.Field] = p.FieldMessage(fe)
		}
		p.Status = http.StatusUnprocessableEntity
		occ, err = nil, nil
	}
	if err != nil {
		return err
	}
	access, err := w.Store.WriteAccess(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	if d.Replies, err = w.replySummaries(c, occ); err != nil {
		return err
	}
	events := make([]calendarEvent, 0, len(occ))
	leads := map[string]bool{}
	for _, o := range occ {
		events = append(events, editableEvent(toEvent(o, p.Zone), o, access))
		leads[o.Activity.LeadOrganization] = true
		day := o.Start.In(p.Zone)
		day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, p.Zone)
		if n := len(d.Days); n == 0 || !d.Days[n-1].Day.Equal(day) {
			d.Days = append(d.Days, agendaDay{Day: day})
		}
		d.Days[len(d.Days)-1].Occurrences = append(d.Days[len(d.Days)-1].Occurrences, o)
	}
	if len(d.FieldError) == 0 {
		busy, err := w.restrictedBusy(c, d.Filters, d.From, d.To, p)
		if err != nil {
			return err
		}
		events = append(events, busy...)
	}
	raw, err := json.Marshal(events)
	if err != nil {
		return err
	}
	// template.JS in a <script type="application/json"> element: the
	// encoder escapes <, > and & as \u003c…, so the data cannot close
	// the element.
	d.EventsJSON = template.JS(raw)
	if d.Options, err = w.filterOptions(c); err != nil {
		return err
	}
	for _, o := range d.Options.Organizations {
		if leads[o.Code] {
			d.Legend = append(d.Legend, legendEntry{Code: o.Code, Name: o.Name, Colour: orgColour(o.Code)})
		}
	}
	p.Data = d
	return w.render(c, "calendar", p)
}

// filterOptions lists the organisations, bodies and venues to filter by
// (reference data, which every signed-in person may read), every one of
// them: the 100,000-activity data holds 516 bodies, and a list cut at one
// page of 500 left 16 out of every filter and booking form.
func (w *Web) filterOptions(c echo.Context) (filterOptions, error) {
	ctx := c.Request().Context()
	o := filterOptions{Kinds: models.Kinds()}
	var err error
	if o.Organizations, err = models.AllPages(func(opts models.ListOptions) (models.Page[models.Organization], error) {
		return w.Store.ListOrganizations(ctx, models.OrganizationFilter{ListOptions: opts})
	}); err != nil {
		return o, err
	}
	if o.Bodies, err = models.AllPages(func(opts models.ListOptions) (models.Page[models.Body], error) {
		return w.Store.ListBodies(ctx, models.BodyFilter{ListOptions: opts})
	}); err != nil {
		return o, err
	}
	o.Venues, err = models.AllPages(func(opts models.ListOptions) (models.Page[models.Venue], error) {
		return w.Store.ListVenues(ctx, models.VenueFilter{ListOptions: opts})
	})
	return o, err
}

// calendarEvents answers the component's requests as it moves through
// time: the visible occurrences between start and end (wall times in the
// person's zone, as the component sends them), with the page's filters.
func (w *Web) calendarEvents(c echo.Context) error {
	p, err := w.newPage(c, "calendar", "")
	if err != nil {
		return err
	}
	from, ferr := parseWallTime(c.QueryParam("start"), p.Zone)
	to, terr := parseWallTime(c.QueryParam("end"), p.Zone)
	if ferr != nil || terr != nil || !to.After(from) || to.Sub(from) > 62*24*time.Hour {
		return w.fail(c, http.StatusBadRequest, "error.bad_window")
	}
	occ, _, err := w.occurrences(c, readFilters(c.QueryParams()).activityFilter(from, to), maxEventsFeedOccurrences)
	if err != nil {
		return err
	}
	access, err := w.Store.WriteAccess(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	events := make([]calendarEvent, 0, len(occ))
	for _, o := range occ {
		events = append(events, editableEvent(toEvent(o, p.Zone), o, access))
	}
	busy, err := w.restrictedBusy(c, readFilters(c.QueryParams()), from, to, p)
	if err != nil {
		return err
	}
	events = append(events, busy...)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, events)
}

// parseWallTime reads what the component sends: a wall time or a date,
// in zone, or an instant with an offset.
func parseWallTime(s string, zone *time.Location) (time.Time, error) {
	for _, layout := range []string{floating, "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t, nil
		}
	}
	return time.Parse(time.RFC3339, s)
}
