package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// The service's working parts: tokens, external calendars, the reminder
// outbox, the scheduler's jobs and the audit log.

// --- tokens

var tokenFields = []formField{
	{Name: "name", Label: "admin.field.name", Required: true},
	{Name: "role", Label: "admin.field.role", Type: "select", Options: []option{{"viewer", "viewer"}, {"planner", "planner"}, {"admin", "admin"}}},
	{Name: "organization", Label: "admin.field.organization", Type: "select"},
}

func (w *Web) adminTokens(c echo.Context) error {
	return w.showTokens(c, http.StatusOK, tokenFields, nil, "", "")
}

func (w *Web) showTokens(c echo.Context, status int, fields []formField, errs formErrors, notice, secret string) error {
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	list, err := w.Store.ListTokens(ctx, actor(c))
	if err != nil {
		return err
	}
	orgs, err := w.orgOptions(ctx, p.T("admin.none_option"))
	if err != nil {
		return err
	}
	fields = append([]formField(nil), fields...)
	fields[2].Options = orgs
	t := adminTable{Section: "tokens", Heading: "admin.tokens.title", Intro: "admin.tokens.intro", Empty: "admin.none", Notice: notice, Secret: secret,
		Columns: []string{"admin.field.name", "admin.field.role", "admin.field.organization", "admin.field.created", "admin.field.last_used", "admin.field.state"},
		Form:    &adminForm{Heading: "admin.tokens.new", Action: "/admin/tokens", Button: "admin.tokens.create", Fields: fields, Errors: errs}}
	for _, tk := range list {
		state := p.T("admin.token.active")
		var actions []rowAction
		switch {
		case tk.RevokedAt != nil:
			state = p.T("admin.token.revoked")
		case tk.ExpiresAt != nil && !w.now().Before(*tk.ExpiresAt):
			state = p.T("admin.token.expired")
		default:
			actions = []rowAction{{Label: p.T("admin.revoke"), AriaLabel: p.T("admin.revoke_named", tk.Name), Action: "/admin/tokens/" + strconv.FormatInt(tk.ID, 10) + "/revoke", Danger: true}}
		}
		t.Rows = append(t.Rows, adminRow{Cells: []string{tk.Name, string(tk.Role), tk.OrganizationCode, p.when(&tk.CreatedAt), p.when(tk.LastUsedAt), state}, Actions: actions})
	}
	return w.renderAdmin(c, p, status, t)
}

