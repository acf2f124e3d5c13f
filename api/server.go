// Package api is jointcal's HTTP interface: an Echo router with the v1
// JSON API, authentication, RFC 9457 problems, ETags, health, metrics and
// the OpenAPI document. Handlers decode, call the store and encode; the
// rules live in models and planning.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jointcal/jointcal/auth"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/gate"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/singleflight"
)

// Server holds the router and what the handlers need. It has no global
// state: tests build as many as they like.
type Server struct {
	echo     *echo.Echo
	store    *storage.Store
	cfg      config.Config
	log      *slog.Logger
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	aborted  *prometheus.CounterVec // answers cut short after their headers (observe)
	// feedCache holds rendered feed events and layouts within a byte
	// budget; feedGate bounds concurrent renders; fetches batches the
	// subscriber statistics.
	feedCache *feedCache
	feedGate  *gate.Gate
	// blocks writes rendered feed blocks to the database, where a feed
	// whose blocks are not cached finds them (under the reference
	// fingerprint and renderTag) before rendering.
	blocks *blockKeeper
	// renderTag is worked out at the first layout, not at start: it
	// reads the executable's build ID, or where there is none digests
	// the whole executable (about 0.1 s for 45 MB).
	renderTag func() string
	feedMemo  feedMemo
	// agendaCache holds encoded conflicts agendas within a byte budget;
	// agendaFlights shares a computation among identical requests.
	agendaCache   *agendaCache
	agendaFlights singleflight.Group
	// layouts shares one computation among requests for the same feed
	// version.
	layouts singleflight.Group
	// fanouts are the layouts in progress that answers may stream from,
	// by feed version (feed_fanout.go).
	fanoutMu sync.Mutex
	fanouts  map[string]*streamFanout
	// compressors are gzip part compressors kept for reuse (gzipLayout).
	compressors sync.Pool
	// partFlights shares the compression of one feed part among the
	// answers that need it at once (compressedPart).
	partFlights singleflight.Group
	// feedChunk is how many events a layout reads and renders at a time
	// (feedChunkSize; tests lay out small feeds in several chunks).
	feedChunk int
	// streamQueue bounds the blocks a streamed feed holds for a slow
	// client (maxStreamQueueBytes; tests make it overflow).
	streamQueue int64
	// streamHeld counts the bytes every streamed feed holds for its
	// client, bounded by streamBudget (maxStreamedBytes).
	streamHeld   atomic.Int64
	streamBudget int64
	// chunkLaidOut, when not nil (tests), is called by a layout after it
	// handed each chunk of events to its streams: a test holds a layout
	// there to see what its answers sent meanwhile.
	chunkLaidOut func()
	fetches      *fetchRecorder
	// syncExternal fetches a subscription on demand (set by the wiring).
	syncExternal ExternalSyncer
	// jobCtx lives as long as the server: background import jobs run in
	// it, and Close cancels it and waits for them.
	jobCtx    context.Context
	jobCancel context.CancelFunc
	jobs      sync.WaitGroup
	// importSlots bounds the import jobs running at once.
	importSlots chan struct{}
	// Sign-in: link delivery, session lifetimes, and per-client limits on
	// asking for links and on failed sign-ins.
	mailSignIn   SignInMailer
	sessions     models.SessionSettings
	linkLimiter  *auth.Limiter
	failLimiter  *auth.Limiter
	startLimiter *auth.Limiter
	// oidc signs people in with an OpenID Connect provider; nil when off.
	oidc *auth.OIDC
	// pageError renders an error as a page for a browser outside the API
	// (set by the wiring when the web pages are mounted).
	pageError PageErrorRenderer
	// nudgeOutbox asks the scheduler to send what an activity change has
	// just queued (invitations) without waiting for its next tick; set by
	// the wiring when the scheduler runs in this process.
	nudgeOutbox func()
}

// SetOutboxNudge sets what is called after an activity change queued
// notices, so they leave at once (serve wires the scheduler's Nudger).
func (s *Server) SetOutboxNudge(f func()) { s.nudgeOutbox = f }

// NudgeOutbox asks for the outbox to be sent now, when someone listens:
// the web pages call it after a change, as the API's handlers do, so
// that both faces send invitations and notices at once.
func (s *Server) NudgeOutbox() { s.nudge() }

