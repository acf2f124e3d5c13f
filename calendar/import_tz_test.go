package calendar

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestWindowsZoneTable checks the CLDR table: unique IDs, IANA values Go
// can load, the offsets the "UTC±hh" IDs promise (the Etc sign is
// inverted), and the European and North American entries a mistake would
// hurt most, with their standard offsets.
func TestWindowsZoneTable(t *testing.T) {
	t.Parallel()
	table := windowsZoneTable()
	if len(table) < 135 {
		t.Errorf("%d entries; CLDR has about 140", len(table))
	}
	seen := map[string]bool{}
	zr := newZoneResolver(nil, resolvedZone{loc: time.UTC})
	jan := time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)
	jul := time.Date(2024, 7, 15, 12, 0, 0, 0, time.UTC)
	for _, w := range table {
		if seen[strings.ToLower(w.windows)] {
			t.Errorf("%q listed twice", w.windows)
		}
		seen[strings.ToLower(w.windows)] = true
		loc, err := time.LoadLocation(w.iana)
		if err != nil {
			t.Errorf("%q -> %q: %v", w.windows, w.iana, err)
			continue
		}
		z, err := zr.resolve(w.windows, 2024)
		wantName := w.iana
		if isUTCName(w.iana) {
			wantName = ""
		}
		if err != nil || z.name != wantName {
			t.Errorf("resolve(%q) = %q, %v; want %q", w.windows, z.name, err, wantName)
		}
		if rest, ok := strings.CutPrefix(w.windows, "UTC"); ok && rest != "" {
			var h int
			if _, err := fmt.Sscanf(rest, "%d", &h); err != nil {
				t.Fatalf("%q: %v", w.windows, err)
			}
			if _, off := jan.In(loc).Zone(); off != h*3600 {
				t.Errorf("%q -> %q has offset %d s, want %d h", w.windows, w.iana, off, h)
			}
		}
	}
	for _, tc := range []struct {
		windows, iana string
		standard      float64 // hours east of UTC, the lower of January's and July's offsets
	}{
		{"W. Europe Standard Time", "Europe/Berlin", 1},
		{"Romance Standard Time", "Europe/Paris", 1},
		{"Central Europe Standard Time", "Europe/Budapest", 1},
		{"Central European Standard Time", "Europe/Warsaw", 1},
		{"GMT Standard Time", "Europe/London", 0},
		{"Greenwich Standard Time", "Atlantic/Reykjavik", 0},
		{"GTB Standard Time", "Europe/Bucharest", 2},
		{"FLE Standard Time", "Europe/Kyiv", 2},
		{"E. Europe Standard Time", "Europe/Chisinau", 2},
		{"Kaliningrad Standard Time", "Europe/Kaliningrad", 2},
		{"Turkey Standard Time", "Europe/Istanbul", 3},
		{"Russian Standard Time", "Europe/Moscow", 3},
		{"Belarus Standard Time", "Europe/Minsk", 3},
		{"Azores Standard Time", "Atlantic/Azores", -1},
		{"Eastern Standard Time", "America/New_York", -5},
		{"US Eastern Standard Time", "America/Indiana/Indianapolis", -5},
		{"Central Standard Time", "America/Chicago", -6},
		{"Canada Central Standard Time", "America/Regina", -6},
		{"Central Standard Time (Mexico)", "America/Mexico_City", -6},
		{"Mountain Standard Time", "America/Denver", -7},
		{"US Mountain Standard Time", "America/Phoenix", -7},
		{"Yukon Standard Time", "America/Whitehorse", -7},
		{"Pacific Standard Time", "America/Los_Angeles", -8},
		{"Pacific Standard Time (Mexico)", "America/Tijuana", -8},
		{"Alaskan Standard Time", "America/Anchorage", -9},
		{"Hawaiian Standard Time", "Pacific/Honolulu", -10},
		{"Atlantic Standard Time", "America/Halifax", -4},
		{"Newfoundland Standard Time", "America/St_Johns", -3.5},
		{"Greenland Standard Time", "America/Nuuk", -2},
		{"UTC", "Etc/UTC", 0},
		{"Dateline Standard Time", "Etc/GMT+12", -12},
		{"Line Islands Standard Time", "Pacific/Kiritimati", 14},
		{"India Standard Time", "Asia/Kolkata", 5.5},
		{"Nepal Standard Time", "Asia/Kathmandu", 5.75},
	} {
		iana, ok := zr.windowsZone(tc.windows)
		if !ok || iana != tc.iana {
			t.Errorf("%q -> %q, want %q", tc.windows, iana, tc.iana)
			continue
		}
		loc := mustLoad(t, iana)
		_, a := jan.In(loc).Zone()
		_, b := jul.In(loc).Zone()
		if got := float64(min(a, b)) / 3600; got != tc.standard {
			t.Errorf("%q (%s): standard offset %v h, want %v", tc.windows, iana, got, tc.standard)
		}
	}
}

