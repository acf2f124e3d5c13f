package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

//go:embed openapi.yaml
var openapiDoc []byte

// OpenAPI returns the API description served at /api/v1/openapi.yaml.
func OpenAPI() []byte { return openapiDoc }

func (s *Server) openapi(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", openapiDoc)
}