// nudge asks for the outbox to be sent now, when someone listens.
func (s *Server) nudge() {
	if s.nudgeOutbox != nil {
		s.nudgeOutbox()
	}
}

// PageErrorRenderer writes an error page for status with a message a
// person can act on.
type PageErrorRenderer func(c echo.Context, status int, detail string) error

// Mount adds the routes of another face of the service (the web pages)
// to the same router, behind the same request logging, metrics and
// recovery, and makes errors outside /api/ and /feeds/ render as pages
// for browsers.
func (s *Server) Mount(register func(e *echo.Echo), pageError PageErrorRenderer) {
	register(s.echo)
	s.pageError = pageError
}

// SessionSettings are the lifetimes the server gives sign-in links and
// sessions; the web pages check sessions with the same.
func (s *Server) SessionSettings() models.SessionSettings { return s.sessions }

// New builds the server and registers every route.
func New(store *storage.Store, cfg config.Config, log *slog.Logger) *Server {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{echo: e, store: store, cfg: cfg, log: log, registry: prometheus.NewRegistry(), feedCache: newFeedCache(cfg.FeedCacheBytes), agendaCache: newAgendaCache(cfg.AgendaCacheBytes), feedGate: gate.New(cfg.FeedRenders, feedQueueWait), feedMemo: feedMemo{entries: map[string]memoEntry{}}, fanouts: map[string]*streamFanout{}, feedChunk: feedChunkSize, streamQueue: maxStreamQueueBytes, streamBudget: maxStreamedBytes, fetches: newFetchRecorder(store, log, fetchFlushEvery), blocks: newBlockKeeper(store, log), renderTag: sync.OnceValue(func() string { return renderTag(cfg) })}
	s.jobCtx, s.jobCancel = context.WithCancel(context.Background())
	s.importSlots = make(chan struct{}, maxImportJobs)
	s.sessions = models.DefaultSessionSettings()
	s.sessions.Idle, s.sessions.Absolute, s.sessions.BootstrapAdminEmail = cfg.SignIn.SessionIdle, cfg.SignIn.SessionMax, cfg.SignIn.BootstrapAdminEmail
	s.linkLimiter = auth.NewLimiter(10, 15*time.Minute)
	s.failLimiter = auth.NewLimiter(20, 15*time.Minute)
	s.startLimiter = auth.NewLimiter(60, 15*time.Minute)
	s.oidc = newOIDC(cfg)
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jointcal_http_requests_total", Help: "HTTP requests by route, method and status."}, []string{"route", "method", "status"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "jointcal_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"route", "method"})
	s.aborted = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jointcal_http_aborted_total", Help: "HTTP answers aborted after their status and headers were sent (the client sees a body cut short), by route and method."}, []string{"route", "method"})
	s.registry.MustRegister(s.requests, s.latency, s.aborted, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.registerFeedMetrics()
	s.registerAgendaMetrics()
	e.HTTPErrorHandler = s.errorHandler
	e.Use(middleware.RequestID())
	e.Use(s.observe)
	e.Use(refuseNUL)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		logger(c).Error("panic", "error", err, "stack", string(stack))
		return err
	}}))
	s.routes()
	return s
}

// Close writes pending feed statistics and rendered blocks and stops
// background work; call it after the HTTP server has shut down.
func (s *Server) Close() {
	s.jobCancel()
	s.jobs.Wait()
	s.fetches.close()
	s.blocks.close()
}

// Handler is the server as an http.Handler (for httptest and http.Server).
func (s *Server) Handler() http.Handler { return s.echo }