// vtimezone writes a VTIMEZONE block; each observance is "STANDARD" or
// "DAYLIGHT" followed by its property lines, separated by "|".
func vtimezone(tzid string, observances ...string) []string {
	lines := []string{"BEGIN:VTIMEZONE", "TZID:" + tzid}
	for _, ob := range observances {
		parts := strings.Split(ob, "|")
		lines = append(lines, "BEGIN:"+parts[0])
		lines = append(lines, parts[1:]...)
		lines = append(lines, "END:"+parts[0])
	}
	return append(lines, "END:VTIMEZONE")
}

// Observances as Outlook writes them for today's rules.
const (
	euStd1 = "STANDARD|DTSTART:16010101T030000|TZOFFSETFROM:+0200|TZOFFSETTO:+0100|RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10"
	euDst1 = "DAYLIGHT|DTSTART:16010101T020000|TZOFFSETFROM:+0100|TZOFFSETTO:+0200|RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3"
	euStd0 = "STANDARD|DTSTART:16010101T020000|TZOFFSETFROM:+0100|TZOFFSETTO:+0000|RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
	euDst0 = "DAYLIGHT|DTSTART:16010101T010000|TZOFFSETFROM:+0000|TZOFFSETTO:+0100|RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
	euStd2 = "STANDARD|DTSTART:16010101T040000|TZOFFSETFROM:+0300|TZOFFSETTO:+0200|RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
	euDst2 = "DAYLIGHT|DTSTART:16010101T030000|TZOFFSETFROM:+0200|TZOFFSETTO:+0300|RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
	usStd  = "STANDARD|DTSTART:16010101T020000|TZOFFSETFROM:-0400|TZOFFSETTO:-0500|RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"
	usDst  = "DAYLIGHT|DTSTART:16010101T020000|TZOFFSETFROM:-0500|TZOFFSETTO:-0400|RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"
	paStd  = "STANDARD|DTSTART:16010101T020000|TZOFFSETFROM:-0700|TZOFFSETTO:-0800|RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"
	paDst  = "DAYLIGHT|DTSTART:16010101T020000|TZOFFSETFROM:-0800|TZOFFSETTO:-0700|RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"
	auStd  = "STANDARD|DTSTART:16010101T030000|TZOFFSETFROM:+1100|TZOFFSETTO:+1000|RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4"
	auDst  = "DAYLIGHT|DTSTART:16010101T020000|TZOFFSETFROM:+1000|TZOFFSETTO:+1100|RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=10"
)

// fixed is a block with one constant offset.
func fixed(off string) string {
	return "STANDARD|DTSTART:16010101T000000|TZOFFSETFROM:" + off + "|TZOFFSETTO:" + off
}

