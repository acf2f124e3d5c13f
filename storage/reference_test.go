package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// refCase drives one kind of reference data through the store's create,
// update and delete, whatever its Go type: each step answers the row's id
// and version.
type refCase struct {
	entity string
	// create adds the entity named n (a code, an address or a title).
	create func(s *storage.Store, n string) (id int64, version int, err error)
	// update renames the entity at version ifVersion to n.
	update func(s *storage.Store, id int64, ifVersion int, n string) (version int, err error)
	delete func(s *storage.Store, id int64, ifVersion int) error
	// dup is the DuplicateError a second create of the same name gives;
	// nil for blackouts, which have no unique field.
	dup func(n string) *models.DuplicateError
	// use makes something refer to the entity; nil when nothing can.
	use func(t *testing.T, s *storage.Store, id int64, n string)
	// inUse is the InUseError a delete of the used entity gives.
	inUse func(n string) models.InUseError
}

func refCases() []refCase {
	ctx := context.Background()
	sys := models.System()
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	return []refCase{{
		entity: "organization",
		create: func(s *storage.Store, n string) (int64, int, error) {
			o, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: n, Name: "Org " + n, ContactEmail: "x@" + n + ".example"})
			if err != nil {
				return 0, 0, err
			}
			return o.ID, o.Version, nil
		},
		update: func(s *storage.Store, id int64, v int, n string) (int, error) {
			o, err := s.UpdateOrganization(ctx, sys, id, v, models.OrganizationInput{Code: n, Name: "Org " + n})
			if err != nil {
				return 0, err
			}
			return o.Version, nil
		},
		delete: func(s *storage.Store, id int64, v int) error { return s.DeleteOrganization(ctx, sys, id, v) },
		dup:    func(n string) *models.DuplicateError { return &models.DuplicateError{Field: "code", Value: n} },
		use: func(t *testing.T, s *storage.Store, _ int64, n string) {
			if _, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: "Member", Email: "m@" + n + ".example", TimeZone: "UTC", Organization: models.Ref(n)}); err != nil {
				t.Fatal(err)
			}
		},
		inUse: func(n string) models.InUseError {
			return models.InUseError{Entity: "organization " + n, By: "people, bodies, activities or tokens"}
		},
	}, {
		entity: "venue",
		create: func(s *storage.Store, n string) (int64, int, error) {
			v, err := s.CreateVenue(ctx, sys, models.VenueInput{Code: n, Name: "Room " + n, TimeZone: "Europe/Brussels"})
			if err != nil {
				return 0, 0, err
			}
			return v.ID, v.Version, nil
		},
		update: func(s *storage.Store, id int64, ifVersion int, n string) (int, error) {
			v, err := s.UpdateVenue(ctx, sys, id, ifVersion, models.VenueInput{Code: n, Name: "Room " + n, TimeZone: "UTC", BufferSeconds: 600})
			if err != nil {
				return 0, err
			}
			return v.Version, nil
		},
		delete: func(s *storage.Store, id int64, v int) error { return s.DeleteVenue(ctx, sys, id, v) },
		dup:    func(n string) *models.DuplicateError { return &models.DuplicateError{Field: "code", Value: n} },
		use: func(t *testing.T, s *storage.Store, _ int64, n string) {
			t.Helper()
			activityWith(t, s, models.ActivityInput{Venue: models.Ref(n)})
		},
		inUse: func(n string) models.InUseError { return models.InUseError{Entity: "venue " + n, By: "activities"} },
	}, {
		entity: "person",
		create: func(s *storage.Store, n string) (int64, int, error) {
			p, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: n, Email: n + "@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"})
			if err != nil {
				return 0, 0, err
			}
			return p.ID, p.Version, nil
		},
		update: func(s *storage.Store, id int64, ifVersion int, n string) (int, error) {
			p, err := s.UpdatePerson(ctx, sys, id, ifVersion, models.PersonInput{Name: n, Email: n + "@nato.example", TimeZone: "UTC", Organization: "NATO"})
			if err != nil {
				return 0, err
			}
			return p.Version, nil
		},
		delete: func(s *storage.Store, id int64, v int) error { return s.DeletePerson(ctx, sys, id, v) },
		dup: func(n string) *models.DuplicateError {
			return &models.DuplicateError{Field: "email", Value: n + "@eeas.example"}
		},
		use: func(t *testing.T, s *storage.Store, _ int64, n string) {
			if _, err := s.CreateBody(ctx, sys, models.BodyInput{Code: "B" + n, Name: "Body", Organization: "EU", Members: []models.Ref{models.Ref(n + "@eeas.example")}}); err != nil {
				t.Fatal(err)
			}
		},
		inUse: func(n string) models.InUseError {
			return models.InUseError{Entity: "person " + n + "@eeas.example", By: "bodies (remove them from their bodies first)"}
		},
	}, {
		entity: "body",
		create: func(s *storage.Store, n string) (int64, int, error) {
			b, err := s.CreateBody(ctx, sys, models.BodyInput{Code: n, Name: "Body " + n, Organization: "EU", Members: []models.Ref{"ana@eeas.example"}})
			if err != nil {
				return 0, 0, err
			}
			return b.ID, b.Version, nil
		},
		update: func(s *storage.Store, id int64, ifVersion int, n string) (int, error) {
			b, err := s.UpdateBody(ctx, sys, id, ifVersion, models.BodyInput{Code: n, Name: "Body " + n, Organization: "NATO", Members: []models.Ref{"ben@nato.example"}})
			if err != nil {
				return 0, err
			}
			return b.Version, nil
		},
		delete: func(s *storage.Store, id int64, v int) error { return s.DeleteBody(ctx, sys, id, v) },
		dup:    func(n string) *models.DuplicateError { return &models.DuplicateError{Field: "code", Value: n} },
		use: func(t *testing.T, s *storage.Store, _ int64, n string) {
			t.Helper()
			activityWith(t, s, models.ActivityInput{Participants: []models.ParticipantInput{{Type: "body", IDOrCode: models.Ref(n)}}})
		},
		inUse: func(n string) models.InUseError { return models.InUseError{Entity: "body " + n, By: "1 activities"} },
	}, {
		entity: "blackout",
		create: func(s *storage.Store, n string) (int64, int, error) {
			b, err := s.CreateBlackout(ctx, sys, models.BlackoutInput{Title: n, Start: at("2031-07-01T00:00:00Z"), End: at("2031-07-08T00:00:00Z"), Severity: "hard", Organizations: []models.Ref{"EU"}})
			if err != nil {
				return 0, 0, err
			}
			return b.ID, b.Version, nil
		},
		update: func(s *storage.Store, id int64, ifVersion int, n string) (int, error) {
			b, err := s.UpdateBlackout(ctx, sys, id, ifVersion, models.BlackoutInput{Title: n, Start: at("2031-08-01T00:00:00Z"), End: at("2031-08-08T00:00:00Z"), Severity: "soft", Organizations: []models.Ref{"EU", "NATO"}})
			if err != nil {
				return 0, err
			}
			return b.Version, nil
		},
		delete: func(s *storage.Store, id int64, v int) error { return s.DeleteBlackout(ctx, sys, id, v) },
	}}
}