// Registry exposes the metrics registry so other parts (the scheduler)
// can add their own collectors to /metrics.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// Routes lists method and path of every registered route; the OpenAPI
// test compares it with the document.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})), s.protectMetrics)
	e.GET("/api/v1/openapi.yaml", s.openapi)
	e.GET("/api/v1/docs", s.apidocsPage)
	e.GET("/api/v1/docs/:file", s.apidocsAsset)
	e.GET("/feeds/:token", s.serveFeed)
	e.HEAD("/feeds/:token", s.serveFeed)

	// The v1 routes take their middleware one by one rather than from the
	// group: a group's middleware registers a catch-all that answers 404
	// where a route exists with another method, which must be a 405 with
	// Allow.
	v1 := e.Group("/api/v1")
	mw := []echo.MiddlewareFunc{unescapeParams, s.authenticate}
	registerCRUD(v1, "/organizations", organizationCRUD(s), mw...)
	registerCRUD(v1, "/bodies", bodyCRUD(s), mw...)
	registerCRUD(v1, "/people", personCRUD(s), mw...)
	registerCRUD(v1, "/venues", venueCRUD(s), mw...)
	registerCRUD(v1, "/blackouts", blackoutCRUD(s), mw...)
	registerCRUD(v1, "/exercise-templates", exerciseTemplateCRUD(s), mw...)
	v1.POST("/exercise-templates/:id/instantiate", s.instantiateTemplate, mw...)

	v1.POST("/activities", s.createActivity, mw...)
	v1.GET("/activities", s.listActivities, mw...)
	v1.GET("/activities/:id", s.getActivity, mw...)
	v1.PATCH("/activities/:id", s.updateActivity, mw...)
	v1.DELETE("/activities/:id", s.deleteActivity, mw...)
	v1.PATCH("/activities/:id/occurrences/:start", s.changeOccurrence, mw...)
	v1.POST("/activities/:id/reply", s.replyActivity, mw...)
	v1.GET("/activities/:id/replies", s.listReplies, mw...)
	v1.POST("/activities/:id/move", s.moveActivity, mw...)

	v1.POST("/pace-pairs", s.createPacePair, mw...)
	v1.GET("/pace-pairs", s.listPacePairs, mw...)
	v1.GET("/pace-pairs/:id", s.getPacePair, mw...)
	v1.DELETE("/pace-pairs/:id", s.deletePacePair, mw...)
	v1.POST("/pace-pairs/:id/meetings", s.addPacePairMeeting, mw...)

	v1.GET("/reports/activities", s.reportActivities, mw...)
	v1.GET("/reports/cross-briefings", s.reportCrossBriefings, mw...)
	v1.GET("/reports/exercise-participation", s.reportExerciseParticipation, mw...)

	v1.GET("/activities/:id/conflicts", s.activityConflicts, mw...)
	v1.GET("/activities/:id/proposal", s.getProposal, mw...)
	v1.POST("/activities/:id/agree", s.agreeToProposal, mw...)
	v1.POST("/activities/:id/decline", s.declineProposal, mw...)
	v1.POST("/activities/:id/counter", s.counterPropose, mw...)
	v1.GET("/proposals", s.listProposals, mw...)
	v1.POST("/briefing-requests", s.createBriefingRequest, mw...)
	v1.GET("/briefing-requests", s.listBriefingRequests, mw...)
	v1.GET("/briefing-requests/counts", s.countBriefingRequests, mw...)
	v1.GET("/briefing-requests/:id", s.getBriefingRequest, mw...)
	v1.GET("/briefing-requests/:id/slots", s.briefingSlots, mw...)
	v1.POST("/briefing-requests/:id/schedule", s.scheduleBriefing, mw...)
	v1.POST("/briefing-requests/:id/decline", s.declineBriefing, mw...)
	v1.POST("/briefing-requests/:id/withdraw", s.withdrawBriefing, mw...)
	v1.GET("/occurrences", s.listOccurrences, mw...)

	v1.POST("/conflicts/check", s.checkConflicts, mw...)
	v1.GET("/conflicts", s.listConflicts, mw...)
	v1.GET("/availability", s.availability, mw...)

	v1.POST("/feeds", s.createFeed, mw...)
	v1.GET("/feeds", s.listFeeds, mw...)
	v1.DELETE("/feeds/:id", s.deleteFeed, mw...)
	v1.POST("/feeds/:id/rotate", s.rotateFeed, mw...)

	v1.POST("/import/ics", s.importICS, mw...)
	v1.GET("/import/jobs/:id", s.getImportJob, mw...)

	v1.POST("/external-calendars", s.createExternal, mw...)
	v1.GET("/external-calendars", s.listExternal, mw...)
	v1.GET("/external-calendars/:id", s.getExternal, mw...)
	v1.DELETE("/external-calendars/:id", s.deleteExternal, mw...)
	v1.POST("/external-calendars/:id/sync", s.syncExternalNow, mw...)

	v1.GET("/reminders", s.listReminders, mw...)
	v1.POST("/reminders/:id/retry", s.retryReminder, mw...)
	v1.GET("/jobs", s.listJobs, mw...)

	v1.GET("/audit", s.listAudit, mw...)

	v1.GET("/me", s.getMe, mw...)
	v1.PATCH("/me", s.updateMe, mw...)
	v1.GET("/me/sessions", s.listSessions, mw...)
	v1.GET("/me/activities", s.myActivities, mw...)
	v1.POST("/me/signout", s.signOut, mw...)
	v1.POST("/me/signout-everywhere", s.signOutEverywhere, mw...)
	v1.POST("/me/tokens", s.createMyToken, mw...)
	v1.GET("/me/tokens", s.listMyTokens, mw...)
	v1.DELETE("/me/tokens/:id", s.revokeMyToken, mw...)
	v1.GET("/grants", s.listGrants, mw...)
	v1.POST("/grants", s.createGrant, mw...)
	v1.DELETE("/grants", s.deleteGrant, mw...)
	v1.POST("/auth/signin-links", s.requestSignInLink, unescapeParams)
	e.GET("/signin/link", s.signInLinkPage)
	e.POST("/signin/link", s.redeemSignInLink)
	e.GET("/reply/:token", s.replyLinkPage)
	e.POST("/reply/:token", s.replyLinkSubmit)
	e.GET("/signin/oidc", s.startOIDC)
	e.GET("/signin/oidc/callback", s.oidcCallback)
}

