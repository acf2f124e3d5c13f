package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestCheckResolvesReferences: an input's lead organisation, venue,
// visibility and participants are resolved together in one statement, by
// id or by code, each in its own table; every one that names nothing is
// reported under its field with the message it always had, and a check
// names the conflicting resources with the codes and names it resolved.
func TestCheckResolvesReferences(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		sys := models.System()
		world(t, s)
		venue, err := s.CreateVenue(ctx, sys, models.VenueInput{Code: "HQ", Name: "Headquarters", TimeZone: "Europe/Brussels"})
		if err != nil {
			t.Fatal(err)
		}
		ana, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: "Ana Two", Email: "ana2@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"})
		if err != nil {
			t.Fatal(err)
		}
		nato, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "NATO2", Name: "NATO Two", ContactEmail: "two@nato.example"})
		if err != nil {
			t.Fatal(err)
		}
		id := func(n int64) models.Ref { return models.Ref(fmt.Sprint(n)) }
		in := func(lead, venue models.Ref, vis []models.Ref, parts ...models.ParticipantInput) models.ActivityInput {
			return models.ActivityInput{Kind: "meeting", Title: "Refs", Start: mustTime(t, "2031-03-03T09:00:00Z"), End: mustTime(t, "2031-03-03T10:00:00Z"),
				TimeZone: "Europe/Brussels", Status: "confirmed", LeadOrganization: lead, Venue: venue, Visibility: vis, Participants: parts}
		}
		p := func(typ string, ref models.Ref) models.ParticipantInput {
			return models.ParticipantInput{Type: typ, IDOrCode: ref}
		}
		for _, tc := range []struct {
			name string
			in   models.ActivityInput
			want []models.FieldError // nil: resolves
		}{
			{"all by code", in("EU", "HQ", []models.Ref{"EU", "NATO"}, p("person", "ana@eeas.example"), p("body", "NAC"), p("organization", "NATO")), nil},
			{"all by id", in(id(nato.ID), id(venue.ID), []models.Ref{id(nato.ID)}, p("person", id(ana.ID)), p("organization", id(nato.ID))), nil},
			{"lead required", in("", "", nil), []models.FieldError{{Field: "lead_organization", Message: "is required"}}},
			{"unknown lead", in("XX", "", nil), []models.FieldError{{Field: "lead_organization", Message: `no organisation with id or code "XX"`}}},
			{"codes are exact", in("eu", "hq", nil), []models.FieldError{
				{Field: "lead_organization", Message: `no organisation with id or code "eu"`},
				{Field: "venue", Message: `no venue with id or code "hq"`}}},
			{"unknown venue id", in("EU", "999999", nil), []models.FieldError{{Field: "venue", Message: `no venue with id or code "999999"`}}},
			{"a code of another table", in("PSC", "EU", nil, p("body", "EU"), p("person", "HQ")), []models.FieldError{
				{Field: "lead_organization", Message: `no organisation with id or code "PSC"`},
				{Field: "venue", Message: `no venue with id or code "EU"`},
				{Field: "participants[0].id_or_code", Message: `no body with id or code "EU"`},
				{Field: "participants[1].id_or_code", Message: `no person with id or code "HQ"`}}},
			{"unknown visibility, lead left out", in("EU", "", []models.Ref{"NATO", "XX"}), []models.FieldError{
				{Field: "visibility[1]", Message: `no organisation with id or code "XX"`},
				{Field: "visibility", Message: "must include the lead organisation EU"}}},
			{"unknown participants", in("EU", "", nil, p("person", "nobody@example.org"), p("organization", "999999"), p("body", "XYZ")), []models.FieldError{
				{Field: "participants[0].id_or_code", Message: `no person with id or code "nobody@example.org"`},
				{Field: "participants[1].id_or_code", Message: `no organisation with id or code "999999"`},
				{Field: "participants[2].id_or_code", Message: `no body with id or code "XYZ"`}}},
			{"the same person by id and by e-mail", in("EU", "", nil, p("person", "ana2@eeas.example"), p("person", id(ana.ID))), []models.FieldError{
				{Field: "participants[1]", Message: "the same person is listed twice"}}},
		} {
			_, err := s.CheckActivity(ctx, sys, 0, tc.in)
			var ve *models.ValidationError
			switch {
			case tc.want == nil && err != nil:
				t.Errorf("%s: %v", tc.name, err)
			case tc.want != nil && !errors.As(err, &ve):
				t.Errorf("%s: want a validation error, got %v", tc.name, err)
			case tc.want != nil && !slices.EqualFunc(ve.Errors, tc.want, func(a, b models.FieldError) bool { return a.Field == b.Field && a.Message == b.Message }):
				t.Errorf("%s: errors\n got %v\nwant %v", tc.name, ve.Errors, tc.want)
			}
		}

		// A conflict names the resource with what the check resolved.
		booked := in("EU", "HQ", nil, p("person", "ana2@eeas.example"))
		if _, err := s.CreateActivity(ctx, sys, booked, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		report, err := s.CheckActivity(ctx, sys, 0, booked)
		if err != nil {
			t.Fatal(err)
		}
		var got []models.ResourceView
		for _, c := range report.Conflicts {
			got = append(got, c.Resource)
		}
		for _, want := range []models.ResourceView{
			{Type: "person", ID: ana.ID, Code: "ana2@eeas.example", Name: "Ana Two"},
			{Type: "venue", ID: venue.ID, Code: "HQ", Name: "Headquarters"},
		} {
			if !slices.Contains(got, want) {
				t.Errorf("conflicts name %v, want %v among them", got, want)
			}
		}
	})
}
