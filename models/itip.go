package models

// RefusedReply is an iTIP message jointcal will not record, with a
// stable reason for the metrics (malformed, unknown_uid, not_participant,
// from_mismatch, stale_sequence, invalid) and a detail for the log.
// Retrying it changes nothing.
type RefusedReply struct {
	Reason, Detail string
}

func (e *RefusedReply) Error() string { return "iTIP reply refused (" + e.Reason + "): " + e.Detail }