// unescapeParams percent-decodes the path parameters: Echo hands them
// over raw when the request path carries escapes, and clients that escape
// ":" or "+" (encodeURIComponent, Python's quote) or "@" must reach the
// same resource as those that do not.
func unescapeParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		values := c.ParamValues()
		for i, v := range values {
			if !strings.Contains(v, "%") {
				continue
			}
			u, err := url.PathUnescape(v)
			if err != nil {
				return invalid(c.ParamNames()[i], "the path segment is not valid percent-encoding")
			}
			values[i] = u
		}
		c.SetParamValues(values...)
		return next(c)
	}
}

type ctxKey int

const loggerKey ctxKey = iota

// observe logs every request with its request ID, counts it and times it.
// An answer aborted after its status was sent (http.ErrAbortHandler: a
// streamed feed whose layout failed) is counted too, with the status it
// sent and in jointcal_http_aborted_total, and logged, before the panic
// goes on to the HTTP server, which cuts the connection.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		rid := c.Response().Header().Get(echo.HeaderXRequestID)
		l := s.log.With("request_id", rid)
		req := c.Request()
		c.SetRequest(req.WithContext(context.WithValue(req.Context(), loggerKey, l)))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					s.record(c, l, start, true)
				}
				panic(v)
			}
		}()
		if err := next(c); err != nil {
			c.Error(err)
		}
		s.record(c, l, start, false)
		return nil
	}
}

// record counts, times and logs a request once it is answered, or
// aborted after its status was sent.
func (s *Server) record(c echo.Context, l *slog.Logger, start time.Time, aborted bool) {
	req := c.Request()
	route, status, elapsed := routeOf(c), c.Response().Status, time.Since(start)
	s.requests.WithLabelValues(route, req.Method, strconv.Itoa(status)).Inc()
	s.latency.WithLabelValues(route, req.Method).Observe(elapsed.Seconds())
	level, msg := slog.LevelInfo, "request"
	if aborted {
		s.aborted.WithLabelValues(route, req.Method).Inc()
		level, msg = slog.LevelWarn, "request aborted"
	}
	l.Log(req.Context(), level, msg, "method", req.Method, "path", redactPath(req.URL.Path), "route", route, "status", status, "duration_ms", float64(elapsed.Microseconds())/1000, "bytes", c.Response().Size)
}

// routeOf is the route a request matched, the label of its metrics.
func routeOf(c echo.Context) string {
	if route := c.Path(); route != "" {
		return route
	}
	return "unmatched"
}

// logger returns the request's logger (with its request ID).
func logger(c echo.Context) *slog.Logger {
	if l, ok := c.Request().Context().Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return problem(http.StatusServiceUnavailable, "not-ready", "the database does not answer")
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready", "database": string(s.store.Dialect())})
}

// ClientAddr is the address a request counts against for per-client
// limits (see clientAddr); the web pages use the same rule.
func (s *Server) ClientAddr(c echo.Context) string { return s.clientAddr(c) }
