package storage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// tokenClock is a settable clock shared by the stores of a test.
type tokenClock struct{ now time.Time }

func (c *tokenClock) read() time.Time { return c.now }

// TestTokenRevocationIsSeen: a service token that authenticated (and so
// is kept in memory) stops working at once when this process revokes
// it, and within a second when another process on the same database
// does; until then the other process's revocation is not yet seen here.
func TestTokenRevocationIsSeen(t *testing.T) {
	t.Parallel()
	storagetest.ForEachPair(t, func(t *testing.T, here, other *storage.Store) {
		ctx := t.Context()
		clock := &tokenClock{now: time.Now().UTC()}
		here.SetClock(clock.read)
		other.SetClock(clock.read)
		tokens := map[string]*models.Token{}
		secrets := map[string]string{}
		for _, name := range []string{"revoked-here", "revoked-there"} {
			tok, secret, err := here.CreateToken(ctx, models.System(), models.TokenInput{Name: name, Role: models.RoleViewer})
			if err != nil {
				t.Fatal(err)
			}
			tokens[name], secrets[name] = tok, secret
			if _, err := here.Authenticate(ctx, secret); err != nil {
				t.Fatalf("%s before revocation: %v", name, err)
			}
		}

		if err := here.RevokeToken(ctx, models.System(), tokens["revoked-here"].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := here.Authenticate(ctx, secrets["revoked-here"]); !errors.Is(err, models.ErrTokenRevoked) {
			t.Fatalf("revoked in this process, next request: %v, want ErrTokenRevoked", err)
		}

		// The revocation above emptied the cache: read the other token again.
		if _, err := here.Authenticate(ctx, secrets["revoked-there"]); err != nil {
			t.Fatalf("revoked-there before revocation: %v", err)
		}
		if err := other.RevokeToken(ctx, models.System(), tokens["revoked-there"].ID); err != nil {
			t.Fatal(err)
		}
		clock.now = clock.now.Add(500 * time.Millisecond)
		if _, err := here.Authenticate(ctx, secrets["revoked-there"]); err != nil {
			t.Fatalf("revoked by another process half a second ago: %v, want still kept here", err)
		}
		clock.now = clock.now.Add(500 * time.Millisecond)
		if _, err := here.Authenticate(ctx, secrets["revoked-there"]); !errors.Is(err, models.ErrTokenRevoked) {
			t.Fatalf("revoked by another process a second ago: %v, want ErrTokenRevoked", err)
		}
	})
}

// TestTokenKeptButChecked: what is kept of a token never outlives its
// expiry, and personal tokens are not kept at all (their person's
// address change revokes them behind the cache's back).
func TestTokenKeptButChecked(t *testing.T) {
	t.Parallel()
	storagetest.ForEachPair(t, func(t *testing.T, here, other *storage.Store) {
		world(t, here)
		ctx := t.Context()
		clock := &tokenClock{now: time.Now().UTC().Truncate(time.Second)}
		here.SetClock(clock.read)
		other.SetClock(clock.read)

		exp := clock.now.Add(time.Hour)
		_, secret, err := here.CreateToken(ctx, models.System(), models.TokenInput{Name: "contractor", Role: models.RoleViewer, ExpiresAt: &exp})
		if err != nil {
			t.Fatal(err)
		}
		clock.now = exp.Add(-100 * time.Millisecond)
		if _, err := here.Authenticate(ctx, secret); err != nil {
			t.Fatalf("just before expiry: %v", err)
		}
		clock.now = exp
		if _, err := here.Authenticate(ctx, secret); !errors.Is(err, models.ErrTokenExpired) {
			t.Fatalf("at expiry, 0.1 s after it was read: %v, want ErrTokenExpired", err)
		}

		ana, err := here.GetPerson(ctx, "ana@eeas.example")
		if err != nil {
			t.Fatal(err)
		}
		a, err := here.ActorForPerson(ctx, ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		view, personal, err := here.CreatePersonalToken(ctx, a, models.PersonalTokenInput{Name: "laptop", Scope: models.ScopeReadWrite}, models.DefaultPersonalTokenLifetime)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := here.Authenticate(ctx, personal); err != nil {
			t.Fatalf("personal token: %v", err)
		}
		if err := other.RevokePersonalToken(ctx, a, view.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := here.Authenticate(ctx, personal); !errors.Is(err, models.ErrTokenRevoked) {
			t.Fatalf("personal token revoked by another process: %v, want ErrTokenRevoked at once", err)
		}
	})
}
