package web

// SetMaxPaceExercises lowers the PACE pairs page's bound on the exercises
// it offers for a test, and gives back the bound to restore.
func SetMaxPaceExercises(n int) (restore func()) {
	old := maxPaceExercises
	maxPaceExercises = n
	return func() { maxPaceExercises = old }
}
