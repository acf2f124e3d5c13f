package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// protectMetrics guards /metrics with JOINTCAL_METRICS_TOKEN when one is
// configured: job names, request counts and outbox sizes are not for
// anyone who can reach the port. The comparison is of fixed-size digests
// in constant time, so timing tells nothing about the token.
func (s *Server) protectMetrics(next echo.HandlerFunc) echo.HandlerFunc {
	if s.cfg.MetricsToken == "" {
		return next
	}
	want := sha256.Sum256([]byte(s.cfg.MetricsToken))
	return func(c echo.Context) error {
		scheme, secret, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		got := sha256.Sum256([]byte(strings.TrimSpace(secret)))
		if !ok || !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			return models.ErrUnauthenticated
		}
		return next(c)
	}
}
