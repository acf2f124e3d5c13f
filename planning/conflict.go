package planning

import (
	"cmp"
	"slices"
	"time"
)

// Severity says whether a conflict refuses a booking (hard: the API answers
// 409) or only warns about it (soft: the booking is stored, the warning
// returned).
type Severity string

// The severities of a conflict.
const (
	SeverityHard Severity = "hard"
	SeveritySoft Severity = "soft"
)

// The conflict rules, as reported in Conflict.Rule and in the API's 409
// problem documents. They are stable identifiers clients may switch on.
const (
	// RulePersonDoubleBooked: a person required by both activities. Hard.
	RulePersonDoubleBooked = "person_double_booked"
	// RuleBodyDoubleBooked: a committee or staff required by both. Hard.
	RuleBodyDoubleBooked = "body_double_booked"
	// RuleVenueDoubleBooked: the same physical room or site. Hard.
	RuleVenueDoubleBooked = "venue_double_booked"
	// RuleOptionalBusy: a person or body is busy, but optional on one side.
	// Soft.
	RuleOptionalBusy = "optional_participant_busy"
	// RulePlanningOverlap: two exercises (or exercise phases) of the same
	// organisation or body overlap, which the organisations committed to
	// avoid. Soft.
	RulePlanningOverlap = "planning_overlap"
	// RuleBlackout: the activity falls in a blackout of one of its
	// organisations; the blackout sets the severity.
	RuleBlackout = "blackout"
	// RuleBuffer: a person or body has less than the required gap between
	// two activities. Soft.
	RuleBuffer = "buffer"
	// RuleExternalBusy: an external calendar (a subscription) shows the
	// resource busy; the subscription sets the severity.
	RuleExternalBusy = "external_busy"
	// RuleProposalHold: the resource is held by a proposed activity that
	// waits for another organisation's agreement. It is not committed yet,
	// so it only warns. Soft.
	RuleProposalHold = "proposal_hold"
)

// ResourceType is the kind of thing an activity occupies; each kind has its
// own double-booking rule.
type ResourceType string

// The resource types.
const (
	ResourcePerson       ResourceType = "person"
	ResourceBody         ResourceType = "body"
	ResourceVenue        ResourceType = "venue"
	ResourceOrganization ResourceType = "organization"
)

// ResourceRef names one resource, so occupancy rows and claims can be matched
// without loading the resource itself.
type ResourceRef struct {
	Type ResourceType
	ID   int64
}

// Claim is one resource an activity occupies, with how it occupies it.
type Claim struct {
	Resource ResourceRef
	// Required is false for optional participants: their being busy only
	// warns.
	Required bool
	// Virtual marks a virtual venue (video conference), which never
	// conflicts. It is ignored on other resource types.
	Virtual bool
	// Buffer is a venue-specific gap to keep around activities (set-up,
	// security screening); 0 means the global RuleConfig.Buffer.
	Buffer time.Duration
}

// Proposal is the activity being booked or edited, already expanded into
// occurrences (see Expand) over the window to check.
type Proposal struct {
	ActivityID  int64 // 0 for a new activity
	Kind        string
	Status      string
	Occurrences []Occurrence
	Claims      []Claim
	// Coordinated lists the activities the proposal overlaps on purpose:
	// the other members of its own exercise (the exercise and its phases)
	// and the members of a parallel-and-coordinated (PACE) partner
	// exercise. The planning-overlap rule does not report them; every
	// other rule still does.
	Coordinated map[int64]bool
}

// Busy is one row of the occupancy index: one resource held by one occurrence
// of another activity, or by an event of an external calendar.
type Busy struct {
	ActivityID int64
	Kind       string
	Start, End time.Time
	Resource   ResourceRef
	Required   bool
	Virtual    bool
	// External marks a row imported from an external calendar; it only
	// raises external_busy.
	External bool
	// Severity of an external row: the subscription's setting. Empty is
	// soft.
	Severity Severity
	// Proposed marks a row of a proposed activity: it holds the slot as a
	// soft clash (proposal_hold) until every side agrees.
	Proposed bool
}

// Blackout is a period in which the listed organisations plan nothing (hard)
// or want to be warned (soft), such as a summit week.
type Blackout struct {
	ID            int64
	Title         string
	Start, End    time.Time
	Organizations []int64
	// Severity of the blackout; empty is hard.
	Severity Severity
}

