package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// The import page reads an .ics upload, shows what importing it would do
// (the store's dry run, the same report as POST /api/v1/import/ics?dry_run)
// and imports it when the person confirms.
//
// Between preview and confirmation the file is kept by the browser, not
// the server: the preview page carries it in a hidden field of the
// confirmation form, which sends it back. Nothing is held in memory or on
// disk between two requests, so any instance can answer the confirmation,
// nothing needs expiring, and the confirmation is checked exactly like the
// upload (CSRF, size, parsing, the store's roles and validation) — a
// changed field only imports a different file, which the person could
// have uploaded anyway.
//
// A file of more than JOINTCAL_IMPORT_ASYNC_EVENTS events takes seconds to
// write, so its preview and its import run as the API's background jobs,
// whose progress the job page shows (htmx polls it).

// importForm is the upload form's values.
type importForm struct {
	Organization, TimeZone string
	Partial                bool
}

// importData is the import page's data.
type importData struct {
	Form          importForm
	Errors        formErrors
	Organizations []models.Organization
	// Preview is the dry run's report; Calendar the file, sent back on
	// confirmation.
	Preview  *models.ImportReport
	Calendar string
	Events   int
	// Done is the report of the import made.
	Done *models.ImportReport
	// Job is a background preview or import.
	Job *models.ImportJob
	p   *page
}

// reportView is a report with the page, for the report template.
type reportView struct {
	P *page
	R *models.ImportReport
}

// ReportOf pairs a report with the page.
func (d importData) ReportOf(r *models.ImportReport) reportView { return reportView{P: d.p, R: r} }

// Percent is how far a job is.
func (d importData) Percent() int64 {
	if d.Job == nil || d.Job.Total == 0 {
		return 0
	}
	return d.Job.Done * 100 / d.Job.Total
}

// Running reports whether the job is still at work.
func (d importData) Running() bool { return d.Job != nil && d.Job.State == models.ImportJobRunning }

// Blocked reports whether the previewed import would write nothing: an
// all-or-nothing import of a file with invalid events.
func (d importData) Blocked() bool {
	return d.Preview != nil && len(d.Preview.Errors) > 0 && !d.Form.Partial
}

func (w *Web) importPage(c echo.Context) error {
	p, err := w.newPage(c, "import", "")
	if err != nil {
		return err
	}
	return w.renderImport(c, http.StatusOK, importData{Form: importForm{Organization: p.Me.Organization}})
}

func (w *Web) renderImport(c echo.Context, status int, d importData) error {
	p, err := w.newPage(c, "import", "")
	if err != nil {
		return err
	}
	orgs, err := w.Store.ListOrganizations(c.Request().Context(), models.OrganizationFilter{ListOptions: models.ListOptions{Limit: models.MaxLimit}})
	if err != nil {
		return err
	}
	d.Organizations, d.p = orgs.Items, p
	p.Title, p.Data, p.Status = p.T("import.title"), d, status
	return w.render(c, "import", p)
}

// previewImport reads the upload and shows the dry run.
func (w *Web) previewImport(c echo.Context) error {
	return w.runImport(c, true)
}

// confirmImport imports the file the preview page sent back.
func (w *Web) confirmImport(c echo.Context) error {
	return w.runImport(c, false)
}

// limitImportBody bounds an import request before anything reads it
// (the session middleware reads the form for its CSRF token): the file,
// once uploaded or sent back escaped by the browser, plus the other
// fields. A larger body is refused as too large, never spooled to disk.
func (w *Web) limitImportBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		limit := 2*w.Config.ImportMaxBytes + 64<<10
		req := c.Request()
		if req.ContentLength > limit {
			return w.fail(c, http.StatusRequestEntityTooLarge, "import.too_large")
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		return next(c)
	}
}

