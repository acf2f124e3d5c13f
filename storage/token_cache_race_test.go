package storage_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestTokenRevokedUnderLoad: requests authenticating the same token from
// several goroutines, each of which saw it accepted (and so kept), while
// it is revoked in this process all fail once the revocation has
// returned (run with -race for the cache's locking).
func TestTokenRevokedUnderLoad(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := t.Context()
		tok, secret, err := s.CreateToken(ctx, models.System(), models.TokenInput{Name: "busy", Role: models.RoleViewer})
		if err != nil {
			t.Fatal(err)
		}
		var (
			wg, ready sync.WaitGroup
			revoked   = make(chan struct{})
			late      = make(chan error, 8)
		)
		for range 8 {
			wg.Add(1)
			ready.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Authenticate(ctx, secret) // kept from here on
				ready.Done()
				if err != nil {
					late <- err
					return
				}
				for {
					select {
					case <-revoked:
						_, err := s.Authenticate(ctx, secret)
						late <- err
						return
					default:
					}
					if _, err := s.Authenticate(ctx, secret); err != nil && !errors.Is(err, models.ErrTokenRevoked) {
						late <- err
						return
					}
				}
			}()
		}
		ready.Wait()
		if err := s.RevokeToken(ctx, models.System(), tok.ID); err != nil {
			t.Fatal(err)
		}
		close(revoked)
		wg.Wait()
		close(late)
		for err := range late {
			if !errors.Is(err, models.ErrTokenRevoked) {
				t.Fatalf("a request after the revocation returned: %v, want ErrTokenRevoked", err)
			}
		}
	})
}
