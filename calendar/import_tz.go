package calendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file resolves TZID parameters to IANA zones. Real files name zones
// in four ways, tried in this order:
//
//  1. an IANA name ("Europe/Brussels"), possibly behind a producer prefix
//     ("/mozilla.org/20050126_1/Europe/Berlin", "/citadel.org/.../Europe/Rome");
//  2. a Windows zone ID ("W. Europe Standard Time"), mapped through CLDR;
//  3. a VTIMEZONE block whose X-LIC-LOCATION is an IANA name;
//  4. a VTIMEZONE block with an unknown TZID ("Customized Time Zone",
//     "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"), matched
//     by its rules against the IANA zones of the Windows table, or, when it
//     has no daylight saving time, by its fixed offset (Etc/GMT-1 for
//     UTC+01:00: the Etc names have the POSIX sign, inverted).
//
// Everything after that is an error for the event that uses the TZID.

// resolvedZone is an IANA zone ready to use; name is "" for UTC. custom,
// when set, is the file's own VTIMEZONE block: instants are computed from
// its observances (RFC 5545 §3.6.5), and loc is the IANA zone that agrees
// with it, which the stored event is planned in.
type resolvedZone struct {
	name   string
	loc    *time.Location
	custom *customZone
	// approx is set when no IANA zone agrees with custom: a recurring
	// event is then imported as its occurrences under the block's rules.
	// warning says so, once per block.
	approx  bool
	warning ImportError
}

// instant reads a wall-clock reading (fields carried as UTC) in the zone,
// with RFC 5545's rules for repeated and skipped readings; the result is in
// loc.
func (z resolvedZone) instant(w time.Time) time.Time {
	if z.custom == nil {
		return wallIn(w, z.loc)
	}
	return z.custom.instant(w).In(z.loc)
}

// zoneLookup caches one TZID's resolution, failure included.
type zoneLookup struct {
	zone resolvedZone
	err  error
}

// maxCustomZones bounds how many distinct custom VTIMEZONE blocks one input
// may make ParseImport match against the IANA zones; real files have one or
// two, and each match costs a scan of every candidate zone.
const maxCustomZones = 64

// zoneResolver resolves the TZIDs of one ParseImport call.
type zoneResolver struct {
	defs     map[string]*component // VTIMEZONE blocks by TZID; the first wins
	cache    map[string]zoneLookup
	def      resolvedZone
	windows  map[string]string // lower-cased Windows ID -> IANA; built on first use
	displays map[string]string // lower-cased display name -> Windows ID; built on first use
	cands    []candidateZone   // built on first use
	customs  int               // custom blocks matched so far
	// warnings are what resolving zones had to approximate.
	warnings []ImportError
}

// candidateZone is an IANA zone a custom VTIMEZONE may turn out to be.
type candidateZone struct {
	name, city string
	loc        *time.Location
}

func newZoneResolver(timezones []*component, def resolvedZone) *zoneResolver {
	zr := &zoneResolver{defs: map[string]*component{}, cache: map[string]zoneLookup{}, def: def}
	for _, tz := range timezones {
		for _, p := range tz.props {
			if p.name == "TZID" {
				// TZID is TEXT: Outlook escapes the commas of its display names.
				id := strings.TrimSpace(cleanText(p.value, true))
				if _, dup := zr.defs[id]; !dup && id != "" {
					zr.defs[id] = tz
				}
				break
			}
		}
	}
	return zr
}

// resolve returns the zone a TZID parameter names. refYear is the year of
// the first reading that needs it: a custom block is matched on that year and
// the next.
func (zr *zoneResolver) resolve(tzid string, refYear int) (resolvedZone, error) {
	if l, ok := zr.cache[tzid]; ok {
		return l.zone, l.err
	}
	z, err := zr.lookup(tzid, refYear)
	if err != nil {
		err = fmt.Errorf("TZID %s: %w", quoteShort(tzid), err)
	}
	zr.cache[tzid] = zoneLookup{z, err}
	return z, err
}

