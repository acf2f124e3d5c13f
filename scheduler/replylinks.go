package scheduler

import (
	"time"

	"github.com/jointcal/jointcal/auth"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify"
)

// ReplyLinker makes the Accept, Tentative and Decline links of an
// invitation, signed with key (the store's models.ReplyLinkKey), under
// baseURL (the public URL of the service).
func ReplyLinker(baseURL string, key []byte) func(person, activity int64, until time.Time) []notify.ReplyLink {
	return func(person, activity int64, until time.Time) []notify.ReplyLink {
		out := make([]notify.ReplyLink, 0, 3)
		for _, ps := range []models.RSVP{models.RSVPAccepted, models.RSVPTentative, models.RSVPDeclined} {
			tok := auth.SignReplyLink(key, auth.ReplyClaim{Person: person, Activity: activity, PartStat: string(ps), Until: until})
			out = append(out, notify.ReplyLink{PartStat: string(ps), URL: baseURL + "/reply/" + tok})
		}
		return out
	}
}
