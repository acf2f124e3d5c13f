package storage

import (
	"fmt"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// chunkAttendees resolves the attendee addresses of every event of an
// import chunk in one lookup (batched by emailBatch), so that mapping an
// event onto an activity (importInput) asks the database nothing: a
// lookup per event was most of an unchanged re-import's queries.
func chunkAttendees(tx *gorm.DB, chunk []calendar.ImportedEvent) (map[models.Ref]int64, error) {
	seen := map[models.Ref]bool{}
	var emails []models.Ref
	for _, ev := range chunk {
		for _, at := range ev.Attendees {
			if r := models.Ref(at.Email); at.Email != "" && !seen[r] {
				seen[r] = true
				emails = append(emails, r)
			}
		}
	}
	people, err := resolveEmails(tx, emails)
	if err != nil {
		return nil, fmt.Errorf("resolve the attendees of %d events: %w", len(chunk), err)
	}
	return people, nil
}

// importStamp is one activity an unchanged verdict rests on, at the
// version it was compared at.
type importStamp struct {
	id      int64
	version int
}

// importStamps lists the activities of a source UID as importedBefore
// loaded them, oldest first.
func importStamps(views []importedView) []importStamp {
	out := make([]importStamp, len(views))
	for i, v := range views {
		out[i] = importStamp{id: v.view.ID, version: v.view.Version}
	}
	return out
}
