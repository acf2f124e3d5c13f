package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// importICS imports a text/calendar body (or a multipart upload's "file")
// as activities led by ?organization=, all or nothing unless partial=true;
// dry_run=true reports without writing; ?timezone= is the zone of floating
// times when the file names none (default: the organisation's). A file of
// more than JOINTCAL_IMPORT_ASYNC_EVENTS events (a file that takes seconds
// to write, longer than a client or the write timeout should wait), or
// async=true, runs as a job (202).
func (s *Server) importICS(c echo.Context) error {
	q := c.QueryParam
	opts := models.ImportOptions{Organization: models.Ref(q("organization"))}
	if opts.Organization == "" {
		return invalid("organization", "name the organisation that leads the imported activities (?organization=EU)")
	}
	var err error
	async := false
	for name, dst := range map[string]*bool{"dry_run": &opts.DryRun, "partial": &opts.Partial, "async": &async} {
		if v := q(name); v != "" {
			if *dst, err = strconv.ParseBool(v); err != nil {
				return invalid(name, "want true or false")
			}
		}
	}
	// Floating times: the file's X-WR-TIMEZONE, else ?timezone=, else the
	// organisation's zone.
	zone, err := s.store.ImportZone(c.Request().Context(), opts.Organization, q("timezone"))
	if err != nil {
		return err
	}
	body, err := s.calendarBody(c)
	if err != nil {
		return err
	}
	parsed, err := calendar.ParseImport(bytes.NewReader(body), calendar.ImportOptions{DefaultZone: zone, Limits: calendar.ImportLimits{MaxBytes: s.cfg.ImportMaxBytes, MaxEvents: s.cfg.ImportMaxEvents}})
	if err != nil {
		var ie *calendar.ImportError
		if errors.As(err, &ie) {
			p := problem(http.StatusUnprocessableEntity, "invalid-calendar", fmt.Sprintf("line %d: %s", ie.Line, ie.Message))
			p.Errors = []models.FieldError{{Field: fmt.Sprintf("line %d", ie.Line), Message: ie.Message}}
			return p
		}
		return invalid("body", err.Error())
	}
	if async || len(parsed.Events) > s.cfg.ImportAsyncEvents {
		return s.startImportJob(c, parsed, opts)
	}
	started := time.Now()
	rep, err := s.store.Import(c.Request().Context(), actor(c), parsed, opts)
	if errors.Is(err, models.ErrImportInvalid) {
		p := problem(http.StatusUnprocessableEntity, "invalid-calendar", fmt.Sprintf("%d event(s) are invalid; nothing was imported (partial=true imports the valid ones)", len(rep.Errors)))
		for _, e := range rep.Errors {
			p.Errors = append(p.Errors, models.FieldError{Field: fmt.Sprintf("line %d", e.Line), Message: e.Message})
		}
		return p
	}
	if err != nil {
		return err
	}
	logger(c).Info("import", "organization", opts.Organization, "events", len(parsed.Events), "created", rep.Created, "updated", rep.Updated,
		"unchanged", rep.Unchanged, "dry_run", opts.DryRun, "duration_ms", time.Since(started).Milliseconds())
	return c.JSON(http.StatusOK, rep)
}

// calendarBody reads the iCalendar bytes of an import request, bounded.
func (s *Server) calendarBody(c echo.Context) ([]byte, error) {
	req := c.Request()
	limit := s.cfg.ImportMaxBytes
	media, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	var r io.Reader = http.MaxBytesReader(c.Response(), req.Body, limit+64<<10)
	switch media {
	case "text/calendar", "application/octet-stream", "":
	case "multipart/form-data":
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit+64<<10)
		f, _, err := req.FormFile("file")
		if err != nil {
			return nil, invalid("file", "send the calendar as the multipart field \"file\"")
		}
		defer f.Close()
		r = f
	default:
		return nil, problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "send text/calendar, or multipart/form-data with a \"file\" field")
	}
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, problem(http.StatusRequestEntityTooLarge, "body-too-large", fmt.Sprintf("the calendar is larger than %d bytes (JOINTCAL_IMPORT_MAX_BYTES)", limit))
		}
		return nil, problem(http.StatusBadRequest, "bad-request", "could not read the calendar")
	}
	if int64(len(body)) > limit {
		return nil, problem(http.StatusRequestEntityTooLarge, "body-too-large", fmt.Sprintf("the calendar is larger than %d bytes (JOINTCAL_IMPORT_MAX_BYTES)", limit))
	}
	return body, nil
}
