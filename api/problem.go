package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/labstack/echo/v4"
)

// Problem is an RFC 9457 problem document. Type is a stable URN clients
// may switch on; Errors names offending fields; Conflicts carries the
// hard conflicts of a refused booking.
type Problem struct {
	Type      string                `json:"type"`
	Title     string                `json:"title"`
	Status    int                   `json:"status"`
	Detail    string                `json:"detail,omitempty"`
	Instance  string                `json:"instance,omitempty"`
	RequestID string                `json:"request_id,omitempty"`
	Errors    []models.FieldError   `json:"errors,omitempty"`
	Conflicts []models.ConflictView `json:"conflicts,omitempty"`
	Warnings  []models.ConflictView `json:"warnings,omitempty"`
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// problem builds a Problem of a stable kind.
func problem(status int, kind, detail string) *Problem {
	return &Problem{Type: "urn:jointcal:problem:" + kind, Title: titleOf(kind), Status: status, Detail: detail}
}

func titleOf(kind string) string {
	s := strings.ReplaceAll(kind, "-", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// invalid reports a field that cannot be read at all (malformed JSON, a
// path id that is not a number, a query value of the wrong syntax): 400
// bad-request. Clients switch on the type, so it differs from the 422 of
// a value that reads but breaks a rule.
func invalid(field, message string) *Problem {
	p := problem(http.StatusBadRequest, "bad-request", field+": "+message)
	p.Errors = []models.FieldError{{Field: field, Message: message}}
	return p
}

// unprocessable reports a field that reads but breaks a rule (an unknown
// enum value, a number out of range): 422 validation-error, the same
// answer the store gives for a bad body.
func unprocessable(field, message string) *Problem {
	p := problem(http.StatusUnprocessableEntity, "validation-error", field+": "+message)
	p.Errors = []models.FieldError{{Field: field, Message: message}}
	return p
}

// toProblem maps every error the handlers can meet to a problem; anything
// unknown is a 500 whose detail reveals nothing.
func toProblem(err error) *Problem {
	var (
		p   *Problem
		ve  *models.ValidationError
		de  *models.DuplicateError
		iu  *models.InUseError
		fe  *models.ForbiddenError
		ce  *models.ConflictError
		pe  *models.StateError
		he  *echo.HTTPError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &ve):
		p := problem(http.StatusUnprocessableEntity, "validation-error", ve.Error())
		p.Errors = ve.Errors
		return p
	case errors.As(err, &de):
		p := problem(http.StatusConflict, "duplicate", de.Error())
		p.Errors = []models.FieldError{{Field: de.Field, Message: "already in use"}}
		return p
	case errors.As(err, &iu):
		return problem(http.StatusConflict, "in-use", iu.Error())
	case errors.As(err, &fe):
		return problem(http.StatusForbidden, "forbidden", fe.Reason)
	case errors.As(err, &ce):
		p := problem(http.StatusConflict, "booking-conflict", ce.Error()+"; change the time or participants, or book anyway with override_reason")
		p.Conflicts, p.Warnings = ce.Conflicts, ce.Warnings
		return p
	case errors.As(err, &pe):
		return problem(http.StatusConflict, pe.Kind, pe.Detail)
	case errors.Is(err, models.ErrNotFound):
		return problem(http.StatusNotFound, "not-found", "no such resource")
	case errors.Is(err, models.ErrGone):
		return problem(http.StatusGone, "gone", "the activity was deleted")
	case errors.Is(err, models.ErrStale):
		return problem(http.StatusPreconditionFailed, "stale-version", "If-Match does not name the current version; GET it again and retry")
	case errors.Is(err, models.ErrTokenExpired):
		return problem(http.StatusUnauthorized, "token-expired", "the token has expired; create a new one (POST /api/v1/me/tokens) or ask an administrator for one")
	case errors.Is(err, models.ErrTokenRevoked):
		return problem(http.StatusUnauthorized, "token-revoked", "the token was revoked; create a new one (POST /api/v1/me/tokens) or ask an administrator for one")
	case errors.Is(err, models.ErrTokenAlreadyRevoked):
		return problem(http.StatusConflict, "already-revoked", "the token is revoked already")
	case errors.Is(err, models.ErrUnauthenticated):
		return problem(http.StatusUnauthorized, "unauthenticated", "sign in (POST /api/v1/auth/signin-links), or send Authorization: Bearer <token> with a valid token")
	case errors.Is(err, models.ErrAgendaBusy):
		return problem(http.StatusServiceUnavailable, "agenda-busy", "every slot for computing conflicts agendas stayed taken (JOINTCAL_AGENDA_COMPUTES); ask again in a few seconds")
	case storage.IsUnavailable(err):
		return problem(http.StatusServiceUnavailable, "database-unavailable", "the database cannot be reached just now; retry shortly")
	case errors.As(err, &mbe):
		return problem(http.StatusRequestEntityTooLarge, "body-too-large", "the request body is larger than allowed")
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound:
			return problem(he.Code, "not-found", "no such route")
		case http.StatusMethodNotAllowed:
			return problem(he.Code, "method-not-allowed", "this route does not take that method")
		case http.StatusRequestEntityTooLarge:
			return problem(he.Code, "body-too-large", "the request body is larger than allowed")
		}
		if he.Code < 500 {
			msg, _ := he.Message.(string)
			return problem(he.Code, "bad-request", msg)
		}
	}
	return problem(http.StatusInternalServerError, "internal", "the server failed; the request ID identifies it in the logs")
}

// errorHandler is Echo's error handler: every error leaves as a problem.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := *toProblem(err)
	p.Instance = redactPath(c.Request().URL.Path)
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if p.Status >= 500 {
		logger(c).Error("request failed", "error", err)
	}
	if p.Status == http.StatusServiceUnavailable && c.Response().Header().Get("Retry-After") == "" {
		c.Response().Header().Set("Retry-After", "5")
	}
	if s.pageError != nil && wantsPage(c.Request()) {
		if err := s.pageError(c, p.Status, p.Detail); err != nil {
			logger(c).Error("error page not rendered", "error", err)
		}
		return
	}
	if p.Status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="jointcal"`)
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.Status)
		return
	}
	_ = c.JSON(p.Status, p)
}

// redactPath hides the secret of a feed URL or an answer link wherever a
// path is echoed or logged: holding the URL is holding the feed (or the
// answer).
func redactPath(path string) string {
	if strings.HasPrefix(path, "/feeds/") {
		return "/feeds/{token}"
	}
	if strings.HasPrefix(path, "/reply/") {
		return "/reply/{token}" // an answer link is a credential
	}
	return path
}

// wantsPage reports a browser's request outside the API and the feeds,
// which gets an error page rather than a problem document.
func wantsPage(r *http.Request) bool {
	p := r.URL.Path
	if strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/feeds/") || p == "/metrics" || p == "/healthz" || p == "/readyz" {
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}
