package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/isoduration"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"github.com/labstack/echo/v4"
)

func (s *Server) activityConflicts(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	report, err := s.store.ActivityConflicts(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, report)
}

var weekdayCodes = map[string]time.Weekday{"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday, "TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday}

// availability answers the earliest free slots of the listed resources.
func (s *Server) availability(c echo.Context) error {
	q := models.AvailabilityQuery{Venue: models.Ref(c.QueryParam("venue")), Location: time.UTC, Limit: 5}
	var err error
	if q.From, err = timeParam(c, "from"); err != nil {
		return err
	}
	if q.To, err = timeParam(c, "to"); err != nil {
		return err
	}
	if v := c.QueryParam("participants"); v != "" {
		for _, item := range strings.Split(v, ",") {
			typ, ref, ok := strings.Cut(strings.TrimSpace(item), ":")
			if !ok || ref == "" {
				return invalid("participants", "want a comma-separated list of type:id_or_code, e.g. person:12,body:PSC")
			}
			q.Participants = append(q.Participants, models.ParticipantInput{Type: typ, IDOrCode: models.Ref(ref)})
		}
	}
	if q.Duration, err = isoduration.Parse(c.QueryParam("duration")); err != nil {
		return invalid("duration", "want an ISO 8601 duration such as PT2H")
	}
	if tz := c.QueryParam("timezone"); tz != "" {
		if q.Location, err = planning.LoadZone(tz); err != nil {
			return invalid("timezone", "unknown IANA time zone")
		}
	}
	if wh := c.QueryParam("working_hours"); wh != "" {
		if q.WorkStart, q.WorkEnd, err = parseWorkingHours(wh); err != nil {
			return invalid("working_hours", "want HH:MM-HH:MM, e.g. 09:00-18:00")
		}
	}
	if days := c.QueryParam("days"); days != "" {
		for _, d := range strings.Split(days, ",") {
			wd, ok := weekdayCodes[strings.ToUpper(strings.TrimSpace(d))]
			if !ok {
				return invalid("days", "want two-letter weekdays such as MO,TU,WE,TH,FR")
			}
			q.Days = append(q.Days, wd)
		}
	}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return invalid("limit", "want an integer")
		}
		if n < 1 || n > 100 {
			return unprocessable("limit", "want 1 to 100")
		}
		q.Limit = n
	}
	slots, err := s.store.Availability(c.Request().Context(), actor(c), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"slots": slots, "timezone": q.Location.String()})
}

// parseWorkingHours reads "09:00-18:00" as offsets from local midnight.
func parseWorkingHours(s string) (start, end time.Duration, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, strconv.ErrSyntax
	}
	parse := func(hm string) (time.Duration, error) {
		t, err := time.Parse("15:04", strings.TrimSpace(hm))
		if err != nil {
			if strings.TrimSpace(hm) == "24:00" {
				return 24 * time.Hour, nil
			}
			return 0, err
		}
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
	}
	if start, err = parse(a); err != nil {
		return 0, 0, err
	}
	if end, err = parse(b); err != nil {
		return 0, 0, err
	}
	if end <= start {
		return 0, 0, strconv.ErrRange
	}
	return start, end, nil
}
