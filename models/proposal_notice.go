package models

import (
	"time"
)

// NoticeProposal tells an organisation's planners about a step of a
// proposal: proposed to them, agreed, declined, countered, confirmed,
// expired, withdrawn.
const NoticeProposal = "proposal"

// ProposalNote is what a proposal notice says: the step, who took it, why,
// and where the proposal stands now.
type ProposalNote struct {
	Step       string
	By         string // the organisation that took the step ("" for jointcal itself)
	Reason     string
	Title      string
	Start, End time.Time
	TimeZone   string
	Lead       string
	Awaiting   []string
	ActivityID int64
	At         time.Time
}
