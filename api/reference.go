package api

import (
	"context"
	"strconv"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func organizationCRUD(s *Server) crud[models.Organization, models.OrganizationInput] {
	return crud[models.Organization, models.OrganizationInput]{
		s: s, create: s.store.CreateOrganization, update: s.store.UpdateOrganization, remove: s.store.DeleteOrganization,
		get: func(ctx context.Context, ref string) (*models.Organization, error) {
			return s.store.GetOrganization(ctx, models.Ref(ref))
		},
		list: func(c echo.Context, o models.ListOptions) (any, error) {
			return s.store.ListOrganizations(c.Request().Context(), models.OrganizationFilter{Code: c.QueryParam("code"), Q: c.QueryParam("q"), ListOptions: o})
		},
		input:   (*models.Organization).Input,
		id:      func(v *models.Organization) int64 { return v.ID },
		version: func(v *models.Organization) int { return v.Version },
	}
}

func bodyCRUD(s *Server) crud[models.Body, models.BodyInput] {
	return crud[models.Body, models.BodyInput]{
		s: s, create: s.store.CreateBody, update: s.store.UpdateBody, remove: s.store.DeleteBody,
		get: func(ctx context.Context, ref string) (*models.Body, error) {
			return s.store.GetBody(ctx, models.Ref(ref))
		},
		list: func(c echo.Context, o models.ListOptions) (any, error) {
			return s.store.ListBodies(c.Request().Context(), models.BodyFilter{Organization: models.Ref(c.QueryParam("organization")), Member: models.Ref(c.QueryParam("member")), Q: c.QueryParam("q"), ListOptions: o})
		},
		input:   (*models.Body).Input,
		id:      func(v *models.Body) int64 { return v.ID },
		version: func(v *models.Body) int { return v.Version },
	}
}

func personCRUD(s *Server) crud[models.Person, models.PersonInput] {
	return crud[models.Person, models.PersonInput]{
		s: s, create: s.store.CreatePerson, update: s.store.UpdatePerson, remove: s.store.DeletePerson,
		get: func(ctx context.Context, ref string) (*models.Person, error) {
			return s.store.GetPerson(ctx, models.Ref(ref))
		},
		list: func(c echo.Context, o models.ListOptions) (any, error) {
			return s.store.ListPeople(c.Request().Context(), models.PersonFilter{Organization: models.Ref(c.QueryParam("organization")), Body: models.Ref(c.QueryParam("body")), Q: c.QueryParam("q"), ListOptions: o})
		},
		input:   (*models.Person).Input,
		id:      func(v *models.Person) int64 { return v.ID },
		version: func(v *models.Person) int { return v.Version },
	}
}

func venueCRUD(s *Server) crud[models.Venue, models.VenueInput] {
	return crud[models.Venue, models.VenueInput]{
		s: s, create: s.store.CreateVenue, update: s.store.UpdateVenue, remove: s.store.DeleteVenue,
		get: func(ctx context.Context, ref string) (*models.Venue, error) {
			return s.store.GetVenue(ctx, models.Ref(ref))
		},
		list: func(c echo.Context, o models.ListOptions) (any, error) {
			f := models.VenueFilter{Q: c.QueryParam("q"), ListOptions: o}
			if v := c.QueryParam("virtual"); v != "" {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return nil, invalid("virtual", "want true or false")
				}
				f.Virtual = &b
			}
			return s.store.ListVenues(c.Request().Context(), f)
		},
		input:   (*models.Venue).Input,
		id:      func(v *models.Venue) int64 { return v.ID },
		version: func(v *models.Venue) int { return v.Version },
	}
}

func blackoutCRUD(s *Server) crud[models.Blackout, models.BlackoutInput] {
	return crud[models.Blackout, models.BlackoutInput]{
		s: s, create: s.store.CreateBlackout, update: s.store.UpdateBlackout, remove: s.store.DeleteBlackout,
		get: func(ctx context.Context, ref string) (*models.Blackout, error) {
			id, err := idFrom(ref)
			if err != nil {
				return nil, err
			}
			return s.store.GetBlackout(ctx, id)
		},
		list: func(c echo.Context, o models.ListOptions) (any, error) {
			from, to, err := window(c)
			if err != nil {
				return nil, err
			}
			return s.store.ListBlackouts(c.Request().Context(), models.BlackoutFilter{Organization: models.Ref(c.QueryParam("organization")), From: from, To: to, ListOptions: o})
		},
		input:   (*models.Blackout).Input,
		id:      func(v *models.Blackout) int64 { return v.ID },
		version: func(v *models.Blackout) int { return v.Version },
	}
}
