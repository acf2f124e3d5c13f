package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestPersonalTokenLifetime: without expires_in a token lives 90 days, or
// the maximum when that is shorter; beyond the maximum, or unreadable,
// expires_in is refused naming it, and nothing is created.
func TestPersonalTokenLifetime(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		now := time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		ana, err := s.GetPerson(ctx, "ana@eeas.example")
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.ActorForPerson(ctx, ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		year, month := 8760*time.Hour, 720*time.Hour
		for _, tc := range []struct {
			name      string
			expiresIn string
			max       time.Duration
			want      time.Duration // 0: refused naming field
			field     string
		}{
			{"default", "", year, 90 * 24 * time.Hour, ""},
			{"default capped by the maximum", "", month, month, ""},
			{"asked", "P7D", year, 7 * 24 * time.Hour, ""},
			{"exactly the maximum", "P30D", month, month, ""},
			{"beyond the maximum", "P31D", month, 0, "expires_in"},
			{"not a duration", "90 days", year, 0, "expires_in"},
			{"negative", "-P1D", year, 0, "expires_in"},
			{"zero", "PT0S", year, 0, "expires_in"},
		} {
			in := models.PersonalTokenInput{Name: tc.name, ExpiresIn: tc.expiresIn}
			tok, secret, err := s.CreatePersonalToken(ctx, a, in, tc.max)
			if tc.want == 0 {
				var ve *models.ValidationError
				if !errors.As(err, &ve) || len(ve.Errors) != 1 || ve.Errors[0].Field != tc.field {
					t.Errorf("%s: %v, want a validation error naming %s", tc.name, err, tc.field)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if !tok.ExpiresAt.Equal(now.Add(tc.want)) || tok.Scope != models.ScopeReadWrite || secret == "" || tok.Status != models.TokenActive {
				t.Errorf("%s: %+v, want expiry %s", tc.name, tok, now.Add(tc.want))
			}
		}
		list, err := s.ListPersonalTokens(ctx, a)
		if err != nil || len(list) != 4 {
			t.Fatalf("listed %d tokens (%v), want the 4 created", len(list), err)
		}
		// Neither a service token nor the CLI is a person.
		if _, _, err := s.CreatePersonalToken(ctx, models.System(), models.PersonalTokenInput{Name: "x"}, year); !isForbidden(err) {
			t.Fatalf("the CLI created a personal token: %v", err)
		}
	})
}

func isForbidden(err error) bool {
	var fe *models.ForbiddenError
	return errors.As(err, &fe)
}
