package calendar

import (
	"time"

	"github.com/jointcal/jointcal/planning"
)

// Recurrence is the imported event as package planning expands it: its
// series, exceptions and extra dates, and its moved or cancelled
// instances, with end as the master's end and tz as its zone (the caller
// decides both: a file's floating times, an event without DTEND). The
// import and the external-calendar sync both expand imported events; one
// mapping makes them read an event alike.
func (ev ImportedEvent) Recurrence(end time.Time, tz string) planning.Recurrence {
	return planning.Recurrence{Start: ev.Start, End: end, TimeZone: tz, AllDay: ev.AllDay, RRule: ev.RRule, ExDates: ev.ExDates, RDates: ev.RDates,
		Overrides: ev.PlanningOverrides(end.Sub(ev.Start))}
}

// PlanningOverrides are the event's RECURRENCE-ID instances as planning
// overrides, in UTC. A cancelled instance carries no times of its own, so
// it starts at its recurrence ID; an instance without a positive length
// takes the series' length.
func (ev ImportedEvent) PlanningOverrides(length time.Duration) []planning.Override {
	out := make([]planning.Override, 0, len(ev.Overrides))
	for _, o := range ev.Overrides {
		po := planning.Override{RecurrenceID: o.RecurrenceID.UTC(), Cancelled: o.Cancelled, Start: o.Start.UTC(), End: o.End.UTC()}
		if po.Start.IsZero() {
			po.Start = po.RecurrenceID
		}
		if !po.End.After(po.Start) {
			po.End = po.Start.Add(length)
		}
		out = append(out, po)
	}
	return out
}
