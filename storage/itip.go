package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
)

// RecordITIP records an attendee's iTIP REPLY, or a COUNTER as a comment
// for the planners, received by e-mail from the address from. It is
// accepted only when its UID is one of jointcal's activities (uidHost is
// the domain of jointcal's UIDs), the attendee is a person the activity
// reaches, the message comes from that person's own address, and it
// answers the current SEQUENCE or a later one. Authenticating the sender
// (SPF, DKIM, DMARC) is the job of the mail server in front of jointcal;
// this trusts the From it was handed. It returns the recorded state.
func (s *Store) RecordITIP(ctx context.Context, from string, data []byte, uidHost string) (*models.Reply, error) {
	r, err := calendar.ParseReply(string(data))
	if err != nil {
		return nil, &models.RefusedReply{Reason: "malformed", Detail: err.Error()}
	}
	id, ok := activityOfUID(r.UID, uidHost)
	if !ok {
		return nil, &models.RefusedReply{Reason: "unknown_uid", Detail: fmt.Sprintf("UID %q is not a jointcal activity", r.UID)}
	}
	if !strings.EqualFold(strings.TrimSpace(from), r.Attendee.Email) {
		return nil, &models.RefusedReply{Reason: "from_mismatch", Detail: fmt.Sprintf("the answer of %s came from %s", r.Attendee.Email, from)}
	}
	var people []models.Person
	if err := s.db.WithContext(ctx).Where("LOWER(email) = LOWER(?)", r.Attendee.Email).Limit(1).Find(&people).Error; err != nil {
		return nil, fmt.Errorf("load the person of %s: %w", r.Attendee.Email, err)
	}
	if len(people) == 0 {
		return nil, &models.RefusedReply{Reason: "not_participant", Detail: fmt.Sprintf("%s is nobody in jointcal", r.Attendee.Email)}
	}
	var seqs []int
	if err := s.db.WithContext(ctx).Table("activities").Where("id = ? AND deleted_at IS NULL", id).Pluck("sequence", &seqs).Error; err != nil {
		return nil, fmt.Errorf("load activity %d: %w", id, err)
	}
	if len(seqs) == 0 {
		return nil, &models.RefusedReply{Reason: "unknown_uid", Detail: fmt.Sprintf("activity %d does not exist", id)}
	}
	if r.Sequence < seqs[0] {
		return nil, &models.RefusedReply{Reason: "stale_sequence", Detail: fmt.Sprintf("answers SEQUENCE %d of activity %d, which is at %d", r.Sequence, id, seqs[0])}
	}
	in := models.ReplyInput{PartStat: r.Attendee.RSVP, Comment: r.Comment}
	if !r.RecurrenceID.IsZero() {
		occ := r.RecurrenceID
		in.Occurrence = &occ
	}
	if r.Method == "COUNTER" {
		// A proposal of another time is no answer: the state stays, and
		// the proposal reaches the planners as the comment.
		who, err := s.RecipientOf(ctx, id, r.Attendee.Email)
		if err != nil {
			return nil, err
		}
		in.PartStat = who.PartStat
		in.Comment = strings.TrimSpace(fmt.Sprintf("Proposes %s – %s. %s", r.Start.UTC().Format(time.RFC3339), r.End.UTC().Format(time.RFC3339), r.Comment))
	}
	if len(in.Comment) > maxReplyComment {
		in.Comment = in.Comment[:maxReplyComment]
	}
	out, err := s.ReplyFor(ctx, people[0].ID, id, in, models.ChannelEmail)
	var fe *models.ForbiddenError
	var ve *models.ValidationError
	switch {
	case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrGone), errors.As(err, &fe):
		return nil, &models.RefusedReply{Reason: "not_participant", Detail: fmt.Sprintf("%s does not take part in activity %d: %v", r.Attendee.Email, id, err)}
	case errors.As(err, &ve):
		return nil, &models.RefusedReply{Reason: "invalid", Detail: ve.Error()}
	}
	return out, err
}

// activityOfUID reads the activity id of one of jointcal's UIDs
// ("42@host").
func activityOfUID(uid, host string) (int64, bool) {
	at := strings.LastIndexByte(uid, '@')
	if at <= 0 || !strings.EqualFold(uid[at+1:], host) {
		return 0, false
	}
	id, err := strconv.ParseInt(uid[:at], 10, 64)
	return id, err == nil && id > 0
}