func (w *Web) runImport(c echo.Context, dry bool) error {
	req := c.Request()
	form := importForm{Organization: c.FormValue("organization"), TimeZone: strings.TrimSpace(c.FormValue("timezone")), Partial: c.FormValue("partial") == "true"}
	d := importData{Form: form}
	body, key, err := w.uploadedCalendar(c, dry)
	if err != nil {
		return err
	}
	if key != "" {
		d.Errors = formErrors{"file": w.message(c, key)}
		return w.renderImport(c, http.StatusUnprocessableEntity, d)
	}
	ctx, a := req.Context(), actor(c)
	opts := models.ImportOptions{Organization: models.Ref(form.Organization), DryRun: dry, Partial: form.Partial}
	zone, err := w.Store.ImportZone(ctx, opts.Organization, form.TimeZone)
	if errs, ok := w.storeFieldErrors(c, err); ok {
		d.Errors = errs
		return w.renderImport(c, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	parsed, err := calendar.ParseImport(bytes.NewReader(body), calendar.ImportOptions{DefaultZone: zone, Limits: calendar.ImportLimits{MaxBytes: w.Config.ImportMaxBytes, MaxEvents: w.Config.ImportMaxEvents}})
	if err != nil {
		var ie *calendar.ImportError
		msg := err.Error()
		if errors.As(err, &ie) {
			msg = w.message(c, "import.bad_line", ie.Line, ie.Message)
		}
		d.Errors = formErrors{"file": msg}
		return w.renderImport(c, http.StatusUnprocessableEntity, d)
	}
	d.Events = len(parsed.Events)
	if dry {
		d.Calendar = string(body)
	}
	if w.StartImportJob != nil && len(parsed.Events) > w.Config.ImportAsyncEvents {
		job, err := w.StartImportJob(ctx, a, parsed, opts, w.Log)
		if errors.Is(err, models.ErrImportBusy) {
			d.Errors = formErrors{"file": w.message(c, "import.busy")}
			return w.renderImport(c, http.StatusServiceUnavailable, d)
		}
		if errs, ok := w.storeFieldErrors(c, err); ok {
			d.Errors = errs
			return w.renderImport(c, http.StatusUnprocessableEntity, d)
		}
		if err != nil {
			return err
		}
		if !dry {
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/import/jobs/%d", job.ID))
		}
		d.Job = job
		return w.renderImport(c, http.StatusAccepted, d)
	}
	rep, err := w.Store.Import(ctx, a, parsed, opts)
	if errors.Is(err, models.ErrImportInvalid) {
		err = nil // the report lists the invalid events; nothing was written
	}
	if errs, ok := w.storeFieldErrors(c, err); ok {
		d.Errors = errs
		return w.renderImport(c, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	if dry {
		d.Preview = rep
	} else {
		d.Done = rep
	}
	return w.renderImport(c, http.StatusOK, d)
}

// uploadedCalendar reads the calendar of an import request: the uploaded
// "file" on preview, the "calendar" field the preview page sent back on
// confirmation. A problem the person can fix is returned as a message key.
func (w *Web) uploadedCalendar(c echo.Context, upload bool) ([]byte, string, error) {
	limit := w.Config.ImportMaxBytes
	if !upload {
		s := c.FormValue("calendar")
		if s == "" {
			return nil, "import.no_file", nil
		}
		if int64(len(s)) > limit {
			return nil, "import.too_large", nil
		}
		return []byte(s), "", nil
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "import.too_large", nil
		}
		return nil, "import.no_file", nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", fmt.Errorf("open the uploaded calendar: %w", err)
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, "", fmt.Errorf("read the uploaded calendar: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, "import.too_large", nil
	}
	if len(body) == 0 {
		return nil, "import.no_file", nil
	}
	return body, "", nil
}

// importJobPage shows a background preview or import: its progress while
// it runs (the page polls itself with htmx; without script, a link
// reloads it) and its report once done. Only its creator and
// administrators see it (the store decides).
func (w *Web) importJobPage(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return w.fail(c, http.StatusNotFound, "import.no_job")
	}
	job, err := w.Store.GetImportJob(c.Request().Context(), actor(c), id)
	if errors.Is(err, models.ErrNotFound) {
		return w.fail(c, http.StatusNotFound, "import.no_job")
	}
	if err != nil {
		return err
	}
	return w.renderImport(c, http.StatusOK, importData{Job: job})
}

// message is a catalogue message in the request's language.
func (w *Web) message(c echo.Context, key string, args ...any) string {
	p, err := w.newPage(c, "", "")
	if err != nil {
		return w.cat.Text(English, key, args...)
	}
	return p.T(key, args...)
}
