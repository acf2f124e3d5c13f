package models

// This file is the one place that decides who sees an activity. The API,
// feeds, e-mails and conflict messages all go through CanSee or
// visibleActivities; a test keeps the two in agreement.

// CanSee reports whether v may see an activity that is restricted (or not)
// to the organisations allowed.
func (v Viewer) CanSee(restricted bool, allowed []int64) bool {
	if v.All || !restricted {
		return true
	}
	for _, id := range allowed {
		if id == v.OrganizationID && id != 0 {
			return true
		}
	}
	return false
}