func (zr *zoneResolver) lookup(tzid string, refYear int) (resolvedZone, error) {
	id := strings.TrimSpace(tzid)
	if id == "" {
		return resolvedZone{}, fmt.Errorf("empty time zone name")
	}
	if z, ok := loadIANA(id); ok {
		return z, nil
	}
	if strings.IndexByte(id, '/') >= 0 {
		// A producer prefix: try every suffix that starts after a slash.
		rest := strings.TrimLeft(id, "/")
		for {
			if z, ok := loadIANA(rest); ok {
				return z, nil
			}
			i := strings.IndexByte(rest, '/')
			if i < 0 {
				break
			}
			rest = rest[i+1:]
		}
	}
	if iana, ok := zr.windowsZone(id); ok {
		if z, ok := loadIANA(iana); ok {
			return z, nil
		}
		return resolvedZone{}, fmt.Errorf("Windows zone maps to %q, which this system's time zone database lacks", iana)
	}
	def, ok := zr.defs[id]
	if !ok {
		def, ok = zr.defs[tzid]
	}
	if !ok {
		if z, ok := zr.displayZone(id); ok {
			return z, nil
		}
		return resolvedZone{}, fmt.Errorf("not an IANA or Windows time zone name, and no VTIMEZONE in the file defines it")
	}
	for _, c := range append([]*component{def}, def.children...) {
		if c.bad != nil {
			return resolvedZone{}, fmt.Errorf("VTIMEZONE at line %d: line %d: %s", def.line, c.bad.Line, c.bad.Message)
		}
	}
	for _, p := range def.props {
		if p.name == "X-LIC-LOCATION" {
			if z, ok := loadIANA(strings.TrimSpace(p.value)); ok {
				return z, nil
			}
		}
	}
	if zr.customs >= maxCustomZones {
		return resolvedZone{}, fmt.Errorf("the file defines more than %d custom VTIMEZONE blocks; not matching more", maxCustomZones)
	}
	zr.customs++
	cz, err := parseCustomZone(def)
	if err != nil {
		return resolvedZone{}, fmt.Errorf("VTIMEZONE at line %d: %w", def.line, err)
	}
	z, err := zr.matchCustom(cz, id, refYear, 2, def.line, false)
	if err == nil && z.approx {
		// Rules that changed since (Brazil dropped daylight-saving time in
		// 2019; a 2018 block still has it) may agree over the first year.
		if z1, err1 := zr.matchCustom(cz, id, refYear, 1, def.line, true); err1 == nil && !z1.approx {
			return z1, nil
		}
		zr.warnings = append(zr.warnings, z.warning)
	}
	if err != nil {
		return resolvedZone{}, fmt.Errorf("VTIMEZONE at line %d: %w", def.line, err)
	}
	return z, nil
}

// displayZone resolves an Exchange display name ("(UTC-05:00) Eastern Time
// (US & Canada)") through displayZoneTable. The offset in the prefix must
// be the zone's standard offset (its offset in January or July, whichever
// is smaller), so that a name edited by hand is not silently taken.
func (zr *zoneResolver) displayZone(id string) (resolvedZone, bool) {
	off, name, ok := splitDisplayName(id)
	if !ok {
		return resolvedZone{}, false
	}
	if zr.displays == nil {
		zr.displays = map[string]string{}
		for _, d := range displayZoneTable() {
			zr.displays[strings.ToLower(d.display)] = d.windows
		}
	}
	win, ok := zr.displays[strings.ToLower(name)]
	if !ok {
		return resolvedZone{}, false
	}
	iana, ok := zr.windowsZone(win)
	if !ok {
		return resolvedZone{}, false
	}
	z, ok := loadIANA(iana)
	if !ok {
		return resolvedZone{}, false
	}
	_, jan := time.Date(2025, 1, 15, 12, 0, 0, 0, z.loc).Zone()
	_, jul := time.Date(2025, 7, 15, 12, 0, 0, 0, z.loc).Zone()
	if min(jan, jul) != off {
		return resolvedZone{}, false
	}
	return z, true
}

