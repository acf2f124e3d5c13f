package models

import (
	"time"
)

// Agreement before commitment. Two organisations cooperate in full
// respect of each other's decision-making autonomy: neither commits the
// other's committee or staff alone. An activity whose lead involves
// another organisation's bodies, people or the organisation itself is
// therefore proposed until a planner of each involved organisation
// agrees (or an administrator decides). This file holds the rows and the
// rules that decide when a write opens, refreshes or closes a proposal;
// proposal_steps.go the answers of the parties; proposal_notice.go what
// they are told.

// ProposalSettings are the proposal rules from the configuration.
type ProposalSettings struct {
	// TTL is how long a proposal waits for its answers before it expires
	// (JOINTCAL_PROPOSAL_TTL); a counter-proposal starts it again.
	TTL time.Duration
}

// DefaultProposalTTL is the documented default: two weeks.
const DefaultProposalTTL = 14 * 24 * time.Hour

// DefaultProposalSettings are the documented defaults.
func DefaultProposalSettings() ProposalSettings { return ProposalSettings{TTL: DefaultProposalTTL} }

// StateError refuses a step the state of a proposal or a briefing
// request does not allow: the lead confirming alone, answering a closed
// proposal, scheduling a withdrawn request. The API answers 409 with Kind
// as the problem type.
type StateError struct {
	// Kind is "proposal-pending", "proposal-closed", "not-proposed" or
	// "briefing-closed".
	Kind   string
	Detail string
}

func (e *StateError) Error() string { return e.Detail }
