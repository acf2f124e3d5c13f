// Package web is the planners' face of jointcal: server-rendered pages
// (html/template, English and French) made interactive with small
// vendored libraries — htmx for partial updates, EventCalendar for the
// calendar views — all embedded in the binary. The pages call the same
// store functions as the API, with the same actor, so visibility and
// roles are decided in one place (models) for both faces.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/web/locales"
	"github.com/labstack/echo/v4"
)

// Deps is what the pages need from the wiring.
type Deps struct {
	Store  *storage.Store
	Config config.Config
	Log    *slog.Logger
	// Sessions are the lifetimes the API checks sessions with.
	Sessions models.SessionSettings
	// SendSignInLink mails a one-time sign-in link in the background (the
	// API's own, so that both faces share its limits and its silence about
	// unknown addresses); nil when the instance cannot send e-mail.
	SendSignInLink func(email, client string, log *slog.Logger) (retry time.Duration, err error)
	// ClientAddr is the address a request counts against for limits (the
	// API's rule, which knows the trusted proxies).
	ClientAddr func(c echo.Context) string
	// StartImportJob runs a large import in the background (the API's
	// own, so that both faces share its bound on jobs running at once:
	// models.ErrImportBusy beyond it); nil runs every import at once.
	// SyncExternal fetches an external calendar now (the scheduler's
	// syncer, as POST /api/v1/external-calendars/{id}/sync uses); nil when
	// this instance does not sync.
	SyncExternal func(ctx context.Context, id int64) error
	// NudgeOutbox asks for queued notices (invitations, updates,
	// cancellations, answers to proposals) to leave now rather than at
	// the next tick (the API's own); called after every change a page
	// made. Nil waits for the tick.
	NudgeOutbox    func()
	StartImportJob func(ctx context.Context, a models.Actor, parsed *calendar.ImportResult, opts models.ImportOptions, log *slog.Logger) (*models.ImportJob, error)
}

// Web holds the parsed templates, the message catalogues and the static
// files; it has no other state.
type Web struct {
	Deps
	pages  *pageSet
	static *staticFiles
	cat    catalogues
	// fieldCat translates the store's validation messages, keyed by
	// their English format (web/locales/*/validation.json).
	fieldCat catalogues
}

// New parses the templates and catalogues and indexes the static files;
// an error here is a bug in the embedded files, caught by the tests.
func New(d Deps) (*Web, error) {
	cat, err := locales.Load()
	if err != nil {
		return nil, fmt.Errorf("web: message catalogues: %w", err)
	}
	fieldCat, err := locales.LoadValidation()
	if err != nil {
		return nil, fmt.Errorf("web: validation messages: %w", err)
	}
	static, err := loadStatic()
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	w := &Web{Deps: d, static: static, cat: cat, fieldCat: fieldCat}
	if w.pages, err = parsePages(); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	return w, nil
}