// splitDisplayName reads "(UTC+01:00) Name", "(GMT-05.00) Name" or
// "(UTC) Name" into the offset in seconds and the name.
func splitDisplayName(id string) (int, string, bool) {
	id = strings.TrimSpace(id)
	if !strings.HasPrefix(id, "(") {
		return 0, "", false
	}
	end := strings.IndexByte(id, ')')
	if end < 0 {
		return 0, "", false
	}
	prefix, name := id[1:end], strings.TrimSpace(id[end+1:])
	rest, ok := strings.CutPrefix(prefix, "UTC")
	if !ok {
		rest, ok = strings.CutPrefix(prefix, "GMT")
	}
	if !ok || name == "" {
		return 0, "", false
	}
	if rest == "" {
		return 0, name, true
	}
	if len(rest) != 6 || rest[0] != '+' && rest[0] != '-' || rest[3] != ':' && rest[3] != '.' {
		return 0, "", false
	}
	h, ok1 := digits(rest[1:3])
	m, ok2 := digits(rest[4:6])
	if !ok1 || !ok2 || h > 14 || m > 59 {
		return 0, "", false
	}
	off := h*3600 + m*60
	if rest[0] == '-' {
		off = -off
	}
	return off, name, true
}

// named resolves a zone name alone (IANA, with or without a producer
// prefix, Windows, or an Exchange display name), without VTIMEZONE blocks:
// what X-WR-TIMEZONE can name.
func (zr *zoneResolver) named(id string) (resolvedZone, bool) {
	id = strings.TrimSpace(id)
	if z, ok := loadIANA(id); ok {
		return z, true
	}
	if iana, ok := zr.windowsZone(id); ok {
		return loadIANA(iana)
	}
	return zr.displayZone(id)
}

// windowsZone maps a Windows zone ID (any case) to its IANA name.
func (zr *zoneResolver) windowsZone(id string) (string, bool) {
	if zr.windows == nil {
		table := windowsZoneTable()
		zr.windows = make(map[string]string, len(table))
		for _, w := range table {
			zr.windows[strings.ToLower(w.windows)] = w.iana
		}
	}
	iana, ok := zr.windows[strings.ToLower(id)]
	return iana, ok
}

// candidates are the distinct IANA zones of the Windows table, in its
// order, loaded once per ParseImport.
func (zr *zoneResolver) candidates() []candidateZone {
	if zr.cands != nil {
		return zr.cands
	}
	seen := map[string]bool{}
	zr.cands = []candidateZone{}
	for _, w := range windowsZoneTable() {
		if seen[w.iana] || strings.HasPrefix(w.iana, "Etc/") {
			continue
		}
		seen[w.iana] = true
		loc, err := time.LoadLocation(w.iana)
		if err != nil {
			continue // TestWindowsZoneTable keeps this from happening here
		}
		city := w.iana[strings.LastIndexByte(w.iana, '/')+1:]
		zr.cands = append(zr.cands, candidateZone{name: w.iana, city: strings.ReplaceAll(city, "_", " "), loc: loc})
	}
	return zr.cands
}

// loadIANA loads name if it looks like a tz database name. The check keeps
// arbitrary text from reaching the file system and refuses "Local", whose
// meaning depends on the server. UTC and its aliases resolve to "".
func loadIANA(name string) (resolvedZone, bool) {
	if len(name) == 0 || len(name) > 64 || name == "Local" || name[0] == '/' || name[0] == '.' || strings.Contains(name, "..") {
		return resolvedZone{}, false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '/' || c == '_' || c == '-' || c == '+' || c == '.') {
			return resolvedZone{}, false
		}
	}
	if isUTCName(name) {
		return resolvedZone{loc: time.UTC}, true
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return resolvedZone{}, false
	}
	return resolvedZone{name: name, loc: loc}, true
}

// isUTCName reports whether an IANA name is UTC under another name; events
// in it get TimeZone "" like those written with Z.
func isUTCName(name string) bool {
	switch strings.TrimPrefix(name, "Etc/") {
	case "UTC", "UCT", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich", "Universal", "Zulu":
		return true
	}
	return false
}

// fixedOffsetZone names the Etc zone of a whole-hour offset (seconds east
// of UTC): +3600 is Etc/GMT-1, because the Etc names follow POSIX, where the
// sign is inverted.
func fixedOffsetZone(off int) (resolvedZone, bool) {
	if off == 0 {
		return resolvedZone{loc: time.UTC}, true
	}
	if off%3600 != 0 || off < -12*3600 || off > 14*3600 {
		return resolvedZone{}, false
	}
	name := "Etc/GMT" + strconv.Itoa(-off/3600)
	if off < 0 {
		name = "Etc/GMT+" + strconv.Itoa(-off/3600)
	}
	return loadIANA(name)
}

