package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"github.com/labstack/echo/v4"
)

// ProgrammeZoom is how much of the programme one screen shows.
type ProgrammeZoom string

// The programme's zooms: years with their quarters, or one quarter with
// its months.
const (
	ZoomYear    ProgrammeZoom = "year"
	ZoomQuarter ProgrammeZoom = "quarter"
)

// maxProgrammeYears bounds the year zoom (the store's deconfliction
// report spans at most three years).
const maxProgrammeYears = 3

// programmeBar is an exercise or one of its phases, placed on the
// window as percentages.
type programmeBar struct {
	A           models.ActivityView
	Left, Width float64
	Colour      string
	// Clash names the activities whose planning overlaps this one's.
	Clash []string
	// Pace describes the PACE pairs of an exercise: the partner it
	// overlaps on purpose, the year and that year's lead.
	Pace []string
}

// Style is the bar's position and colour (a style attribute: the CSP
// allows those, and no script is needed to draw the programme).
func (b programmeBar) Style() template.CSS {
	// Numbers and a colour of our own palette: nothing a person typed.
	return template.CSS(fmt.Sprintf("left: %.3f%%; width: %.3f%%; background-color: %s", b.Left, b.Width, b.Colour))
}

// minLabelRoom is the share of the window (in %) a name beside its bar
// needs at least; with less on either side the name is left to the bar.
const minLabelRoom = 8

// LabelStyle places the exercise's name beside its bar, on the side with
// more room, and cuts it to that room with an ellipsis (the bar's tooltip
// holds it whole), so that a long name never runs past the chart and
// widens the page.
func (b programmeBar) LabelStyle() template.CSS {
	after := 100 - (b.Left + b.Width)
	if max(b.Left, after) < minLabelRoom {
		// The bar spans about the whole window and shows the name itself.
		return "display: none"
	}
	if b.Left > after {
		return template.CSS(fmt.Sprintf("right: calc(%.3f%% + 4px); max-width: calc(%.3f%% - 8px)", 100-b.Left, b.Left))
	}
	// 28px: a bar is drawn at least 24px wide, however short the exercise.
	return template.CSS(fmt.Sprintf("left: calc(%.3f%% + 28px); max-width: calc(%.3f%% - 32px)", b.Left+b.Width, after))
}

// programmeTrack is one exercise with its phases and planning
// conferences, on one line.
type programmeTrack struct {
	Exercise *programmeBar
	Phases   []programmeBar
}

// programmeSeries is a row of the programme: a series of exercises.
type programmeSeries struct {
	Name   string
	Tracks []programmeTrack
}

// programmeTick is a mark on the scale (a quarter or a month).
type programmeTick struct {
	Label       string
	Left, Width float64
}

// programmeData is the programme page's data.
type programmeData struct {
	Zoom     ProgrammeZoom
	FromYear int
	ToYear   int
	Quarter  int
	From, To time.Time
	// PrevQuery and NextQuery are the queries of the windows before and
	// after, typed as URLs so that the template writes them as they are
	// ("zoom=year&from=…", not "zoom%3dyear%26from…", which would name
	// one parameter).
	PrevQuery  template.URL
	NextQuery  template.URL
	Ticks      []programmeTick
	Series     []programmeSeries
	Legend     []legendEntry
	FieldError map[string]string
	// OverlapsThrough is how far planning overlaps were looked for when
	// the window holds more than a page can mark (zero: all of it).
	OverlapsThrough time.Time
	// Exercises and Phases say how many of the window's exercises and
	// phases the page shows, of how many, and link the next ones.
	Exercises, Phases programmeShare
	// Paged is set on a page after the first; FirstQuery is the first's.
	Paged      bool
	FirstQuery template.URL
}

// programmeShare is what a programme page shows of one kind: Shown bars of
// Total, and Next, the query of the page showing the following ones
// (empty when none is left).
type programmeShare struct {
	Shown int
	Total int64
	Next  template.URL
}

// programmeBars bounds the exercises, and apart the phases, one programme
// page draws: a window of three years at 100,000 activities holds 16,000
// phases, a 10 MB page and seconds of work; 200 bars are a long screen. Beyond it the page says how
// many there are and links the next ones (a cursor per kind).
const programmeBars = 200

