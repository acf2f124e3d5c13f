package models

// The domain's vocabulary as typed values: what an activity is,
// where it stands, how it is held, who takes part and how they answered.
// The fields of rows, inputs and views stay strings (their JSON and
// database forms); these names are what code compares and assigns, so a
// misspelt value is a compile error, and the lists below are the one
// source of what the API accepts.

// Kind is what an activity is.
type Kind string

// The kinds of activity.
const (
	KindMeeting            Kind = "meeting"
	KindExercise           Kind = "exercise"
	KindExercisePhase      Kind = "exercise_phase"
	KindCrossBriefing      Kind = "cross_briefing"
	KindStaffTalks         Kind = "staff_talks"
	KindWorkshop           Kind = "workshop"
	KindSeminar            Kind = "seminar"
	KindWebinar            Kind = "webinar"
	KindConference         Kind = "conference"
	KindScenarioDiscussion Kind = "scenario_discussion"
	KindTabletop           Kind = "tabletop"
)

// Status is where an activity stands.
type Status string

// The statuses of an activity.
const (
	StatusTentative Status = "tentative"
	StatusConfirmed Status = "confirmed"
	StatusCancelled Status = "cancelled"
	// StatusProposed: led by one organisation, it involves another's
	// bodies or people and waits for their agreement (see proposal.go).
	// It holds its slot only as a soft clash.
	StatusProposed Status = "proposed"
)

// Format is how an activity is held.
type Format string

// The formats of an activity.
const (
	FormatInPerson Format = "in_person"
	FormatVirtual  Format = "virtual"
	FormatHybrid   Format = "hybrid"
)

// ResourceType is the kind of thing that takes part in an activity.
type ResourceType string

// The types of participant.
const (
	ResourcePerson       ResourceType = "person"
	ResourceBody         ResourceType = "body"
	ResourceOrganization ResourceType = "organization"
	// ResourceVenue is booked rather than invited, but occupies time like
	// a participant (free/busy views).
	ResourceVenue ResourceType = "venue"
)

// ParticipantRole is how a participant takes part.
type ParticipantRole string

// The roles of a participant.
const (
	RoleLead        ParticipantRole = "lead"
	RoleParticipant ParticipantRole = "participant"
	RoleObserver    ParticipantRole = "observer"
	RoleBriefer     ParticipantRole = "briefer"
	RoleAudience    ParticipantRole = "audience"
)

// RSVP is a participant's answer.
type RSVP string

// The answers of a participant.
const (
	RSVPNeedsAction RSVP = "needs_action"
	RSVPAccepted    RSVP = "accepted"
	RSVPDeclined    RSVP = "declined"
	RSVPTentative   RSVP = "tentative"
)

// Kinds lists every kind, in the order documents show them.
func Kinds() []Kind {
	return []Kind{KindMeeting, KindExercise, KindExercisePhase, KindCrossBriefing, KindStaffTalks, KindWorkshop, KindSeminar, KindWebinar, KindConference, KindScenarioDiscussion, KindTabletop}
}

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool {
	for _, v := range Kinds() {
		if v == k {
			return true
		}
	}
	return false
}

// Statuses lists every status.
func Statuses() []Status {
	return []Status{StatusTentative, StatusConfirmed, StatusCancelled, StatusProposed}
}

// Formats lists every format.
func Formats() []Format { return []Format{FormatInPerson, FormatVirtual, FormatHybrid} }

// ParticipantRoles lists the roles of a participant.
func ParticipantRoles() []ParticipantRole {
	return []ParticipantRole{RoleLead, RoleParticipant, RoleObserver, RoleBriefer, RoleAudience}
}

// RSVPs lists the answers of a participant.
func RSVPs() []RSVP { return []RSVP{RSVPNeedsAction, RSVPAccepted, RSVPDeclined, RSVPTentative} }

// EnumNames turns a list of typed values into the strings checkEnum takes.
func EnumNames[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

// ProposalState is where the agreement on a proposed activity stands.
type ProposalState string

// The states of a proposal.
const (
	// ProposalOpen waits for at least one organisation.
	ProposalOpen ProposalState = "open"
	// ProposalAgreed: every involved organisation agreed (or an
	// administrator decided); the activity is confirmed.
	ProposalAgreed ProposalState = "agreed"
	// ProposalDeclined: an involved organisation declined; the activity
	// is cancelled.
	ProposalDeclined ProposalState = "declined"
	// ProposalExpired: nobody answered in time; the activity is cancelled.
	ProposalExpired ProposalState = "expired"
	// ProposalWithdrawn: the lead cancelled it, or an administrator set
	// another status.
	ProposalWithdrawn ProposalState = "withdrawn"
)

// ProposalStates lists the states of a proposal.
func ProposalStates() []ProposalState {
	return []ProposalState{ProposalOpen, ProposalAgreed, ProposalDeclined, ProposalExpired, ProposalWithdrawn}
}

// PartyState is where one involved organisation stands on a proposal.
type PartyState string

// The answers of an involved organisation.
const (
	PartyAwaiting PartyState = "awaiting"
	PartyAgreed   PartyState = "agreed"
	PartyDeclined PartyState = "declined"
)

// ProposalStep is one event in a proposal's life; notices and the audit
// trail name it.
type ProposalStep string

// The steps of a proposal.
const (
	StepProposed  ProposalStep = "proposed"
	StepAgreed    ProposalStep = "agreed"
	StepDeclined  ProposalStep = "declined"
	StepCountered ProposalStep = "countered"
	StepConfirmed ProposalStep = "confirmed"
	StepExpired   ProposalStep = "expired"
	StepWithdrawn ProposalStep = "withdrawn"
)

// BriefingState is where a cross-briefing request stands.
type BriefingState string

// The states of a cross-briefing request.
const (
	BriefingRequested BriefingState = "requested"
	// BriefingOffered: the host's planners looked for slots (GET …/slots)
	// and found some.
	BriefingOffered   BriefingState = "offered"
	BriefingScheduled BriefingState = "scheduled"
	BriefingDeclined  BriefingState = "declined"
	BriefingWithdrawn BriefingState = "withdrawn"
	// BriefingExpired: the wished window passed before it was scheduled.
	BriefingExpired BriefingState = "expired"
)

// BriefingStates lists the states of a cross-briefing request.
func BriefingStates() []BriefingState {
	return []BriefingState{BriefingRequested, BriefingOffered, BriefingScheduled, BriefingDeclined, BriefingWithdrawn, BriefingExpired}
}
