package web

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
	"golang.org/x/sync/errgroup"
)

// reportsData is the report page's data: the figures of a progress
// report (activities by area and by quarter, cross-briefings per year),
// each a chart and the table it is drawn from.
type reportsData struct {
	From, To   string
	FieldError map[string]string
	ByArea     []bar
	ByQuarter  []bar
	Briefings  []bar
	Total      int64
	// CSV are the API's reports of the same window, as CSV downloads.
	CSV map[string]string
}

// bar is one row of a chart: a label, its count, and its length as a
// share of the longest (for the style attribute).
type bar struct {
	Label   string
	Count   int64
	Percent int
	// Detail breaks the count down (cross-briefings by briefing
	// organisation).
	Detail string
}

// bars scales counts to the longest.
func bars(labels []string, counts []int64) []bar {
	var max int64
	for _, c := range counts {
		if c > max {
			max = c
		}
	}
	out := make([]bar, len(labels))
	for i := range labels {
		out[i] = bar{Label: labels[i], Count: counts[i]}
		if max > 0 {
			out[i].Percent = int(counts[i] * 100 / max)
		}
	}
	return out
}

// reportsPage counts what the person may see in a window (default: the
// last two years), with the same store functions as the API's reports.
func (w *Web) reportsPage(c echo.Context) error {
	p, err := w.newPage(c, "reports", "")
	if err != nil {
		return err
	}
	p.Title = p.T("reports.title")
	today := w.now().In(p.Zone)
	d := reportsData{From: c.QueryParam("from"), To: c.QueryParam("to"), FieldError: map[string]string{}}
	if d.From == "" {
		d.From = today.AddDate(-2, 0, 0).Format(time.DateOnly)
	}
	if d.To == "" {
		d.To = today.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	from, ferr := time.ParseInLocation(time.DateOnly, d.From, p.Zone)
	to, terr := time.ParseInLocation(time.DateOnly, d.To, p.Zone)
	switch {
	case ferr != nil:
		d.FieldError["from"] = p.T("calendar.bad_date")
	case terr != nil:
		d.FieldError["to"] = p.T("calendar.bad_date")
	case !to.After(from):
		d.FieldError["to"] = p.T("reports.to_after_from")
	}
	if len(d.FieldError) == 0 {
		err = w.fillReports(c, p, &d, from, to)
		var verr *models.ValidationError
		if errors.As(err, &verr) {
			for _, fe := range verr.Errors {
				d.FieldError[fe.Field] = p.FieldMessage(fe)
			}
			err = nil
		}
		if err != nil {
			return err
		}
	}
	if len(d.FieldError) > 0 {
		p.Status = http.StatusUnprocessableEntity
	}
	p.Data = d
	return w.render(c, "reports", p)
}

// fillReports runs the three reports of the page, side by side: each is
// a scan of the period's activities (about 40 ms of CPU at 100,000
// activities), and none needs another's answer.
func (w *Web) fillReports(c echo.Context, p *page, d *reportsData, from, to time.Time) error {
	a := actor(c)
	f := models.ReportFilter{From: from, To: to, TimeZone: p.Zone.String()}
	areaF, quarterF := f, f
	areaF.GroupBy, quarterF.GroupBy = string(models.GroupByArea), string(models.GroupByQuarter)
	var byArea, byQuarter *models.ActivityReport
	var briefings *models.CrossBriefingReport
	g, ctx := errgroup.WithContext(c.Request().Context())
	g.Go(recovered(func() (err error) { byArea, err = w.Store.ReportActivities(ctx, a, areaF); return err }))
	g.Go(recovered(func() (err error) { byQuarter, err = w.Store.ReportActivities(ctx, a, quarterF); return err }))
	g.Go(recovered(func() (err error) { briefings, err = w.Store.ReportCrossBriefings(ctx, a, f); return err }))
	if err := g.Wait(); err != nil {
		return err
	}
	d.Total = byArea.Activities
	groups := append([]models.ReportGroup(nil), byArea.Groups...)
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Activities > groups[j].Activities })
	var labels []string
	var counts []int64
	for _, g := range groups {
		label := g.Key
		if label == "" {
			label = p.T("reports.no_area")
		}
		labels, counts = append(labels, label), append(counts, g.Activities)
	}
	d.ByArea = bars(labels, counts)

	labels, counts = nil, nil
	for _, g := range byQuarter.Groups {
		labels, counts = append(labels, g.Key), append(counts, g.Activities)
	}
	d.ByQuarter = bars(labels, counts)

	perYear := map[int]int64{}
	byOrg := map[int]map[string]int64{}
	for _, r := range briefings.Rows {
		perYear[r.Year] += r.Count
		if byOrg[r.Year] == nil {
			byOrg[r.Year] = map[string]int64{}
		}
		byOrg[r.Year][r.BriefingOrganization] += r.Count
	}
	years := make([]int, 0, len(perYear))
	for y := range perYear {
		years = append(years, y)
	}
	sort.Ints(years)
	labels, counts = nil, nil
	var details []string
	for _, y := range years {
		labels, counts = append(labels, strconv.Itoa(y)), append(counts, perYear[y])
		orgs := make([]string, 0, len(byOrg[y]))
		for o := range byOrg[y] {
			orgs = append(orgs, o)
		}
		sort.Strings(orgs)
		detail := ""
		for i, o := range orgs {
			if i > 0 {
				detail += ", "
			}
			detail += p.T("reports.briefed_by", o, byOrg[y][o])
		}
		details = append(details, detail)
	}
	d.Briefings = bars(labels, counts)
	for i := range d.Briefings {
		d.Briefings[i].Detail = details[i]
	}
	q := url.Values{"from": {from.UTC().Format(time.RFC3339)}, "to": {to.UTC().Format(time.RFC3339)}, "timezone": {p.Zone.String()}, "format": {"csv"}}
	d.CSV = map[string]string{}
	for _, g := range []models.ReportGrouping{models.GroupByArea, models.GroupByQuarter, models.GroupByOrganization, models.GroupByKind} {
		q.Set("group_by", string(g))
		d.CSV[string(g)] = "/api/v1/reports/activities?" + q.Encode()
	}
	q.Del("group_by")
	d.CSV["cross_briefings"] = "/api/v1/reports/cross-briefings?" + q.Encode()
	return nil
}