// programmePage is the multi-year exercise programme: a row per series,
// each exercise a bar with its phases and planning conferences (its
// children) on the same line, coloured by lead organisation, with the
// store's planning-overlap clashes marked. Server-rendered: bars are
// links placed with percentages.
func (w *Web) programmePage(c echo.Context) error {
	p, err := w.newPage(c, "programme", "")
	if err != nil {
		return err
	}
	p.Title = p.T("programme.title")
	d := &programmeData{Zoom: ZoomYear, FieldError: map[string]string{}}
	p.Data = d
	now := w.now().In(p.Zone)
	d.FromYear, d.ToYear = now.Year()-1, now.Year()+1
	d.Quarter = (int(now.Month())-1)/3 + 1
	if z := ProgrammeZoom(c.QueryParam("zoom")); z == ZoomQuarter {
		d.Zoom = z
		d.ToYear = now.Year()
		d.FromYear = now.Year()
	} else if z != "" && z != ZoomYear {
		d.FieldError["zoom"] = p.T("programme.bad_zoom")
	}
	readYear := func(name string, into *int) {
		if s := c.QueryParam(name); s != "" {
			y, err := strconv.Atoi(s)
			if err != nil || y < 1900 || y > 2999 {
				d.FieldError[name] = p.T("programme.bad_year")
				return
			}
			*into = y
		}
	}
	readYear("from", &d.FromYear)
	readYear("to", &d.ToYear)
	if s := c.QueryParam("quarter"); s != "" {
		q, err := strconv.Atoi(s)
		if err != nil || q < 1 || q > 4 {
			d.FieldError["quarter"] = p.T("programme.bad_quarter")
		} else {
			d.Quarter = q
		}
	}
	if d.Zoom == ZoomYear && len(d.FieldError) == 0 && (d.ToYear < d.FromYear || d.ToYear-d.FromYear >= maxProgrammeYears) {
		d.FieldError["to"] = p.T("programme.bad_span", maxProgrammeYears)
	}
	if len(d.FieldError) > 0 {
		p.Status = http.StatusUnprocessableEntity
		return w.render(c, "programme", p)
	}
	d.window(p)
	cursors := programmeCursors{Exercises: c.QueryParam("exercises"), Phases: c.QueryParam("phases")}
	if err := w.loadProgramme(c, p, d, cursors); err != nil {
		var verr *models.ValidationError
		if !errors.As(err, &verr) {
			return w.agendaFailure(c, err)
		}
		for _, fe := range verr.Errors {
			d.FieldError[fe.Field] = p.FieldMessage(fe)
		}
		p.Status = http.StatusUnprocessableEntity
	}
	return w.render(c, "programme", p)
}

// window sets the span, the scale and the neighbours of the zoom.
func (d *programmeData) window(p *page) {
	if d.Zoom == ZoomQuarter {
		d.From = time.Date(d.FromYear, time.Month(3*(d.Quarter-1)+1), 1, 0, 0, 0, 0, p.Zone)
		d.To = d.From.AddDate(0, 3, 0)
		for m := d.From; m.Before(d.To); m = m.AddDate(0, 1, 0) {
			d.Ticks = append(d.Ticks, programmeTick{Label: p.Month(m), Left: d.pos(m), Width: d.pos(m.AddDate(0, 1, 0)) - d.pos(m)})
		}
		prev, next := d.From.AddDate(0, -3, 0), d.To
		d.PrevQuery = template.URL(fmt.Sprintf("zoom=quarter&from=%d&quarter=%d", prev.Year(), (int(prev.Month())-1)/3+1))
		d.NextQuery = template.URL(fmt.Sprintf("zoom=quarter&from=%d&quarter=%d", next.Year(), (int(next.Month())-1)/3+1))
		return
	}
	d.From = time.Date(d.FromYear, 1, 1, 0, 0, 0, 0, p.Zone)
	d.To = time.Date(d.ToYear+1, 1, 1, 0, 0, 0, 0, p.Zone)
	for q := d.From; q.Before(d.To); q = q.AddDate(0, 3, 0) {
		d.Ticks = append(d.Ticks, programmeTick{Label: fmt.Sprintf("Q%d %d", (int(q.Month())-1)/3+1, q.Year()), Left: d.pos(q), Width: d.pos(q.AddDate(0, 3, 0)) - d.pos(q)})
	}
	d.PrevQuery = template.URL(fmt.Sprintf("zoom=year&from=%d&to=%d", d.FromYear-1, d.ToYear-1))
	d.NextQuery = template.URL(fmt.Sprintf("zoom=year&from=%d&to=%d", d.FromYear+1, d.ToYear+1))
}

