package planning

import (
	"sort"
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

func isExercise(kind string) bool {
	return kind == kindExercise || kind == kindExercisePhase
}

// Check returns every conflict between the proposal and the neighbouring
// occupancy (already narrowed by the caller to the proposal's resources and
// time range widened by the buffer) and blackouts: hard conflicts first, then
// by occurrence, rule, resource and other side, so the same input always
// gives the same answer. It is pure and allocates in proportion to the rows
// that matter.
//
// Rows of the proposal's own activity are ignored (the caller may pass them
// when editing), but two of the proposal's own occurrences that overlap clash
// on every person, body and physical venue they share. A cancelled proposal
// has no conflicts. The result is never nil.
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
	sort.Slice(occs, func(i, j int) bool { return occs[i].Start.Before(occs[j].Start) })

	buffer := cfg.Buffer
	for _, c := range claims {
		if c.Resource.Type == ResourceVenue && c.Buffer > buffer {
			buffer = c.Buffer
		}
	}

	found := newConflictSet()
	idx := indexBusy(p, busy, claims)
	for _, o := range occs {
		for _, c := range claims {
			if c.Virtual && c.Resource.Type == ResourceVenue {
				continue
			}
			rows := idx[c.Resource]
			if rows == nil {
				continue
			}
			pad := time.Duration(0)
			if buffer > 0 && (c.Resource.Type == ResourcePerson || c.Resource.Type == ResourceBody) {
				pad = buffer
			}
			for _, i := range rows.near(busy, o.Start.Add(-pad), o.End.Add(pad)) {
				judge(found, p, o, c, &busy[i], pad)
			}
		}
	}
	selfConflicts(found, p, occs, claims)
	checkBlackouts(found, occs, claims, blackouts)
	return found.sorted()
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

// resourceRows are the positions in the busy slice of one resource's rows,
// sorted by start, with the longest row's length so that a window query can
// start its scan early enough to see long rows that began before it.
type resourceRows struct {
	idx    []int32
	maxLen time.Duration
}

// indexBusy groups the relevant busy rows by claimed resource. Rows of other
// resources, empty rows and the proposal's own (non-external) rows are left
// out.
func indexBusy(p Proposal, busy []Busy, claims []Claim) map[ResourceRef]*resourceRows {
	idx := make(map[ResourceRef]*resourceRows, len(claims))
	for _, c := range claims {
		idx[c.Resource] = nil
	}
	for i := range busy {
		b := &busy[i]
		if !b.End.After(b.Start) || (p.ActivityID != 0 && b.ActivityID == p.ActivityID && !b.External) {
			continue
		}
		rows, claimed := idx[b.Resource]
		if !claimed {
			continue
		}
		if rows == nil {
			rows = &resourceRows{}
			idx[b.Resource] = rows
		}
		rows.idx = append(rows.idx, int32(i))
		rows.maxLen = max(rows.maxLen, b.End.Sub(b.Start))
	}
	for _, rows := range idx {
		if rows != nil {
			sort.Slice(rows.idx, func(a, b int) bool { return busy[rows.idx[a]].Start.Before(busy[rows.idx[b]].Start) })
		}
	}
	return idx
}

// near returns the rows whose span intersects or touches [from, to).
func (r *resourceRows) near(busy []Busy, from, to time.Time) []int32 {
	earliest := from.Add(-r.maxLen)
	lo := sort.Search(len(r.idx), func(k int) bool { return !busy[r.idx[k]].Start.Before(earliest) })
	hi := lo
	for hi < len(r.idx) && !busy[r.idx[hi]].Start.After(to) {
		hi++
	}
	return r.idx[lo:hi]
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
	if overlaps && isExercise(p.Kind) && isExercise(b.Kind) &&
		(c.Resource.Type == ResourceOrganization || c.Resource.Type == ResourceBody) {
		found.add(base, RulePlanningOverlap, SeveritySoft)
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
// occurrence, other activity, other span and blackout.
type conflictSet struct {
	seen map[conflictKey]struct{}
	list []Conflict
}

type conflictKey struct {
	rule             string
	resource         ResourceRef
	occStart, occEnd int64
	other            int64
	othStart, othEnd int64
	blackout         int64
}

func newConflictSet() *conflictSet {
	return &conflictSet{seen: make(map[conflictKey]struct{})}
}

func (s *conflictSet) add(c Conflict, rule string, sev Severity) {
	c.Rule, c.Severity = rule, sev
	c.Occurrence = Span{c.Occurrence.Start.UTC(), c.Occurrence.End.UTC()}
	c.Other = Span{c.Other.Start.UTC(), c.Other.End.UTC()}
	c.Overlap = Span{c.Overlap.Start.UTC(), c.Overlap.End.UTC()}
	k := conflictKey{
		rule: rule, resource: c.Resource,
		occStart: c.Occurrence.Start.UnixNano(), occEnd: c.Occurrence.End.UnixNano(),
		other:    c.OtherActivityID,
		othStart: c.Other.Start.UnixNano(), othEnd: c.Other.End.UnixNano(),
		blackout: c.BlackoutID,
	}
	if _, dup := s.seen[k]; dup {
		return
	}
	s.seen[k] = struct{}{}
	s.list = append(s.list, c)
}

// sorted returns the conflicts hard first, then by occurrence, rule,
// resource, other side.
func (s *conflictSet) sorted() []Conflict {
	out := s.list
	if out == nil {
		out = []Conflict{}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Hard() != b.Hard() {
			return a.Hard()
		}
		if !a.Occurrence.Start.Equal(b.Occurrence.Start) {
			return a.Occurrence.Start.Before(b.Occurrence.Start)
		}
		if !a.Occurrence.End.Equal(b.Occurrence.End) {
			return a.Occurrence.End.Before(b.Occurrence.End)
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Resource.Type != b.Resource.Type {
			return a.Resource.Type < b.Resource.Type
		}
		if a.Resource.ID != b.Resource.ID {
			return a.Resource.ID < b.Resource.ID
		}
		if !a.Other.Start.Equal(b.Other.Start) {
			return a.Other.Start.Before(b.Other.Start)
		}
		if !a.Other.End.Equal(b.Other.End) {
			return a.Other.End.Before(b.Other.End)
		}
		if a.OtherActivityID != b.OtherActivityID {
			return a.OtherActivityID < b.OtherActivityID
		}
		return a.BlackoutID < b.BlackoutID
	})
	return out
}