// TestCustomVTimezone resolves VTIMEZONE blocks with TZIDs that are neither
// IANA nor Windows names, as Outlook, Notes and hand-made files write them.
func TestCustomVTimezone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		tzid    string
		obs     []string
		dtstart string // local time of the event using the zone
		zone    string // resolved zone; "" with err for failures
		err     string
		offset  string // the event's RFC 3339 start
	}{
		{"EU rules", "Customized Time Zone", []string{euStd1, euDst1}, "20240801T100000", "Europe/Berlin", "", "2024-08-01T10:00:00+02:00"},
		{"EU rules, Paris named", "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", []string{euStd1, euDst1}, "20240115T100000", "Europe/Paris", "", "2024-01-15T10:00:00+01:00"},
		{"EU rules, Berlin named", "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", []string{euStd1, euDst1}, "20240115T100000", "Europe/Berlin", "", ""},
		{"EU rules, Budapest named", "(UTC+01:00) Belgrade, Bratislava, Budapest, Ljubljana, Prague", []string{euStd1, euDst1}, "20240115T100000", "Europe/Budapest", "", ""},
		{"EU rules, Warsaw named", "(UTC+01:00) Sarajevo, Skopje, Warsaw, Zagreb", []string{euStd1, euDst1}, "20240115T100000", "Europe/Warsaw", "", ""},
		{"UK rules", "(UTC+00:00) Dublin, Edinburgh, Lisbon, London", []string{euStd0, euDst0}, "20240701T100000", "Europe/London", "", "2024-07-01T10:00:00+01:00"},
		{"EET rules, Kyiv named", "(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius", []string{euStd2, euDst2}, "20240701T100000", "Europe/Kyiv", "", "2024-07-01T10:00:00+03:00"},
		{"EET rules", "Customized Time Zone", []string{euStd2, euDst2}, "20240701T100000", "Europe/Bucharest", "", ""},
		{"US Eastern, not Easter Island", "(UTC-05:00) Eastern Time (US & Canada)", []string{usStd, usDst}, "20240701T100000", "America/New_York", "", "2024-07-01T10:00:00-04:00"},
		{"US Pacific", "Pacific Time", []string{paStd, paDst}, "20241215T100000", "America/Los_Angeles", "", "2024-12-15T10:00:00-08:00"},
		{"southern hemisphere", "(UTC+10:00) Canberra, Melbourne, Sydney", []string{auStd, auDst}, "20240115T100000", "Australia/Sydney", "", "2024-01-15T10:00:00+11:00"},
		{"old US rules in 2005", "US Eastern (2005)", []string{
			"STANDARD|DTSTART:19671029T020000|TZOFFSETFROM:-0400|TZOFFSETTO:-0500|RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
			"DAYLIGHT|DTSTART:19870405T020000|TZOFFSETFROM:-0500|TZOFFSETTO:-0400|RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4"},
			"20050410T100000", "America/New_York", "", "2005-04-10T10:00:00-04:00"},
		{"history then today's rules", "US Eastern (history)", []string{
			"STANDARD|DTSTART:19671029T020000|TZOFFSETFROM:-0400|TZOFFSETTO:-0500|RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10;UNTIL=20061029T060000Z",
			"DAYLIGHT|DTSTART:19870405T020000|TZOFFSETFROM:-0500|TZOFFSETTO:-0400|RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4;UNTIL=20060402T070000Z",
			"DAYLIGHT|DTSTART:20070311T020000|TZOFFSETFROM:-0500|TZOFFSETTO:-0400|RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3",
			"STANDARD|DTSTART:20071104T020000|TZOFFSETFROM:-0400|TZOFFSETTO:-0500|RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"},
			"20241103T120000", "America/New_York", "", "2024-11-03T12:00:00-05:00"},
		{"BYMONTHDAY and BYDAY", "Old style", []string{
			"DAYLIGHT|DTSTART:20070311T020000|TZOFFSETFROM:-0500|TZOFFSETTO:-0400|RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=SU;BYMONTHDAY=8,9,10,11,12,13,14",
			"STANDARD|DTSTART:20071104T020000|TZOFFSETFROM:-0400|TZOFFSETTO:-0500|RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=SU;BYMONTHDAY=1,2,3,4,5,6,7"},
			"20240701T100000", "America/New_York", "", ""},
		{"explicit RDATE onsets", "Listed changes", []string{
			"DAYLIGHT|DTSTART:20240331T020000|TZOFFSETFROM:+0100|TZOFFSETTO:+0200|RDATE:20250330T020000",
			"STANDARD|DTSTART:20231029T030000|TZOFFSETFROM:+0200|TZOFFSETTO:+0100|RDATE:20241027T030000,20251026T030000"},
			"20240701T100000", "Europe/Berlin", "", ""},
		{"DST abolished, now fixed +03", "Customized Time Zone", []string{
			"DAYLIGHT|DTSTART:20110327T030000|TZOFFSETFROM:+0200|TZOFFSETTO:+0300|RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;UNTIL=20150329T010000Z",
			"STANDARD|DTSTART:20111030T040000|TZOFFSETFROM:+0300|TZOFFSETTO:+0200|RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;UNTIL=20151108T010000Z",
			"STANDARD|DTSTART:20160907T000000|TZOFFSETFROM:+0300|TZOFFSETTO:+0300"},
			"20240701T100000", "Etc/GMT-3", "", "2024-07-01T10:00:00+03:00"},
		{"fixed +03 with its city named", "(UTC+03:00) Istanbul", []string{fixed("+0300")}, "20240701T100000", "Europe/Istanbul", "", ""},
		{"fixed +01", "Customized Time Zone", []string{fixed("+0100")}, "20240701T100000", "Etc/GMT-1", "", "2024-07-01T10:00:00+01:00"},
		{"fixed -05 has the inverted Etc sign", "Customized Time Zone", []string{fixed("-0500")}, "20240701T100000", "Etc/GMT+5", "", "2024-07-01T10:00:00-05:00"},
		{"fixed +14", "Customized Time Zone", []string{fixed("+1400")}, "20240701T100000", "Etc/GMT-14", "", "2024-07-01T10:00:00+14:00"},
		{"fixed zero is UTC", "Customized Time Zone", []string{fixed("+0000")}, "20240701T100000", "", "", "2024-07-01T10:00:00Z"},
		{"fixed +01 with Lagos named", "(UTC+01:00) West Central Africa, Lagos", []string{fixed("+0100")}, "20240701T100000", "Africa/Lagos", "", ""},
		{"fixed +05:30", "Customized Time Zone", []string{fixed("+0530")}, "20240701T100000", "Asia/Kolkata", "", "2024-07-01T10:00:00+05:30"},
		{"fixed +05:30, Colombo named", "(UTC+05:30) Sri Jayawardenepura, Colombo", []string{fixed("+0530")}, "20240701T100000", "Asia/Colombo", "", ""},
		{"fixed +05:45", "Customized Time Zone", []string{fixed("+0545")}, "20240701T100000", "Asia/Kathmandu", "", ""},
		{"fixed offset nobody has", "Customized Time Zone", []string{fixed("+0117")}, "20240701T100000", "", "fixed offset +0117 is not a whole number of hours", ""},
		{"rules nobody has", "Customized Time Zone", []string{
			"STANDARD|DTSTART:16010101T030000|TZOFFSETFROM:+0200|TZOFFSETTO:+0100|RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=9",
			"DAYLIGHT|DTSTART:16010101T020000|TZOFFSETFROM:+0100|TZOFFSETTO:+0200|RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=2"},
			"20240701T100000", "Europe/Berlin", "", "2024-07-01T10:00:00+02:00"}, // instants from the block, with a warning (issue 15, defect 2)
		{"monthly rule", "Customized Time Zone", []string{"STANDARD|DTSTART:16010101T030000|TZOFFSETFROM:+0200|TZOFFSETTO:+0100|RRULE:FREQ=MONTHLY"},
			"20240701T100000", "", "only FREQ=YEARLY", ""},
		{"two weekdays", "Customized Time Zone", []string{"STANDARD|DTSTART:16010101T030000|TZOFFSETFROM:+0200|TZOFFSETTO:+0100|RRULE:FREQ=YEARLY;BYDAY=SA,SU"},
			"20240701T100000", "", "BYDAY must be one weekday", ""},
		{"every Sunday", "Customized Time Zone", []string{"STANDARD|DTSTART:16010101T030000|TZOFFSETFROM:+0200|TZOFFSETTO:+0100|RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=SU"},
			"20240701T100000", "", "BYDAY without an ordinal needs BYMONTHDAY", ""},
		{"unknown rule part", "Customized Time Zone", []string{"STANDARD|DTSTART:16010101T030000|TZOFFSETFROM:+0200|TZOFFSETTO:+0100|RRULE:FREQ=YEARLY;BYWEEKNO=13"},
			"20240701T100000", "", `rule part "BYWEEKNO"`, ""},
		{"missing TZOFFSETTO", "Customized Time Zone", []string{"STANDARD|DTSTART:16010101T030000|TZOFFSETFROM:+0200"},
			"20240701T100000", "", "needs DTSTART, TZOFFSETFROM and TZOFFSETTO", ""},
		{"bad offset", "Customized Time Zone", []string{"STANDARD|DTSTART:16010101T030000|TZOFFSETFROM:+0200|TZOFFSETTO:+01:00"},
			"20240701T100000", "", "TZOFFSETTO: UTC offset \"+01:00\"", ""},
		{"no observances", "Customized Time Zone", nil, "20240701T100000", "", "no STANDARD or DAYLIGHT block", ""},
		{"X-LIC-LOCATION", "Custom with hint", []string{"STANDARD|DTSTART:19700101T000000|TZOFFSETFROM:+0100|TZOFFSETTO:+0100"}, "20240701T100000", "Europe/Tallinn", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tz := vtimezone(tc.tzid, tc.obs...)
			if tc.name == "X-LIC-LOCATION" {
				tz = append([]string{tz[0], tz[1], "X-LIC-LOCATION:Europe/Tallinn"}, tz[2:]...)
			}
			quoted := strings.NewReplacer(",", `\,`).Replace(tc.tzid) // TZID is TEXT in the block
			tz[1] = "TZID:" + quoted
			input := calendarWith(append(tz, eventWith(`DTSTART;TZID="`+tc.tzid+`":`+tc.dtstart)...)...)
			res := mustImport(t, input, ImportOptions{})
			if tc.err != "" {
				if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, tc.err) || !strings.Contains(res.Errors[0].Message, "VTIMEZONE at line 4") {
					t.Fatalf("got %+v; want an error containing %q", res, tc.err)
				}
				return
			}
			if len(res.Events) != 1 {
				t.Fatalf("got %+v", res)
			}
			ev := res.Events[0]
			if ev.TimeZone != tc.zone {
				t.Errorf("zone %q, want %q", ev.TimeZone, tc.zone)
			}
			if tc.offset != "" && rfc3339(ev.Start) != tc.offset {
				t.Errorf("start %s, want %s", rfc3339(ev.Start), tc.offset)
			}
		})
	}
}

