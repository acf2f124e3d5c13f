package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestShipsNoTestCode: the load tool is a program people run, so it must
// not link the testing package, httptest or the test SMTP server (it once
// ran notifytest with a nil-embedded testing.TB).
func TestShipsNoTestCode(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	for _, banned := range []string{"testing", "net/http/httptest", "github.com/jointcal/jointcal/notify/notifytest"} {
		if deps[banned] {
			t.Errorf("jointcal-bench links %s", banned)
		}
	}
}
