package notify

import (
	"testing"
	"time"
)

func TestStartsIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "less than a minute"},
		{29 * time.Second, "less than a minute"},
		{31 * time.Second, "1 minute"},
		{35 * time.Minute, "35 minutes"},
		{35*time.Minute + 20*time.Second, "35 minutes"},
		{time.Hour - 2*time.Second, "1 hour"}, // composed just after the PT1H offset
		{time.Hour + 5*time.Minute, "1 hour 5 minutes"},
		{2 * time.Hour, "2 hours"},
		{24*time.Hour - 10*time.Second, "1 day"},
		{24 * time.Hour, "1 day"},
		{27*time.Hour + 20*time.Minute, "1 day 3 hours"},
		{48*time.Hour - time.Minute, "2 days"},
		{14 * 24 * time.Hour, "14 days"},
	}
	for _, tt := range tests {
		if got := startsIn(tt.d, english); got != tt.want {
			t.Errorf("startsIn(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestSpanFormat(t *testing.T) {
	t.Parallel()
	bru := mustZone(t, "Europe/Brussels")
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, bru) }
	tests := []struct {
		name  string
		s     span
		want  string
		short string
	}{
		{"same day", span{start: at(10, 10, 0), end: at(10, 12, 30)}, "Tue 10 Mar 2026, 10:00–12:30", "Tue 10 Mar 10:00"},
		{"no end", span{start: at(10, 9, 5)}, "Tue 10 Mar 2026, 09:05", "Tue 10 Mar 09:05"},
		{"over midnight", span{start: at(10, 22, 0), end: at(11, 1, 0)}, "Tue 10 Mar 2026, 22:00 – Wed 11 Mar 2026, 01:00", "Tue 10 Mar 22:00"},
		{"one all-day", span{start: at(10, 0, 0), end: at(11, 0, 0), allDay: true}, "Tue 10 Mar 2026 (all day)", "Tue 10 Mar"},
		{"all-day no end", span{start: at(10, 0, 0), allDay: true}, "Tue 10 Mar 2026 (all day)", "Tue 10 Mar"},
		{"several all-day", span{start: at(9, 0, 0), end: at(14, 0, 0), allDay: true}, "Mon 9 Mar – Fri 13 Mar 2026 (all day)", "Mon 9 Mar"},
		{"all-day over new year", span{start: time.Date(2026, 12, 30, 0, 0, 0, 0, bru), end: time.Date(2027, 1, 3, 0, 0, 0, 0, bru), allDay: true},
			"Wed 30 Dec 2026 – Sat 2 Jan 2027 (all day)", "Wed 30 Dec"},
	}
	for _, tt := range tests {
		if got := tt.s.format(bru); got != tt.want {
			t.Errorf("%s: format = %q, want %q", tt.name, got, tt.want)
		}
		if got := tt.s.short(bru); got != tt.short {
			t.Errorf("%s: short = %q, want %q", tt.name, got, tt.short)
		}
	}
}

func TestZoneLabel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                               "UTC",
		"UTC":                            "UTC",
		"Europe/Brussels":                "Brussels",
		"America/New_York":               "New York",
		"America/Argentina/Buenos_Aires": "Buenos Aires",
		"Etc/GMT+3":                      "GMT+3",
	} {
		if got := zoneLabel(in); got != want {
			t.Errorf("zoneLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSingleAndMultiLine(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, single, multi string }{
		{"  plain  ", "plain", "plain"},
		{"a\r\nb\rc\nd", "a b c d", "a\nb\nc\nd"},
		{"tab\there\x00\x7f", "tab here", "tab\there"},
		{"bad \xff byte", "bad \uFFFD byte", "bad \uFFFD byte"},
		{"line \u2028 sep", "line sep", "line \u2028 sep"},
		{"trailing   \nspaces  \n\n", "trailing spaces", "trailing\nspaces"},
	}
	for _, tt := range tests {
		if got := singleLine(tt.in); got != tt.single {
			t.Errorf("singleLine(%q) = %q, want %q", tt.in, got, tt.single)
		}
		if got := multiLine(tt.in); got != tt.multi {
			t.Errorf("multiLine(%q) = %q, want %q", tt.in, got, tt.multi)
		}
	}
}