// TestCustomZoneOffsets checks the block reader itself against Go's
// Europe/Brussels over several years, transitions included.
func TestCustomZoneOffsets(t *testing.T) {
	t.Parallel()
	comp := &component{name: "VTIMEZONE"}
	for _, ob := range []string{euStd1, euDst1} {
		parts := strings.Split(ob, "|")
		c := &component{name: parts[0]}
		for _, l := range parts[1:] {
			cl, err := splitContentLine(l, 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			c.props = append(c.props, cl)
		}
		comp.children = append(comp.children, c)
	}
	cz, err := parseCustomZone(comp)
	if err != nil {
		t.Fatal(err)
	}
	bru := mustLoad(t, "Europe/Brussels")
	for at := time.Date(2000, 1, 1, 0, 30, 0, 0, time.UTC); at.Year() < 2030; at = at.Add(97 * time.Minute) {
		_, want := at.In(bru).Zone()
		if got := cz.offsetAt(at); got != want {
			t.Fatalf("offset at %v = %d, want %d", at, got, want)
		}
	}
	if got := cz.offsetAt(time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)); got != 3600 {
		t.Errorf("before the first onset: %d, want the earliest block's TZOFFSETFROM", got)
	}
}

// TestCustomZoneLimit keeps a file from making ParseImport match an
// unbounded number of custom blocks.
func TestCustomZoneLimit(t *testing.T) {
	t.Parallel()
	var lines []string
	for i := 0; i <= maxCustomZones; i++ {
		lines = append(lines, vtimezone(fmt.Sprintf("Custom %d", i), fixed("+0100"))...)
		lines = append(lines, "BEGIN:VEVENT", fmt.Sprintf("UID:%d", i), fmt.Sprintf(`DTSTART;TZID="Custom %d":20240101T100000`, i), "END:VEVENT")
	}
	res := mustImport(t, calendarWith(lines...), ImportOptions{})
	if len(res.Events) != maxCustomZones || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "more than 64 custom VTIMEZONE") {
		t.Errorf("%d events, errors %+v", len(res.Events), res.Errors)
	}
}