// Span is a half-open interval [Start, End) of instants.
type Span struct{ Start, End time.Time }

// Conflict is one reason a proposal clashes with the plan: which rule, on
// which resource, for which of its occurrences, against what.
type Conflict struct {
	Rule     string
	Severity Severity
	Resource ResourceRef
	// Occurrence is the proposal's occurrence concerned.
	Occurrence Span
	// OtherActivityID is the activity clashed with: 0 for a blackout, an
	// external row without an activity, or the proposal itself when it is
	// new and two of its own occurrences clash.
	OtherActivityID int64
	// Other is the other side's span (its occurrence, event or blackout).
	Other Span
	// Overlap is the intersection of Occurrence and Other; for the buffer
	// rule, which concerns spans that do not intersect, it is the gap
	// between them that is shorter than the buffer.
	Overlap Span
	// BlackoutID is set for the blackout rule.
	BlackoutID int64
}

// RuleConfig holds the deployment-wide settings of the conflict rules.
type RuleConfig struct {
	// Buffer is the minimum gap a person or body needs between two
	// activities; 0 disables the buffer rule unless a venue sets one.
	Buffer time.Duration
}

// Hard reports whether the conflict refuses the booking.
func (c Conflict) Hard() bool {
	return c.Severity == SeverityHard
}

// The kinds whose overlaps the planning_overlap rule watches.
const (
	kindExercise      = "exercise"
	kindExercisePhase = "exercise_phase"
	statusCancelled   = "cancelled"
)

// IsExerciseKind reports the kinds the planning-overlap rule deconflicts
// (an exercise and its phases). The store asks it too, so the rule and
// the occupancy it loads agree on what an exercise is.
func IsExerciseKind(kind string) bool {
	return kind == kindExercise || kind == kindExercisePhase
}

// Check returns every conflict between the proposal and the neighbouring
// occupancy (already narrowed by the caller to the proposal's resources and
// time range widened by the buffer) and blackouts: hard conflicts first, then
// by occurrence, rule, resource and other side, so the same input always
// gives the same answer. It is pure and allocates in proportion to the rows
// that matter.
//
// Rows of the proposal's own activity (ActivityID equal to a non-zero
// p.ActivityID, not External) are ignored: the caller may pass them when
// editing. Two of the proposal's own occurrences that overlap do clash, on
// every person, body and physical venue they share (reported once, on the
// earlier one; buffers and planning overlap do not apply within one
// activity). A cancelled proposal has no conflicts. The result is never nil.
func Check(p Proposal, busy []Busy, blackouts []Blackout, cfg RuleConfig) []Conflict {
	out := []Conflict{}
	if p.Status == statusCancelled {
		return out
	}
	claims := mergeClaims(p.Claims)
	if len(claims) == 0 || len(p.Occurrences) == 0 {
		return out
	}
	occs := make([]Occurrence, 0, len(p.Occurrences))
	for _, o := range p.Occurrences {
		if o.End.After(o.Start) {
			occs = append(occs, o)
		}
	}
	// By start, then end: occurrences starting together (a moved instance
	// on another's start) get one order whatever order they came in, so
	// selfConflicts reports a pair from the same side for any subset of
	// the occurrences (the agenda computes a window in parts).
	slices.SortFunc(occs, func(a, b Occurrence) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return a.End.Compare(b.End)
	})

	buffer := cfg.Buffer
	for _, c := range claims {
		if c.Resource.Type == ResourceVenue && c.Buffer > buffer {
			buffer = c.Buffer
		}
	}

	found := newConflictSet()
	// Claims by resource ID: an int64 key hashes much faster than the
	// string-typed ResourceRef, and this lookup runs once per busy row.
	claimsByID := make(map[int64][]int, len(claims))
	for i, c := range claims {
		claimsByID[c.Resource.ID] = append(claimsByID[c.Resource.ID], i)
	}
	idx := newOccurrenceIndex(occs)
	for i := range busy {
		b := &busy[i]
		ci := claimIndex(claims, claimsByID[b.Resource.ID], b.Resource.Type)
		if ci < 0 || !b.End.After(b.Start) || (p.ActivityID != 0 && b.ActivityID == p.ActivityID && !b.External) {
			continue
		}
		c := claims[ci]
		if c.Virtual && c.Resource.Type == ResourceVenue {
			continue
		}
		pad := time.Duration(0)
		if buffer > 0 && !b.External && (c.Resource.Type == ResourcePerson || c.Resource.Type == ResourceBody) {
			pad = buffer
		}
		from, to := b.Start.UnixNano()-int64(pad), b.End.UnixNano()+int64(pad)
		idx.near(from, to, func(k int) { judge(found, p, occs[k], c, b, pad) })
	}
	selfConflicts(found, p, occs, claims)
	checkBlackouts(found, occs, claims, blackouts)
	return found.sorted()
}

