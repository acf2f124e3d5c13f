package config

import (
	"strings"
	"testing"
	"time"
)

// TestReplyChase: JOINTCAL_REPLY_CHASE is an ISO 8601 duration, three
// days by default, P0D turns the chase off, and anything else is refused
// with a message naming the setting.
func TestReplyChase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 72 * time.Hour, true},
		{"P3D", 72 * time.Hour, true},
		{"PT36H", 36 * time.Hour, true},
		{"P0D", 0, true},
		{"3d", 0, false},
		{"72h", 0, false},
		{"-P1D", 0, false},
	} {
		c, err := Load(env(map[string]string{"JOINTCAL_REPLY_CHASE": tc.value}))
		if !tc.ok {
			if err == nil || !strings.Contains(err.Error(), "JOINTCAL_REPLY_CHASE") {
				t.Errorf("JOINTCAL_REPLY_CHASE=%q: error %v, want one naming the setting", tc.value, err)
			}
			continue
		}
		if err != nil || c.ReplyChase != tc.want {
			t.Errorf("JOINTCAL_REPLY_CHASE=%q: %v, %v; want %v", tc.value, c.ReplyChase, err, tc.want)
		}
	}
}