func TestLoadIANA(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"Europe/Brussels":                "Europe/Brussels",
		"America/Argentina/Buenos_Aires": "America/Argentina/Buenos_Aires",
		"Etc/GMT-1":                      "Etc/GMT-1",
		"UTC":                            "",
		"Etc/UTC":                        "",
		"GMT":                            "",
		"Zulu":                           "",
		"Local":                          "!",
		"":                               "!",
		"../etc/passwd":                  "!",
		"/etc/localtime":                 "!",
		".hidden":                        "!",
		"Europe/Brussels ":               "!",
		"Europe/Nowhere":                 "!",
		"W. Europe Standard Time":        "!",
		strings.Repeat("A/", 40):         "!",
	} {
		z, ok := loadIANA(name)
		got := z.name
		if !ok {
			got = "!"
		}
		if got != want || ok && z.loc == nil {
			t.Errorf("loadIANA(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

func TestFixedOffsetZone(t *testing.T) {
	t.Parallel()
	for off, want := range map[int]string{
		0: "", 3600: "Etc/GMT-1", -3600: "Etc/GMT+1", 14 * 3600: "Etc/GMT-14", -12 * 3600: "Etc/GMT+12",
		15 * 3600: "!", -13 * 3600: "!", 5*3600 + 1800: "!",
	} {
		z, ok := fixedOffsetZone(off)
		got := z.name
		if !ok {
			got = "!"
		}
		if got != want {
			t.Errorf("fixedOffsetZone(%d) = %q, want %q", off, got, want)
			continue
		}
		if ok {
			if _, o := time.Now().In(z.loc).Zone(); o != off {
				t.Errorf("%q has offset %d, want %d", got, o, off)
			}
		}
	}
}

func TestContainsWord(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s, word string
		want    bool
	}{
		{"(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", "Paris", true},
		{"(UTC-05:00) Eastern Time (US & Canada)", "Easter", false},
		{"easter island", "Easter", true},
		{"New York", "New York", true},
		{"Parisian", "Paris", false},
		{"x", "", false},
	} {
		if got := containsWord(tc.s, tc.word); got != tc.want {
			t.Errorf("containsWord(%q, %q) = %v", tc.s, tc.word, got)
		}
	}
}
