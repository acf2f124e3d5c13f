package storage

import (
	"testing"
	"time"
)

// TestPeriodBoundsKeyEveryInstantAsItsLocalTime checks that the period
// starts the report's SQL keys occurrences by give every instant the key
// of its own local time, hour by hour over years of daylight-saving
// changes, including zones whose clocks change at midnight.
func TestPeriodBoundsKeyEveryInstantAsItsLocalTime(t *testing.T) {
	t.Parallel()
	for _, zone := range []string{"UTC", "Europe/Brussels", "America/New_York", "America/Santiago", "America/Havana", "Asia/Beirut", "Australia/Lord_Howe"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, quarter := range []bool{false, true} {
			from := time.Date(2019, 12, 20, 13, 17, 0, 0, time.UTC).Unix()
			to := time.Date(2024, 2, 3, 0, 0, 0, 0, time.UTC).Unix()
			bounds := periodBounds(from, to, loc, quarter)
			i := 0
			for s := from; s < to; s += 1800 {
				for i+1 < len(bounds) && bounds[i+1].start <= s {
					i++
				}
				if want := periodKey(time.Unix(s, 0).In(loc), quarter); bounds[i].key != want {
					t.Fatalf("%s quarter=%v: %s keyed %s, want %s", zone, quarter, time.Unix(s, 0).In(loc), bounds[i].key, want)
				}
			}
		}
	}
}