// activityWith books an EU activity in 2031 with the given venue or
// participants, so that they are in use.
func activityWith(t *testing.T, s *storage.Store, in models.ActivityInput) {
	t.Helper()
	in.Kind, in.Title, in.TimeZone, in.LeadOrganization = "staff_talks", "Talks", "Europe/Brussels", "EU"
	in.Start, in.End = mustTime(t, "2031-03-03T10:00:00Z"), mustTime(t, "2031-03-03T11:00:00Z")
	if _, err := s.CreateActivity(context.Background(), models.System(), in, storage.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestReferenceCRUD runs every kind of reference data through the same
// life: created at version 1, refused a duplicate, updated, refused a
// stale update and a stale delete, deleted, refused deletion while in
// use, and each change recorded in the audit trail under its entity name
// with the row before and after.
func TestReferenceCRUD(t *testing.T) {
	t.Parallel()
	for _, c := range refCases() {
		c := c
		t.Run(c.entity, func(t *testing.T) {
			t.Parallel()
			storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
				world(t, s)
				referenceLife(t, s, c)
			})
		})
	}
}

func referenceLife(t *testing.T, s *storage.Store, c refCase) {
	id, v, err := c.create(s, "AAA")
	if err != nil || v != 1 {
		t.Fatalf("create: version %d, %v", v, err)
	}
	if c.dup != nil {
		var dup *models.DuplicateError
		if _, _, err := c.create(s, "AAA"); !errors.As(err, &dup) || *dup != *c.dup("AAA") {
			t.Fatalf("duplicate create: %v, want %v", err, c.dup("AAA"))
		}
	}
	if v, err = c.update(s, id, 1, "BBB"); err != nil || v != 2 {
		t.Fatalf("update: version %d, %v", v, err)
	}
	if _, err := c.update(s, id, 1, "CCC"); !errors.Is(err, models.ErrStale) {
		t.Fatalf("stale update: %v, want ErrStale", err)
	}
	if err := c.delete(s, id, 1); !errors.Is(err, models.ErrStale) {
		t.Fatalf("stale delete: %v, want ErrStale", err)
	}
	if err := c.delete(s, id, 2); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := c.delete(s, id, 0); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("second delete: %v, want ErrNotFound", err)
	}
	checkAudit(t, s, c.entity, id)

	if c.use == nil {
		return
	}
	used, _, err := c.create(s, "UUU")
	if err != nil {
		t.Fatal(err)
	}
	c.use(t, s, used, "UUU")
	var inUse *models.InUseError
	if err := c.delete(s, used, 0); !errors.As(err, &inUse) || *inUse != c.inUse("UUU") {
		t.Fatalf("delete in use: %v, want %v", err, c.inUse("UUU"))
	}
}