// matchTolerance is how far apart a block's change of offset and the IANA
// zone's may be for the two to agree: producers write the switch at their
// own hour (GroupWise at 01:00/02:00 local, Outlook's Brasília at Saturday
// 23:59:59 instead of Sunday 00:00), which changes nothing for planning.
const matchTolerance = 3 * time.Hour

// matchCustom finds the IANA zone a custom VTIMEZONE describes, comparing
// offsets over refYear and the next year: matchTolerance before and after
// every onset of the block, and twice a month away from the onsets. Among
// the zones that agree, one whose city the TZID names wins ("(UTC+01:00)
// Brussels, Copenhagen, Madrid, Paris" is Europe/Paris), else the first in
// table order. A block without daylight saving time takes a zone only when
// the TZID names its city, else the Etc zone of its offset (or, for an
// offset that is not whole hours, the first zone that agrees). When no zone
// agrees, the one that agrees most often is taken with a warning. In every
// case the event's instants are computed from the block itself (the
// returned zone carries it); the IANA zone is what the stored event is
// planned in from then on.
func (zr *zoneResolver) matchCustom(cz *customZone, tzid string, refYear, years, line int, exactOnly bool) (resolvedZone, error) {
	from := time.Date(refYear, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(refYear+years, 1, 1, 0, 0, 0, 0, time.UTC)
	onsets := cz.onsetsIn(from, to)
	var probes []time.Time
	for _, at := range onsets {
		probes = append(probes, at.Add(-matchTolerance), at.Add(matchTolerance))
	}
	for m := from; m.Before(to); m = m.AddDate(0, 0, 14) {
		near := false
		for _, at := range onsets {
			if d := m.Sub(at); d > -matchTolerance && d < matchTolerance {
				near = true
				break
			}
		}
		if !near {
			probes = append(probes, m)
		}
	}
	want := make([]int, len(probes))
	constant := true
	for i, p := range probes {
		want[i] = cz.offsetAt(p)
		if want[i] != want[0] {
			constant = false
		}
	}
	var firstMatch, cityMatch, best *candidateZone
	bestScore := -1
	cands := zr.candidates()
	for i := range cands {
		c := &cands[i]
		score := 0
		for k, p := range probes {
			if _, off := p.In(c.loc).Zone(); off == want[k] {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = c, score
		}
		if score != len(probes) {
			continue
		}
		if firstMatch == nil {
			firstMatch = c
		}
		if containsWord(tzid, c.city) {
			cityMatch = c
			break
		}
	}
	switch {
	case cityMatch != nil:
		return resolvedZone{name: cityMatch.name, loc: cityMatch.loc, custom: cz}, nil
	case constant:
		if z, ok := fixedOffsetZone(want[0]); ok {
			z.custom = cz
			return z, nil
		}
		if firstMatch != nil {
			return resolvedZone{name: firstMatch.name, loc: firstMatch.loc, custom: cz}, nil
		}
		return resolvedZone{}, fmt.Errorf("its fixed offset %s is not a whole number of hours and no IANA zone has it in %d–%d", formatOffset(want[0]), refYear, refYear+1)
	case firstMatch != nil:
		return resolvedZone{name: firstMatch.name, loc: firstMatch.loc, custom: cz}, nil
	case best != nil && !exactOnly:
		return resolvedZone{name: best.name, loc: best.loc, custom: cz, approx: true, warning: ImportError{Line: line, Message: fmt.Sprintf(
			"VTIMEZONE %s: no IANA zone has its daylight-saving rules in %d–%d; its events' times are computed from the block, recurring ones become their occurrences under its rules, and they are shown in %s, which agrees with it on %d of %d dates checked",
			quoteShort(tzid), refYear, refYear+1, best.name, bestScore, len(probes))}}, nil
	}
	return resolvedZone{}, fmt.Errorf("its daylight-saving rules match no IANA zone in %d–%d", refYear, refYear+years-1)
}

// containsWord reports whether word occurs in s (ASCII case-insensitive)
// between non-letters, so that "Easter" is not found in "Eastern".
func containsWord(s, word string) bool {
	if word == "" {
		return false
	}
	ls, lw := strings.ToLower(s), strings.ToLower(word)
	for off := 0; ; {
		i := strings.Index(ls[off:], lw)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(lw)
		if (i == 0 || !isAlpha(ls[i-1])) && (end == len(ls) || !isAlpha(ls[end])) {
			return true
		}
		off = i + 1
	}
}