// Register adds the pages' routes. Every page but sign-in needs a
// session; every state-changing request needs the session's CSRF token.
func (w *Web) Register(e *echo.Echo) {
	e.GET("/static/:file", w.serveStatic)
	e.HEAD("/static/:file", w.serveStatic)
	e.GET("/", func(c echo.Context) error { return c.Redirect(303, "/calendar") })
	e.GET("/signin", w.signInPage)
	e.POST("/signin", w.requestLink)
	e.POST("/signout", w.signOut, w.session)
	e.POST("/language", w.setLanguage, w.session)

	e.GET("/calendar", w.calendarPage, w.session)
	e.GET("/calendar/events", w.calendarEvents, w.session)
	e.POST("/calendar/move", w.calendarMove, w.session)
	e.GET("/activities/:id", w.activityPage, w.session)
	e.GET("/reports", w.reportsPage, w.session)
	e.GET("/availability", w.availabilityPage, w.session)
	e.GET("/conflicts", w.conflictsPage, w.session)
	e.GET("/timeline", w.timelinePage, w.session)
	e.GET("/programme", w.programmePage, w.session)
	e.POST("/conflicts/accept", w.acceptConflict, w.session)
	e.GET("/proposals", w.proposalsPage, w.session)
	e.POST("/proposals/:id/:action", w.answerProposal, w.session)
	e.GET("/briefings", w.briefingsPage, w.session)
	e.POST("/briefings", w.requestBriefing, w.session)
	e.POST("/briefings/:id/:action", w.briefingStep, w.session)
	e.GET("/activities/new", w.newActivityPage, w.session)
	e.POST("/activities/new", w.saveActivity, w.session)
	e.POST("/activities/check", w.checkPartial, w.session)
	e.POST("/activities/rule", w.rulePartial, w.session)
	e.GET("/activities/pick", w.pickPartial, w.session)
	e.GET("/activities/:id/edit", w.editActivityPage, w.session)
	e.POST("/activities/:id/edit", w.saveActivity, w.session)
	e.GET("/activities/:id/ics", w.activityICS, w.session)
	e.GET("/activities/:id/remove", w.removePage, w.session)
	e.POST("/activities/:id/cancel", w.cancelActivity, w.session)
	e.POST("/activities/:id/delete", w.deleteActivity, w.session)
	e.POST("/activities/:id/occurrence", w.changeOccurrence, w.session)

	e.POST("/activities/:id/move", w.moveExercise, w.session)
	e.GET("/templates", w.templatesPage, w.session)
	e.GET("/templates/new", w.templateEditor, w.session)
	e.POST("/templates/new", w.saveTemplate, w.session)
	e.GET("/templates/:id", w.templatePage, w.session)
	e.GET("/templates/:id/edit", w.templateEditor, w.session)
	e.POST("/templates/:id/edit", w.saveTemplate, w.session)
	e.POST("/templates/:id/delete", w.deleteTemplate, w.session)
	e.POST("/templates/:id/instantiate", w.instantiateTemplate, w.session)
	e.GET("/pace-pairs", w.pacePairsPage, w.session)
	e.POST("/pace-pairs", w.createPacePair, w.session)
	e.POST("/pace-pairs/:id/delete", w.deletePacePair, w.session)
	e.POST("/pace-pairs/:id/meetings", w.addPairMeeting, w.session)

	e.GET("/feeds", w.feedsPage, w.session)
	e.POST("/feeds", w.createFeed, w.session)
	e.POST("/feeds/:id/rotate", w.rotateFeed, w.session)
	e.POST("/feeds/:id/revoke", w.revokeFeed, w.session)
	e.GET("/import", w.importPage, w.session)
	e.POST("/import", w.previewImport, w.limitImportBody, w.session)
	e.POST("/import/confirm", w.confirmImport, w.limitImportBody, w.session)
	e.GET("/import/jobs/:id", w.importJobPage, w.session)
	e.GET("/me", w.mePage, w.session)
	e.POST("/me", w.saveMe, w.session)
	e.POST("/me/sessions/:id/end", w.endSession, w.session)
	e.POST("/me/sessions/end-all", w.endAllSessions, w.session)
	e.POST("/me/tokens", w.createToken, w.session)
	e.POST("/me/tokens/:id/revoke", w.revokeToken, w.session)

	e.GET("/admin", w.adminIndex, w.session, w.admin)
	e.GET("/admin/organizations", w.adminOrganizations, w.session, w.admin)
	e.POST("/admin/organizations", w.createOrganization, w.session, w.admin)
	e.POST("/admin/organizations/:id/delete", w.deleteOrganization, w.session, w.admin)
	e.GET("/admin/bodies", w.adminBodies, w.session, w.admin)
	e.POST("/admin/bodies", w.createBody, w.session, w.admin)
	e.POST("/admin/bodies/:id/delete", w.deleteBody, w.session, w.admin)
	e.GET("/admin/people", w.adminPeople, w.session, w.admin)
	e.POST("/admin/people", w.createPerson, w.session, w.admin)
	e.POST("/admin/people/:id/delete", w.deletePerson, w.session, w.admin)
	e.GET("/admin/grants", w.adminGrants, w.session, w.admin)
	e.POST("/admin/grants", w.createGrant, w.session, w.admin)
	e.POST("/admin/grants/:id/revoke", w.revokeGrant, w.session, w.admin)
	e.GET("/admin/venues", w.adminVenues, w.session, w.admin)
	e.POST("/admin/venues", w.createVenue, w.session, w.admin)
	e.POST("/admin/venues/:id/delete", w.deleteVenue, w.session, w.admin)
	e.GET("/admin/blackouts", w.adminBlackouts, w.session, w.admin)
	e.POST("/admin/blackouts", w.createBlackout, w.session, w.admin)
	e.POST("/admin/blackouts/:id/delete", w.deleteBlackout, w.session, w.admin)
	e.GET("/admin/tokens", w.adminTokens, w.session, w.admin)
	e.POST("/admin/tokens", w.createServiceToken, w.session, w.admin)
	e.POST("/admin/tokens/:id/revoke", w.revokeServiceToken, w.session, w.admin)
	e.GET("/admin/external", w.adminExternal, w.session, w.admin)
	e.POST("/admin/external/:id/sync", w.syncExternal, w.session, w.admin)
	e.GET("/admin/outbox", w.adminOutbox, w.session, w.admin)
	e.POST("/admin/outbox/:id/retry", w.retryReminder, w.session, w.admin)
	e.GET("/admin/jobs", w.adminJobs, w.session, w.admin)
	e.GET("/admin/audit", w.adminAudit, w.session, w.admin)
	e.GET("/admin/templates", w.templatesPage, w.session, w.admin)
	e.GET("/admin/:section/:id/edit", w.adminEditPage, w.session, w.admin)
	e.POST("/admin/:section/:id", w.adminSave, w.session, w.admin)
}

// now is the store's clock, so that tests with a fixed clock see pages
// of the same day as the data.
func (w *Web) now() time.Time { return w.Store.Now() }