// claimIndex returns which of the candidate claims (same resource ID) is on
// a resource of type t, or -1.
func claimIndex(claims []Claim, candidates []int, t ResourceType) int {
	for _, i := range candidates {
		if claims[i].Resource.Type == t {
			return i
		}
	}
	return -1
}

// mergeClaims folds claims on the same resource into one: required if any is,
// virtual only if all are, the largest buffer.
func mergeClaims(in []Claim) []Claim {
	out := make([]Claim, 0, len(in))
	pos := make(map[ResourceRef]int, len(in))
	for _, c := range in {
		if i, ok := pos[c.Resource]; ok {
			m := &out[i]
			m.Required = m.Required || c.Required
			m.Virtual = m.Virtual && c.Virtual
			m.Buffer = max(m.Buffer, c.Buffer)
			continue
		}
		pos[c.Resource] = len(out)
		out = append(out, c)
	}
	return out
}

// occurrenceIndex holds the proposal's occurrences sorted by start, as Unix
// nanoseconds, with the longest one's length, so that the occurrences near a
// busy row are found by binary search.
type occurrenceIndex struct {
	occs       []Occurrence
	start, end []int64
	maxLen     int64
}

func newOccurrenceIndex(occs []Occurrence) occurrenceIndex {
	x := occurrenceIndex{occs: occs, start: make([]int64, len(occs)), end: make([]int64, len(occs))}
	for i, o := range occs {
		x.start[i], x.end[i] = o.Start.UnixNano(), o.End.UnixNano()
		x.maxLen = max(x.maxLen, x.end[i]-x.start[i])
	}
	return x
}

// near calls fn with the position of every occurrence that intersects or
// touches [from, to] (Unix nanoseconds).
func (x *occurrenceIndex) near(from, to int64, fn func(int)) {
	hi, _ := slices.BinarySearch(x.start, to+1) // first occurrence starting after to
	for i := hi - 1; i >= 0 && x.start[i] >= from-x.maxLen; i-- {
		if x.end[i] >= from {
			fn(i)
		}
	}
}

// judge applies the rules to one occurrence of the proposal, one of its claims
// and one busy row on the same resource. pad is the buffer that applies to
// this claim (0 when none).
func judge(found *conflictSet, p Proposal, o Occurrence, c Claim, b *Busy, pad time.Duration) {
	occ := Span{o.Start, o.End}
	other := Span{b.Start, b.End}
	overlap, overlaps := intersect(occ, other)
	base := Conflict{Resource: c.Resource, Occurrence: occ, OtherActivityID: b.ActivityID, Other: other, Overlap: overlap}

	if b.External {
		if overlaps {
			sev := b.Severity
			if sev == "" {
				sev = SeveritySoft
			}
			found.add(base, RuleExternalBusy, sev)
		}
		return
	}
	if b.Proposed {
		if overlaps && c.Resource.Type != ResourceOrganization && !(c.Resource.Type == ResourceVenue && (c.Virtual || b.Virtual)) {
			found.add(base, RuleProposalHold, SeveritySoft)
		}
	} else {
		judgeCommitted(found, base, c, b, overlaps, pad, occ, other)
	}
	if overlaps && IsExerciseKind(p.Kind) && IsExerciseKind(b.Kind) && !p.Coordinated[b.ActivityID] &&
		(c.Resource.Type == ResourceOrganization || c.Resource.Type == ResourceBody) {
		found.add(base, RulePlanningOverlap, SeveritySoft)
	}
}

