package models

import (
	"time"
)

// PartyView is one organisation's answer to a proposal.
type PartyView struct {
	Organization string     `json:"organization"`
	State        string     `json:"state"`
	AnsweredAt   *time.Time `json:"answered_at,omitempty"`
	Reason       string     `json:"reason,omitempty"`
}

// ProposalView is a proposal as the API shows it: where the agreement
// stands, who it waits for, and the activity itself.
type ProposalView struct {
	ActivityID       int64        `json:"activity_id"`
	State            string       `json:"state"`
	LeadOrganization string       `json:"lead_organization"`
	Round            int          `json:"round"`
	Awaiting         []string     `json:"awaiting"`
	Parties          []PartyView  `json:"parties"`
	Reason           string       `json:"reason,omitempty"`
	ExpiresAt        time.Time    `json:"expires_at"`
	ClosedAt         *time.Time   `json:"closed_at,omitempty"`
	CreatedAt        time.Time    `json:"created_at"`
	UpdatedAt        time.Time    `json:"updated_at"`
	Activity         ActivityView `json:"activity"`
	// Warnings are the soft conflicts of a counter-proposal's new time.
	Warnings []ConflictView `json:"warnings,omitempty"`
}

// ProposalFilter narrows the proposal list.
type ProposalFilter struct {
	// Awaiting lists the open proposals that wait for this organisation
	// (id or code): its queue.
	Awaiting Ref
	// State narrows to one ProposalState.
	State string
	// Lead narrows to proposals led by this organisation.
	Lead Ref
	ListOptions
}

// CounterProposal is another time offered by a party.
type CounterProposal struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Reason string    `json:"reason"`
}
