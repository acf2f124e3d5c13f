package api

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// wantsCSV says whether a report is asked for as CSV: ?format=csv, or an
// Accept header that names text/csv (and no ?format=json).
func wantsCSV(c echo.Context) (bool, error) {
	switch c.QueryParam("format") {
	case "csv":
		return true, nil
	case "json":
		return false, nil
	case "":
		return strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/csv"), nil
	}
	return false, unprocessable("format", "want json or csv")
}

// reportFilter reads the window, grouping and zone of a report.
func reportFilter(c echo.Context) (models.ReportFilter, error) {
	from, to, err := window(c)
	if err != nil {
		return models.ReportFilter{}, err
	}
	return models.ReportFilter{From: from, To: to, GroupBy: c.QueryParam("group_by"), TimeZone: c.QueryParam("timezone")}, nil
}

// sendReport answers a report as JSON, or as CSV with a header line.
func sendReport(c echo.Context, name string, report any, header []string, lines func(add func(...string))) error {
	asCSV, err := wantsCSV(c)
	if err != nil {
		return err
	}
	if !asCSV {
		return c.JSON(http.StatusOK, report)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(header)
	lines(func(fields ...string) { _ = w.Write(fields) })
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func count(n int64) string { return strconv.FormatInt(n, 10) }

func (s *Server) reportActivities(c echo.Context) error {
	f, err := reportFilter(c)
	if err != nil {
		return err
	}
	r, err := s.store.ReportActivities(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return sendReport(c, "activities-by-"+r.GroupBy, r, []string{r.GroupBy, "activities", "occurrences"}, func(add func(...string)) {
		for _, g := range r.Groups {
			add(g.Key, count(g.Activities), count(g.Occurrences))
		}
	})
}

func (s *Server) reportCrossBriefings(c echo.Context) error {
	f, err := reportFilter(c)
	if err != nil {
		return err
	}
	r, err := s.store.ReportCrossBriefings(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return sendReport(c, "cross-briefings", r, []string{"year", "host_body", "host_organization", "briefing_organization", "count"}, func(add func(...string)) {
		for _, x := range r.Rows {
			add(strconv.Itoa(x.Year), x.HostBody, x.HostOrganization, x.BriefingOrganization, count(x.Count))
		}
	})
}

func (s *Server) reportExerciseParticipation(c echo.Context) error {
	f, err := reportFilter(c)
	if err != nil {
		return err
	}
	r, err := s.store.ReportExerciseParticipation(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return sendReport(c, "exercise-participation", r, []string{"exercise_id", "exercise", "strand_id", "strand", "strand_kind", "participant_type", "participant", "organization", "role", "rsvp"}, func(add func(...string)) {
		for _, x := range r.Rows {
			add(count(x.ExerciseID), x.Exercise, count(x.StrandID), x.Strand, x.StrandKind, x.ParticipantType, x.Participant, x.Organization, x.Role, x.RSVP)
		}
	})
}