// checkAudit wants the create, update and delete of entity id in the
// trail, oldest first, with the versions of the row before and after.
func checkAudit(t *testing.T, s *storage.Store, entity string, id int64) {
	t.Helper()
	page, err := s.ListAudit(context.Background(), models.System(), models.AuditFilter{Entity: entity, EntityID: id, Oldest: true})
	if err != nil {
		t.Fatal(err)
	}
	versionIn := func(raw models.RawJSON) string {
		if len(raw) == 0 {
			return "-"
		}
		var row struct{ Version int }
		if err := json.Unmarshal(raw, &row); err != nil {
			t.Fatalf("audit row %s: %v", raw, err)
		}
		return fmt.Sprint(row.Version)
	}
	var got []string
	for _, e := range page.Items {
		got = append(got, fmt.Sprintf("%s %s→%s", e.Action, versionIn(e.Before), versionIn(e.After)))
	}
	want := []string{"create -→1", "update 1→2", "delete 2→-"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("audit of %s %d: %q, want %q", entity, id, got, want)
	}
}

// TestReferenceAuthorisation pins who may add each kind of reference
// data, since the kinds differ: organisations are for administrators
// only, venues for any planner, people, bodies and blackouts for a
// planner of the organisation they belong to; a viewer adds nothing.
func TestReferenceAuthorisation(t *testing.T) {
	t.Parallel()
	s := storagetest.Open(t)
	world(t, s)
	ctx := context.Background()
	eu, err := s.GetOrganization(ctx, "EU")
	if err != nil {
		t.Fatal(err)
	}
	planner := models.Actor{Name: "planner", Role: models.RolePlanner, OrganizationID: eu.ID}
	viewer := models.Actor{Name: "viewer", Role: models.RoleViewer, OrganizationID: eu.ID}
	start, end := mustTime(t, "2031-07-01T00:00:00Z"), mustTime(t, "2031-07-02T00:00:00Z")
	adds := []struct {
		name string
		add  func(a models.Actor, n string) error
		// planner says whether an EU planner may add this one.
		planner bool
	}{
		{"organization", func(a models.Actor, n string) error {
			_, err := s.CreateOrganization(ctx, a, models.OrganizationInput{Code: n, Name: n})
			return err
		}, false},
		{"venue", func(a models.Actor, n string) error {
			_, err := s.CreateVenue(ctx, a, models.VenueInput{Code: n, Name: n, TimeZone: "UTC"})
			return err
		}, true},
		{"person of EU", func(a models.Actor, n string) error {
			_, err := s.CreatePerson(ctx, a, models.PersonInput{Name: n, Email: n + "@x.example", TimeZone: "UTC", Organization: "EU"})
			return err
		}, true},
		{"person of NATO", func(a models.Actor, n string) error {
			_, err := s.CreatePerson(ctx, a, models.PersonInput{Name: n, Email: n + "@x.example", TimeZone: "UTC", Organization: "NATO"})
			return err
		}, false},
		{"person of none", func(a models.Actor, n string) error {
			_, err := s.CreatePerson(ctx, a, models.PersonInput{Name: n, Email: n + "@x.example", TimeZone: "UTC"})
			return err
		}, false},
		{"body of EU", func(a models.Actor, n string) error {
			_, err := s.CreateBody(ctx, a, models.BodyInput{Code: n, Name: n, Organization: "EU"})
			return err
		}, true},
		{"body of NATO", func(a models.Actor, n string) error {
			_, err := s.CreateBody(ctx, a, models.BodyInput{Code: n, Name: n, Organization: "NATO"})
			return err
		}, false},
		{"blackout of EU", func(a models.Actor, n string) error {
			_, err := s.CreateBlackout(ctx, a, models.BlackoutInput{Title: n, Start: start, End: end, Severity: "soft", Organizations: []models.Ref{"EU"}})
			return err
		}, true},
		{"blackout of EU and NATO", func(a models.Actor, n string) error {
			_, err := s.CreateBlackout(ctx, a, models.BlackoutInput{Title: n, Start: start, End: end, Severity: "soft", Organizations: []models.Ref{"EU", "NATO"}})
			return err
		}, false},
	}
	for i, c := range adds {
		var forbidden *models.ForbiddenError
		if err := c.add(viewer, fmt.Sprintf("V%d", i)); !errors.As(err, &forbidden) {
			t.Errorf("viewer adds %s: %v, want forbidden", c.name, err)
		}
		err := c.add(planner, fmt.Sprintf("P%d", i))
		if c.planner && err != nil {
			t.Errorf("planner adds %s: %v", c.name, err)
		}
		if !c.planner && !errors.As(err, &forbidden) {
			t.Errorf("planner adds %s: %v, want forbidden", c.name, err)
		}
	}
}
