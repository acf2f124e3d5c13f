package web

import (
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// busyColour is the grey of "busy (restricted)" blocks (the stripes come
// from the style sheet's .busy).
const busyColour = "#5c6570"

// restrictedBusy are the grey blocks of the calendar: when a view is
// filtered to a body, a person or a venue, the time that resource spends
// in activities the person may not see. The store reduces those to bare
// spans (ResourceSchedules), so a block carries no title, no link and no
// organisation; the visible activities are already the calendar's events.
func (w *Web) restrictedBusy(c echo.Context, f calendarFilters, from, to time.Time, p *page) ([]calendarEvent, error) {
	var keys []models.ResourceKey
	for typ, ref := range map[models.ResourceType]string{models.ResourceBody: f.Body, models.ResourcePerson: f.Person, models.ResourceVenue: f.Venue} {
		if ref != "" {
			keys = append(keys, models.ResourceKey{Type: typ, IDOrCode: models.Ref(ref)})
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	schedules, err := w.Store.ResourceSchedules(c.Request().Context(), actor(c), keys, from, to)
	if err != nil {
		return nil, err
	}
	label := p.T("calendar.busy_restricted")
	seen := map[[2]int64]bool{}
	var out []calendarEvent
	for _, s := range schedules {
		for _, b := range s.Busy {
			span := [2]int64{b.Start.Unix(), b.End.Unix()}
			if !b.Restricted || seen[span] {
				continue
			}
			seen[span] = true
			out = append(out, calendarEvent{
				ID: "busy-" + b.Start.UTC().Format("20060102T150405") + "-" + b.End.UTC().Format("20060102T150405"), Title: label,
				Start: b.Start.In(p.Zone).Format(floating), End: b.End.In(p.Zone).Format(floating),
				Color: busyColour, ClassName: []string{"busy"}, Props: map[string]string{"busy": "restricted"},
			})
		}
	}
	return out, nil
}
