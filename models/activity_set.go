package models

// SetResult is what a write of an exercise with its children returns:
// the exercise, its children, and one conflict report for the whole set.
type SetResult struct {
	Activity   ActivityView
	Children   []ActivityView
	Report     CheckReport
	Overridden bool
}
