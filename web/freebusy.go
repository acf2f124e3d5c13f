package web

import (
	"time"

	"github.com/jointcal/jointcal/models"
)

// column is one time bucket of a free/busy grid (an hour of the
// availability grid, a day of the timeline).
type column struct {
	Start, End time.Time
	// First marks the first bucket of a day (a thicker rule in the grid).
	First bool
}

// gridCell is what occupies one resource in one bucket: the activities
// the person may see, and whether anything they may not see is there.
type gridCell struct {
	Busy       []models.BusyBlock
	Restricted bool
	// Hidden are the restricted blocks, with their times only.
	Hidden []models.BusyBlock
	Slot   bool
}

// Free reports a bucket with nothing in it.
func (c gridCell) Free() bool { return len(c.Busy) == 0 && !c.Restricted }

// gridRow is one resource across the buckets.
type gridRow struct {
	Resource models.ResourceView
	Cells    []gridCell
}

// buildGrid lays schedules over columns. The store has already reduced
// what the person may not see to restricted blocks; the grid only keeps
// them apart from the blocks it may name. Optional participations are
// left out: they do not take a resource.
func buildGrid(schedules []models.ResourceSchedule, cols []column) []gridRow {
	rows := make([]gridRow, len(schedules))
	for i, s := range schedules {
		rows[i] = gridRow{Resource: s.Resource, Cells: make([]gridCell, len(cols))}
		for _, b := range s.Busy {
			if b.Optional {
				continue
			}
			for j, c := range cols {
				if !b.Start.Before(c.End) || !b.End.After(c.Start) {
					continue
				}
				cell := &rows[i].Cells[j]
				if b.Restricted {
					cell.Restricted = true
					cell.Hidden = append(cell.Hidden, b)
				} else if n := len(cell.Busy); n == 0 || cell.Busy[n-1].ActivityID != b.ActivityID {
					cell.Busy = append(cell.Busy, b)
				}
			}
		}
	}
	return rows
}

// hourColumns are the working hours of each shown day, in zone.
func hourColumns(days []time.Time, workStart, workEnd time.Duration) []column {
	var cols []column
	for _, d := range days {
		for h := workStart.Truncate(time.Hour); h < workEnd; h += time.Hour {
			start := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, d.Location()).Add(h)
			cols = append(cols, column{Start: start, End: start.Add(time.Hour), First: h == workStart.Truncate(time.Hour)})
		}
	}
	return cols
}