// judgeCommitted applies the double-booking and buffer rules to a busy
// row of a committed (not proposed) activity.
func judgeCommitted(found *conflictSet, base Conflict, c Claim, b *Busy, overlaps bool, pad time.Duration, occ, other Span) {
	switch c.Resource.Type {
	case ResourcePerson, ResourceBody:
		if overlaps {
			switch {
			case c.Required && b.Required && c.Resource.Type == ResourcePerson:
				found.add(base, RulePersonDoubleBooked, SeverityHard)
			case c.Required && b.Required:
				found.add(base, RuleBodyDoubleBooked, SeverityHard)
			default:
				found.add(base, RuleOptionalBusy, SeveritySoft)
			}
		} else if gap, ok := gapBetween(occ, other); ok && pad > 0 && gap.End.Sub(gap.Start) < pad {
			base.Overlap = gap
			found.add(base, RuleBuffer, SeveritySoft)
		}
	case ResourceVenue:
		if overlaps && !b.Virtual {
			found.add(base, RuleVenueDoubleBooked, SeverityHard)
		}
	}
}

// selfConflicts reports pairs of the proposal's own occurrences that overlap:
// they share every resource. Each pair is reported once, on the earlier
// occurrence. Buffers and planning overlap do not apply within one activity.
func selfConflicts(found *conflictSet, p Proposal, occs []Occurrence, claims []Claim) {
	for i, a := range occs {
		for j := i + 1; j < len(occs) && occs[j].Start.Before(a.End); j++ {
			b := occs[j]
			occ, other := Span{a.Start, a.End}, Span{b.Start, b.End}
			overlap, ok := intersect(occ, other)
			if !ok {
				continue
			}
			for _, c := range claims {
				base := Conflict{Resource: c.Resource, Occurrence: occ, OtherActivityID: p.ActivityID, Other: other, Overlap: overlap}
				switch {
				case c.Resource.Type == ResourceVenue && !c.Virtual:
					found.add(base, RuleVenueDoubleBooked, SeverityHard)
				case c.Resource.Type == ResourcePerson && c.Required:
					found.add(base, RulePersonDoubleBooked, SeverityHard)
				case c.Resource.Type == ResourceBody && c.Required:
					found.add(base, RuleBodyDoubleBooked, SeverityHard)
				case c.Resource.Type == ResourcePerson || c.Resource.Type == ResourceBody:
					found.add(base, RuleOptionalBusy, SeveritySoft)
				}
			}
		}
	}
}

// checkBlackouts reports occurrences that overlap a blackout of one of the
// organisations the proposal claims, once per such organisation. A blackout
// listing no organisation applies to none.
func checkBlackouts(found *conflictSet, occs []Occurrence, claims []Claim, blackouts []Blackout) {
	orgs := make(map[int64]bool)
	for _, c := range claims {
		if c.Resource.Type == ResourceOrganization {
			orgs[c.Resource.ID] = true
		}
	}
	if len(orgs) == 0 {
		return
	}
	for _, bl := range blackouts {
		sev := bl.Severity
		if sev == "" {
			sev = SeverityHard
		}
		other := Span{bl.Start, bl.End}
		for _, org := range bl.Organizations {
			if !orgs[org] {
				continue
			}
			for _, o := range occs {
				occ := Span{o.Start, o.End}
				if overlap, ok := intersect(occ, other); ok {
					found.add(Conflict{Resource: ResourceRef{Type: ResourceOrganization, ID: org}, Occurrence: occ,
						Other: other, Overlap: overlap, BlackoutID: bl.ID}, RuleBlackout, sev)
				}
			}
		}
	}
}

// intersect returns the intersection of two half-open spans and whether it is
// non-empty: [10:00,11:00) and [11:00,12:00) do not overlap.
func intersect(a, b Span) (Span, bool) {
	s := Span{Start: later(a.Start, b.Start), End: earlier(a.End, b.End)}
	return s, s.Start.Before(s.End)
}

