package web

import (
	"strings"
	"testing"
)

// TestRecoveredTurnsAPanicIntoAnError: a report computed on a goroutine
// of the page's own that panics fails the request instead of the process.
func TestRecoveredTurnsAPanicIntoAnError(t *testing.T) {
	t.Parallel()
	err := recovered(func() error { panic("report broke") })()
	if err == nil || !strings.Contains(err.Error(), "report broke") {
		t.Fatalf("recovered returned %v", err)
	}
	if err := recovered(func() error { return nil })(); err != nil {
		t.Fatalf("recovered changed a success into %v", err)
	}
}
