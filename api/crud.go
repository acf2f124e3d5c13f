package api

import (
	"context"
	"net/http"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// crud describes one reference entity (organisations, bodies, people,
// venues, blackouts) so that their five routes share one implementation:
// create, list, get, patch (decode onto the current input), delete.
type crud[T any, In any] struct {
	s       *Server
	create  func(context.Context, models.Actor, In) (*T, error)
	update  func(context.Context, models.Actor, int64, int, In) (*T, error)
	remove  func(context.Context, models.Actor, int64, int) error
	get     func(context.Context, string) (*T, error)
	list    func(echo.Context, models.ListOptions) (any, error)
	input   func(*T) In
	id      func(*T) int64
	version func(*T) int
}

func registerCRUD[T any, In any](g *echo.Group, path string, h crud[T, In], mw ...echo.MiddlewareFunc) {
	g.POST(path, h.handleCreate, mw...)
	g.GET(path, h.handleList, mw...)
	g.GET(path+"/:id", h.handleGet, mw...)
	g.PATCH(path+"/:id", h.handlePatch, mw...)
	g.DELETE(path+"/:id", h.handleDelete, mw...)
}

func (h crud[T, In]) handleCreate(c echo.Context) error {
	var in In
	if err := h.s.decode(c, &in); err != nil {
		return err
	}
	v, err := h.create(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	setETag(c, h.version(v))
	c.Response().Header().Set(echo.HeaderLocation, c.Request().URL.Path+"/"+itoa(h.id(v)))
	return c.JSON(http.StatusCreated, v)
}

func (h crud[T, In]) handleList(c echo.Context) error {
	opts, err := listOptions(c)
	if err != nil {
		return err
	}
	page, err := h.list(c, opts)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (h crud[T, In]) handleGet(c echo.Context) error {
	v, err := h.get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	setETag(c, h.version(v))
	return c.JSON(http.StatusOK, v)
}

func (h crud[T, In]) handlePatch(c echo.Context) error {
	cur, err := current(c, func() (*T, error) { return h.get(c.Request().Context(), c.Param("id")) }, h.version)
	if err != nil {
		return err
	}
	in := h.input(cur)
	if err := h.s.decode(c, &in); err != nil {
		return err
	}
	// The store re-checks the version inside its transaction.
	v, err := h.update(c.Request().Context(), actor(c), h.id(cur), h.version(cur), in)
	if err != nil {
		return err
	}
	setETag(c, h.version(v))
	return c.JSON(http.StatusOK, v)
}

func (h crud[T, In]) handleDelete(c echo.Context) error {
	want, err := ifVersion(c)
	if err != nil {
		return err
	}
	cur, err := h.get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if err := h.remove(c.Request().Context(), actor(c), h.id(cur), want); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