// createServiceToken issues a service token; its secret is shown once,
// on the page this request answers.
func (w *Web) createServiceToken(c echo.Context) error {
	in := models.TokenInput{Name: strings.TrimSpace(c.FormValue("name")), Role: models.Role(c.FormValue("role")), Organization: models.Ref(c.FormValue("organization"))}
	tk, secret, err := w.Store.CreateToken(c.Request().Context(), actor(c), in)
	if errs, ok := w.storeFieldErrors(c, err); ok {
		return w.showTokens(c, http.StatusUnprocessableEntity, withValues(tokenFields, c), errs, "", "")
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return w.showTokens(c, http.StatusCreated, tokenFields, nil, w.message(c, "admin.tokens.created", tk.Name), secret)
}

func (w *Web) revokeServiceToken(c echo.Context) error {
	id, ok := idParam(c)
	if !ok {
		return w.fail(c, http.StatusNotFound, "admin.not_found")
	}
	if done, err := w.confirmAction(c, "admin.tokens.revoke", "/admin/tokens"); !done {
		return err
	}
	err := w.Store.RevokeToken(c.Request().Context(), actor(c), id)
	if err != nil && !errors.Is(err, models.ErrTokenAlreadyRevoked) {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/tokens")
}

// --- external calendars

func (w *Web) adminExternal(c echo.Context) error {
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return err
	}
	list, err := w.Store.ListExternalCalendars(c.Request().Context(), actor(c), listOpts(c))
	if err != nil {
		return err
	}
	t := adminTable{Section: "external", Heading: "admin.external.title", Intro: "admin.external.intro", Empty: "admin.none",
		Columns: []string{"admin.field.name", "admin.field.blocks", "admin.field.last_sync", "admin.field.last_success", "admin.field.events", "admin.field.last_error"},
		Next:    nextLink("/admin/external", nil, list.NextCursor)}
	for _, e := range list.Items {
		name := e.Name
		if e.Stale {
			name += " — " + p.T("admin.external.stale")
		}
		var actions []rowAction
		if w.SyncExternal != nil {
			actions = []rowAction{{Label: p.T("admin.external.sync"), AriaLabel: p.T("admin.external.sync_named", e.Name), Action: "/admin/external/" + strconv.FormatInt(e.ID, 10) + "/sync"}}
		}
		t.Rows = append(t.Rows, adminRow{Cells: []string{name, e.Blocks.Type + " " + string(e.Blocks.IDOrCode), p.when(e.LastSync), p.when(e.LastSuccess), strconv.FormatInt(e.EventCount, 10), e.LastError}, Actions: actions})
	}
	return w.renderAdmin(c, p, http.StatusOK, t)
}

// syncExternal fetches a subscription now; the outcome (success or the
// error) is recorded on it and shown by the list.
func (w *Web) syncExternal(c echo.Context) error {
	id, ok := idParam(c)
	if !ok {
		return w.fail(c, http.StatusNotFound, "admin.not_found")
	}
	ctx := c.Request().Context()
	if err := w.Store.AuthorizeExternalSync(ctx, actor(c), id); err != nil {
		return err
	}
	if w.SyncExternal == nil {
		return w.fail(c, http.StatusServiceUnavailable, "admin.external.no_sync")
	}
	_ = w.SyncExternal(ctx, id) // recorded on the subscription
	return c.Redirect(http.StatusSeeOther, "/admin/external")
}

// --- the reminder outbox

var outboxStatuses = []string{models.OutboxPending, models.OutboxSending, models.OutboxSent, models.OutboxFailed, models.OutboxExpired, models.OutboxDropped}

func (w *Web) adminOutbox(c echo.Context) error {
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return err
	}
	status := c.QueryParam("status")
	options := []option{{"", p.T("filter.any")}}
	for _, s := range outboxStatuses {
		options = append(options, option{s, s})
	}
	f := models.ReminderFilter{Status: status, ListOptions: listOpts(c)}
	list, err := w.Store.ListReminders(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	t := adminTable{Section: "outbox", Heading: "admin.outbox.title", Intro: "admin.outbox.intro", Empty: "admin.none",
		Filters: []formField{{Name: "status", Label: "admin.field.state", Type: "select", Options: options, Value: status}},
		Columns: []string{"admin.field.kind", "admin.field.recipient", "admin.field.due", "admin.field.state", "admin.field.attempts", "admin.field.last_error"},
		Next:    nextLink("/admin/outbox", c.QueryParams(), list.NextCursor)}
	for _, r := range list.Items {
		var actions []rowAction
		if r.Status == models.OutboxFailed {
			actions = []rowAction{{Label: p.T("admin.outbox.retry"), AriaLabel: p.T("admin.outbox.retry_named", r.RecipientEmail), Action: "/admin/outbox/" + strconv.FormatInt(r.ID, 10) + "/retry"}}
		}
		row := adminRow{Cells: []string{r.Kind, r.RecipientEmail, p.when(&r.Due), r.Status, strconv.Itoa(r.Attempts), r.LastError}, Actions: actions}
		if r.ActivityID != nil {
			row.Link = "/activities/" + strconv.FormatInt(*r.ActivityID, 10)
		}
		t.Rows = append(t.Rows, row)
	}
	return w.renderAdmin(c, p, http.StatusOK, t)
}

func (w *Web) retryReminder(c echo.Context) error {
	id, ok := idParam(c)
	if !ok {
		return w.fail(c, http.StatusNotFound, "admin.not_found")
	}
	_, err := w.Store.RetryReminder(c.Request().Context(), actor(c), id)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return w.ErrorPage(c, http.StatusConflict, ve.Error())
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/outbox?status=failed")
}

// --- jobs

func (w *Web) adminJobs(c echo.Context) error {
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return err
	}
	runs, err := w.Store.ListJobRuns(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	t := adminTable{Section: "jobs", Heading: "admin.jobs.title", Intro: "admin.jobs.intro", Empty: "admin.jobs.none",
		Columns: []string{"admin.field.name", "admin.field.instance", "admin.field.schedule", "admin.field.last_run", "admin.field.last_success", "admin.field.next_run", "admin.field.runs", "admin.field.last_error"}}
	for _, r := range runs {
		t.Rows = append(t.Rows, adminRow{Cells: []string{r.Name, r.Instance, r.Schedule, p.when(r.LastRun), p.when(r.LastSuccess), p.when(r.NextRun),
			strconv.FormatInt(r.Runs, 10) + " / " + strconv.FormatInt(r.Failures, 10), r.LastError}})
	}
	return w.renderAdmin(c, p, http.StatusOK, t)
}

// --- the audit log

// auditShown is one page of the audit log.
const auditShown = 100

func (w *Web) adminAudit(c echo.Context) error {
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return err
	}
	q := c.QueryParams()
	f := models.AuditFilter{Entity: strings.TrimSpace(q.Get("entity")), Actor: strings.TrimSpace(q.Get("actor")), ListOptions: models.ListOptions{Limit: auditShown, Cursor: q.Get("cursor")}}
	filters := []formField{{Name: "entity", Label: "admin.field.entity", Value: f.Entity}, {Name: "actor", Label: "admin.field.actor", Value: f.Actor}}
	t := adminTable{Section: "audit", Heading: "admin.audit.title", Intro: "admin.audit.intro", Empty: "admin.none", Filters: filters,
		Columns: []string{"admin.field.at", "admin.field.actor", "admin.field.action", "admin.field.entity", "admin.field.reason"}}
	list, err := w.Store.ListAudit(c.Request().Context(), actor(c), f)
	if errs, ok := w.storeFieldErrors(c, err); ok {
		// A filter the store refuses: the filter is marked, the list empty.
		t.FilterErrors = errs
		return w.renderAdmin(c, p, http.StatusUnprocessableEntity, t)
	}
	if err != nil {
		return err
	}
	t.Next = nextLink("/admin/audit", q, list.NextCursor)
	for _, e := range list.Items {
		row := adminRow{Cells: []string{p.when(&e.At), e.Actor, p.Label("action", e.Action), e.Entity + " " + strconv.FormatInt(e.EntityID, 10), e.Reason}}
		if e.Entity == "activity" {
			row.Link, row.LinkCol = "/activities/"+strconv.FormatInt(e.EntityID, 10), 3
		}
		t.Rows = append(t.Rows, row)
	}
	return w.renderAdmin(c, p, http.StatusOK, t)
}