// query is the query of this window's first page.
func (d *programmeData) query() url.Values {
	if d.Zoom == ZoomQuarter {
		return url.Values{"zoom": {string(ZoomQuarter)}, "from": {strconv.Itoa(d.FromYear)}, "quarter": {strconv.Itoa(d.Quarter)}}
	}
	return url.Values{"zoom": {string(ZoomYear)}, "from": {strconv.Itoa(d.FromYear)}, "to": {strconv.Itoa(d.ToYear)}}
}

// programmeCursors are where a programme page starts in each kind (the
// list's cursors; empty: at the first).
type programmeCursors struct{ Exercises, Phases string }

// share reads one page of a kind's activities in the window from cursor
// and says how many the window holds; next is the query of the page
// after it, keeping the other kind where it is.
func (w *Web) share(c echo.Context, d *programmeData, kind models.Kind, cursor string, next func(q url.Values, cursor string)) ([]models.ActivityView, programmeShare, error) {
	f := models.ActivityFilter{From: d.From, To: d.To, Kind: string(kind)}
	f.Limit, f.Cursor = programmeBars, cursor
	page, err := w.Store.ListActivities(c.Request().Context(), actor(c), f)
	if err != nil {
		return nil, programmeShare{}, err
	}
	sh := programmeShare{Shown: len(page.Items), Total: page.Total}
	if page.NextCursor != "" {
		q := d.query()
		next(q, page.NextCursor)
		sh.Next = template.URL(q.Encode())
	}
	return page.Items, sh, nil
}

// pos is t's place on the window, in percent, clamped to it.
func (d *programmeData) pos(t time.Time) float64 {
	if t.Before(d.From) {
		return 0
	}
	if t.After(d.To) {
		return 100
	}
	return 100 * float64(t.Sub(d.From)) / float64(d.To.Sub(d.From))
}

// bar places an activity on the window; a short one stays visible.
func (d *programmeData) bar(a models.ActivityView) programmeBar {
	left := d.pos(a.Start)
	width := max(d.pos(a.End)-left, 0.4)
	return programmeBar{A: a, Left: left, Width: min(width, 100-left), Colour: orgColour(a.LeadOrganization)}
}