// gapBetween returns the gap separating two spans that do not overlap (empty
// when they touch).
func gapBetween(a, b Span) (Span, bool) {
	switch {
	case !a.End.After(b.Start):
		return Span{a.End, b.Start}, true
	case !b.End.After(a.Start):
		return Span{b.End, a.Start}, true
	}
	return Span{}, false
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// conflictSet collects conflicts once each: one per rule, resource,
// occurrence, other activity, other span and blackout. When duplicates
// disagree on severity (two external rows), the hard one is kept, so the
// answer does not depend on the order of the input.
type conflictSet struct {
	seen map[conflictKey]int // position in list
	list []Conflict
}

type conflictKey struct {
	rule             uint8
	resourceType     uint8
	unknownType      ResourceType // only for resource types this package does not know
	resourceID       int64
	occStart, occEnd int64
	other            int64
	othStart, othEnd int64
	blackout         int64
}

// newConflictSet starts an empty set; its map is made with the first
// conflict added: most checks find none, and a map sized for 64 keys up
// front (about 12 KB) was a fifth of the bytes a conflicts agenda
// allocated.
func newConflictSet() *conflictSet {
	return &conflictSet{}
}

// add records c under rule and severity unless an identical conflict is
// already recorded.
func (s *conflictSet) add(c Conflict, rule string, sev Severity) {
	c.Rule, c.Severity = rule, sev
	k := conflictKey{
		rule: ruleCode(rule), resourceType: typeCode(c.Resource.Type), resourceID: c.Resource.ID,
		occStart: c.Occurrence.Start.UnixNano(), occEnd: c.Occurrence.End.UnixNano(),
		other:    c.OtherActivityID,
		othStart: c.Other.Start.UnixNano(), othEnd: c.Other.End.UnixNano(),
		blackout: c.BlackoutID,
	}
	if k.resourceType == 0 {
		k.unknownType = c.Resource.Type
	}
	if s.seen == nil {
		s.seen = make(map[conflictKey]int, 8)
	}
	if i, dup := s.seen[k]; dup {
		if c.Hard() {
			s.list[i].Severity = c.Severity
		}
		return
	}
	s.seen[k] = len(s.list)
	s.list = append(s.list, c)
}

// ruleCode and typeCode give the small numbers conflictKey hashes instead of
// strings.
func ruleCode(rule string) uint8 {
	switch rule {
	case RulePersonDoubleBooked:
		return 1
	case RuleBodyDoubleBooked:
		return 2
	case RuleVenueDoubleBooked:
		return 3
	case RuleOptionalBusy:
		return 4
	case RulePlanningOverlap:
		return 5
	case RuleBlackout:
		return 6
	case RuleBuffer:
		return 7
	case RuleExternalBusy:
		return 8
	case RuleProposalHold:
		return 9
	}
	panic("planning: unknown conflict rule " + rule) // a programming error in this file
}

func typeCode(t ResourceType) uint8 {
	switch t {
	case ResourcePerson:
		return 1
	case ResourceBody:
		return 2
	case ResourceVenue:
		return 3
	case ResourceOrganization:
		return 4
	}
	return 0
}

// sorted returns the conflicts hard first, then by occurrence, rule,
// resource, other side.
func (s *conflictSet) sorted() []Conflict {
	order := make([]int32, len(s.list))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int { return compareConflicts(&s.list[i], &s.list[j]) })
	out := make([]Conflict, len(order))
	for k, i := range order {
		c := s.list[i]
		c.Occurrence = Span{c.Occurrence.Start.UTC(), c.Occurrence.End.UTC()}
		c.Other = Span{c.Other.Start.UTC(), c.Other.End.UTC()}
		c.Overlap = Span{c.Overlap.Start.UTC(), c.Overlap.End.UTC()}
		out[k] = c
	}
	return out
}

// compareConflicts orders conflicts for Check's answer. It returns at the
// first difference: sorting calls it often.
func compareConflicts(a, b *Conflict) int {
	if ah, bh := a.Hard(), b.Hard(); ah != bh {
		if ah {
			return -1
		}
		return 1
	}
	if c := a.Occurrence.Start.Compare(b.Occurrence.Start); c != 0 {
		return c
	}
	if c := a.Occurrence.End.Compare(b.Occurrence.End); c != 0 {
		return c
	}
	if a.Rule != b.Rule {
		return cmp.Compare(a.Rule, b.Rule)
	}
	if a.Resource.Type != b.Resource.Type {
		return cmp.Compare(a.Resource.Type, b.Resource.Type)
	}
	if a.Resource.ID != b.Resource.ID {
		return cmp.Compare(a.Resource.ID, b.Resource.ID)
	}
	if c := a.Other.Start.Compare(b.Other.Start); c != 0 {
		return c
	}
	if c := a.Other.End.Compare(b.Other.End); c != 0 {
		return c
	}
	if a.OtherActivityID != b.OtherActivityID {
		return cmp.Compare(a.OtherActivityID, b.OtherActivityID)
	}
	return cmp.Compare(a.BlackoutID, b.BlackoutID)
}
