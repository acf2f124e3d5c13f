package main

import (
	"strings"
	"testing"
)

// TestSubcommands: a command with verbs asks for one, names the verbs it
// knows, and prints its usage for --help.
func TestSubcommands(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, cmd := range []string{"token", "org", "user"} {
		if _, errOut, err := c.run(cmd); err == nil || !strings.Contains(err.Error(), "a subcommand is required") || !strings.Contains(errOut, "Usage: jointcal "+cmd) {
			t.Errorf("%s without a verb: %v", cmd, err)
		}
		if _, _, err := c.run(cmd, "frobnicate"); err == nil || !strings.Contains(err.Error(), `unknown subcommand "frobnicate"`) || !strings.Contains(err.Error(), "list") {
			t.Errorf("%s frobnicate: %v", cmd, err)
		}
	}
}
