package models

// ProposalTurnaround is how long agreement took: the progress report's
// "median days to agreement".
type ProposalTurnaround struct {
	// Agreed counts the proposals agreed in the period.
	Agreed int `json:"agreed"`
	// MedianDays is the median time from proposal to agreement, in days
	// (0 when none was agreed).
	MedianDays float64 `json:"median_days"`
}