// loadProgramme reads the exercises and their phases of the window and
// the planning overlaps among them, each through the store as the API
// reads them.
func (w *Web) loadProgramme(c echo.Context, p *page, d *programmeData, at programmeCursors) error {
	keep := func(q url.Values, name, cursor string) {
		if cursor != "" {
			q.Set(name, cursor)
		}
	}
	exercises, xs, err := w.share(c, d, models.KindExercise, at.Exercises, func(q url.Values, next string) {
		q.Set("exercises", next)
		keep(q, "phases", at.Phases)
	})
	if err != nil {
		return err
	}
	phases, ps, err := w.share(c, d, models.KindExercisePhase, at.Phases, func(q url.Values, next string) {
		keep(q, "exercises", at.Exercises)
		q.Set("phases", next)
	})
	if err != nil {
		return err
	}
	d.Exercises, d.Phases = xs, ps
	if d.Paged = at.Exercises != "" || at.Phases != ""; d.Paged {
		d.FirstQuery = template.URL(d.query().Encode())
	}
	clashes, through, err := w.planningOverlaps(c, d.From, d.To)
	if err != nil {
		return err
	}
	d.OverlapsThrough = through
	with := map[int64][]string{}
	for _, cl := range clashes { // the store filters by the rule
		other := p.T("calendar.busy_restricted")
		if !cl.Other.Restricted && cl.Other.Title != "" {
			other = cl.Other.Title
		}
		with[cl.Activity.ID] = appendOnce(with[cl.Activity.ID], other)
		if cl.Other.ActivityID != 0 {
			with[cl.Other.ActivityID] = appendOnce(with[cl.Other.ActivityID], cl.Activity.Title)
		}
	}
	pace, err := w.paceMarks(c, p)
	if err != nil {
		return err
	}
	place := func(a models.ActivityView) programmeBar {
		b := d.bar(a)
		b.Clash = with[a.ID]
		b.Pace = pace[a.ID]
		return b
	}
	series := map[string]*programmeSeries{}
	row := func(name string) *programmeSeries {
		if series[name] == nil {
			series[name] = &programmeSeries{Name: name}
		}
		return series[name]
	}
	track := map[int64]*programmeTrack{}
	leads := map[string]bool{}
	for _, x := range exercises {
		name := x.Series
		if name == "" {
			name = x.Title
		}
		s := row(name)
		b := place(x)
		s.Tracks = append(s.Tracks, programmeTrack{Exercise: &b})
		leads[x.LeadOrganization] = true
	}
	for _, s := range series {
		for i := range s.Tracks {
			track[s.Tracks[i].Exercise.A.ID] = &s.Tracks[i]
		}
	}
	var orphans []models.ActivityView
	for _, ph := range phases {
		leads[ph.LeadOrganization] = true
		if ph.Parent != nil && track[*ph.Parent] != nil {
			t := track[*ph.Parent]
			t.Phases = append(t.Phases, place(ph))
			continue
		}
		// A phase whose exercise lies outside the window (a planning
		// conference a year ahead) has a line of its own in its series.
		orphans = append(orphans, ph)
	}
	// Appended only now: the tracks above are pointed into.
	for _, ph := range orphans {
		name := ph.Series
		if name == "" {
			name = ph.Title
		}
		s := row(name)
		s.Tracks = append(s.Tracks, programmeTrack{Phases: []programmeBar{place(ph)}})
	}
	for _, s := range series {
		d.Series = append(d.Series, *s)
	}
	sort.Slice(d.Series, func(i, j int) bool { return strings.ToLower(d.Series[i].Name) < strings.ToLower(d.Series[j].Name) })
	orgs, err := w.Store.ListOrganizations(c.Request().Context(), models.OrganizationFilter{ListOptions: models.ListOptions{Limit: models.MaxLimit}})
	if err != nil {
		return err
	}
	for _, o := range orgs.Items {
		if leads[o.Code] {
			d.Legend = append(d.Legend, legendEntry{Code: o.Code, Name: o.Name, Colour: orgColour(o.Code)})
		}
	}
	return nil
}

// allActivities pages through the visible activities of a filter, up to
// limit.
func (w *Web) allActivities(c echo.Context, f models.ActivityFilter, limit int) ([]models.ActivityView, error) {
	all, _, err := models.PagesUpTo(func(opts models.ListOptions) (models.Page[models.ActivityView], error) {
		f.Limit, f.Cursor = opts.Limit, opts.Cursor
		return w.Store.ListActivities(c.Request().Context(), actor(c), f)
	}, limit)
	return all, err
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// planningOverlaps lists the planning overlaps among the exercises and
// phases of a window: the agenda of those kinds alone (not every meeting
// of the years shown), under that rule, one page of programmeOverlaps,
// and how far that page looked (through; zero when it covers the whole
// window): a year of the 100,000 generated activities holds 5,000 phases
// and 19,000 overlaps, ten seconds of computing.
func (w *Web) planningOverlaps(c echo.Context, from, to time.Time) ([]models.ListedConflict, time.Time, error) {
	f := models.ConflictFilter{From: from, To: to, Rule: planning.RulePlanningOverlap, Kinds: []models.Kind{models.KindExercise, models.KindExercisePhase}}
	page, err := w.Store.ListConflictsPage(c.Request().Context(), actor(c), f, models.ListOptions{Limit: programmeOverlaps})
	if err != nil {
		return nil, time.Time{}, err
	}
	return page.Items, page.Through, nil
}

// programmeOverlaps is how many planning overlaps a programme page asks
// the agenda for: every one of a plan of ordinary size (a year of the
// seed's cooperation holds a handful), and at 100,000 generated
// activities a page of them, the page saying up to which day they are
// marked.
const programmeOverlaps = 500
