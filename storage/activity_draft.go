package storage

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/isoduration"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// draft is a validated activity ready to be written: the row, its
// relations, its occurrences and the resources they claim.
type draft struct {
	input        models.ActivityInput
	row          models.Activity
	participants []models.Participant
	visibility   []int64
	overrides    []planning.Override
	occurrences  []planning.Occurrence
	claims       []planning.Claim
	// answers are the participants' stored answers (an existing
	// activity): declined people occupy nothing, tentative ones softly.
	answers answers
	// coordinated, when a set write knows it, lists the activities the
	// draft overlaps on purpose (see coordinatedWith); nil reads it.
	coordinated map[int64]bool
	// cleared says the activity's relations, occurrences and occupancy
	// were already deleted (a move clears its whole set in one statement
	// per table), so persisting only inserts.
	cleared bool
}

// participantTables are the resource types that can take part (venues
// are booked, not invited).
var participantTables = map[string][2]string{
	string(models.ResourcePerson):       nameTables[string(models.ResourcePerson)],
	string(models.ResourceBody):         nameTables[string(models.ResourceBody)],
	string(models.ResourceOrganization): nameTables[string(models.ResourceOrganization)],
}

var areaPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// buildDraft validates in, resolves its references and expands its
// occurrences. id is the activity being edited (0 for a new one); viewer
// is who names the references, so that an activity it may not see
// resolves exactly as a missing one. Every problem is collected so the
// client sees them all at once.
func (s *Store) buildDraft(tx *gorm.DB, viewer models.Viewer, in models.ActivityInput, id int64) (*draft, error) {
	v := &models.ValidationError{}
	models.CheckEnum(v, "kind", in.Kind, models.EnumNames(models.Kinds())...)
	models.CheckText(v, "title", in.Title, true, 300)
	models.CheckText(v, "description", in.Description, false, 20000)
	if in.Status == "" {
		in.Status = string(models.StatusConfirmed)
	}
	models.CheckEnum(v, "status", in.Status, models.EnumNames(models.Statuses())...)
	if in.Format == "" {
		in.Format = string(models.FormatInPerson)
	}
	models.CheckEnum(v, "format", in.Format, models.EnumNames(models.Formats())...)
	if in.Start.IsZero() {
		v.Add("start", "is required (RFC 3339, e.g. 2021-03-10T10:00:00+01:00)")
	}
	if in.End.IsZero() {
		v.Add("end", "is required (RFC 3339)")
	} else if !in.Start.IsZero() && !in.End.After(in.Start) {
		v.Add("end", "must be after start")
	} else if !in.Start.IsZero() && in.End.Sub(in.Start) > models.MaxActivitySpan {
		v.Add("end", "an activity may last at most %d days; book a longer programme as several activities", int(models.MaxActivitySpan/(24*time.Hour)))
	}
	if len(in.ExDates) > models.MaxExceptionDates {
		v.Add("exdates", "at most %d exception dates (%d given)", models.MaxExceptionDates, len(in.ExDates))
	}
	if len(in.RDates) > models.MaxExceptionDates {
		v.Add("rdates", "at most %d extra dates (%d given)", models.MaxExceptionDates, len(in.RDates))
	}
	if len(in.Reminders) > models.MaxReminders {
		v.Add("reminders", "at most %d reminders (%d given)", models.MaxReminders, len(in.Reminders))
	}
	if in.Overrides != nil {
		for i, o := range *in.Overrides {
			if o.End.Sub(o.Start) > models.MaxActivitySpan {
				v.Add(fmt.Sprintf("overrides[%d].end", i), "a moved instance may last at most %d days", int(models.MaxActivitySpan/(24*time.Hour)))
			}
		}
	}
	if in.RRule != "" && in.TimeZone == "" {
		v.Add("timezone", "is required when rrule is set (an IANA zone such as Europe/Brussels)")
	}
	models.CheckZone(v, "timezone", in.TimeZone, false)
	tz := in.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	loc, _ := time.LoadLocation(tz)
	if in.AllDay && loc != nil {
		for field, t := range map[string]time.Time{"start": in.Start, "end": in.End} {
			if l := t.In(loc); !t.IsZero() && (l.Hour() != 0 || l.Minute() != 0 || l.Second() != 0) {
				v.Add(field, "an all-day activity starts and ends at midnight in its time zone (%s)", tz)
			}
		}
	}
	if in.ConferenceURL != "" {
		if u, err := url.Parse(in.ConferenceURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.Add("conference_url", "want an absolute http(s) URL")
		}
	}
	models.CheckText(v, "series", in.Series, false, 200)

	d := &draft{input: in}
	for i, a := range in.Areas {
		if !areaPattern.MatchString(a) {
			v.Add(fmt.Sprintf("areas[%d]", i), "want a lower-case word with underscores, such as hybrid_threats")
		}
	}
	reminders := make([]string, 0, len(in.Reminders))
	for i, r := range in.Reminders {
		dur, err := isoduration.Parse(r)
		switch {
		case err != nil:
			v.Add(fmt.Sprintf("reminders[%d]", i), "want an ISO 8601 duration such as P1D or PT1H: %v", err)
		case dur <= 0 || dur > 366*24*time.Hour:
			v.Add(fmt.Sprintf("reminders[%d]", i), "want a duration between PT1M and P366D before the start")
		default:
			reminders = append(reminders, isoduration.Format(dur))
		}
	}

	leadID := int64(0)
	if in.LeadOrganization == "" {
		v.Add("lead_organization", "is required")
	} else {
		leadID = resolveField(tx, v, "lead_organization", "organizations", "code", in.LeadOrganization)
	}
	var venue models.Venue
	if in.Venue != "" {
		// Resolved and read in one query: the claim needs the whole row.
		q := tx.Limit(1)
		if n, ok := in.Venue.ID(); ok {
			q = q.Where("id = ?", n)
		} else {
			q = q.Where("code = ?", string(in.Venue))
		}
		var found []models.Venue
		if err := q.Find(&found).Error; err != nil {
			v.Add("venue", "could not be resolved: %v", err)
		} else if len(found) == 0 {
			v.Add("venue", "no %s with id or code %q", entityOf("venues"), string(in.Venue))
		} else {
			venue = found[0]
		}
	}
	var parentID *int64
	if in.Parent != "" {
		pid, ok := in.Parent.ID()
		var parent models.Activity
		if !ok || tx.Scopes(visibleActivities(viewer)).Where("activities.id = ? AND activities.deleted_at IS NULL", pid).First(&parent).Error != nil {
			v.Add("parent", "no activity with id %q", string(in.Parent))
		} else if pid == id {
			v.Add("parent", "an activity cannot be its own parent")
		} else if models.Kind(in.Kind) == models.KindExercisePhase && models.Kind(parent.Kind) != models.KindExercise {
			v.Add("parent", "an exercise phase belongs to an exercise, not a %s", parent.Kind)
		} else {
			parentID = &pid
		}
	}
	allowed := map[int64]bool{}
	for i, r := range in.Visibility {
		if oid := resolveField(tx, v, fmt.Sprintf("visibility[%d]", i), "organizations", "code", r); oid != 0 && !allowed[oid] {
			allowed[oid] = true
			d.visibility = append(d.visibility, oid)
		}
	}
	if len(d.visibility) > 0 && leadID != 0 && !allowed[leadID] {
		v.Add("visibility", "must include the lead organisation %s", in.LeadOrganization)
	}

	// Resolve all participants with one query per type.
	byType := map[string][]models.Ref{}
	for _, p := range in.Participants {
		byType[p.Type] = append(byType[p.Type], p.IDOrCode)
	}
	resolved := map[string]map[models.Ref]int64{}
	for typ, refs := range byType {
		ref, ok := participantTables[typ]
		if !ok {
			continue
		}
		m, err := resolveMany(tx, ref[0], ref[1], refs)
		if err != nil {
			return nil, err
		}
		resolved[typ] = m
	}
	seen := map[string]bool{}
	for i, p := range in.Participants {
		field := fmt.Sprintf("participants[%d]", i)
		part := models.Participant{Position: i, Type: p.Type, Role: p.Role, Required: true, RSVP: p.RSVP}
		if part.Role == "" {
			part.Role = string(models.RoleParticipant)
		}
		if part.RSVP == "" {
			part.RSVP = string(models.RSVPNeedsAction)
		}
		if p.Required != nil {
			part.Required = *p.Required
		}
		models.CheckEnum(v, field+".role", part.Role, models.EnumNames(models.ParticipantRoles())...)
		models.CheckEnum(v, field+".rsvp", part.RSVP, models.EnumNames(models.RSVPs())...)
		if ref, ok := participantTables[p.Type]; !ok {
			v.Add(field+".type", "want person, body or organization")
		} else if p.IDOrCode == "" {
			v.Add(field+".id_or_code", "is required")
		} else if id, found := resolved[p.Type][p.IDOrCode]; found {
			part.RefID = id
		} else {
			v.Add(field+".id_or_code", "no %s with id or code %q", entityOf(ref[0]), string(p.IDOrCode))
		}
		key := p.Type + ":" + strconv.FormatInt(part.RefID, 10)
		if part.RefID != 0 && seen[key] {
			v.Add(field, "the same %s is listed twice", p.Type)
		}
		seen[key] = true
		d.participants = append(d.participants, part)
	}

	rec := planning.Recurrence{Start: in.Start, End: in.End, TimeZone: in.TimeZone, AllDay: in.AllDay, RRule: strings.TrimPrefix(in.RRule, "RRULE:"), ExDates: in.ExDates, RDates: in.RDates}
	switch {
	case in.Overrides != nil:
		rec.Overrides = *in.Overrides
		d.overrides = rec.Overrides
	case id != 0 && len(v.Errors) == 0:
		ovs, err := loadOverrides(tx, id)
		if err != nil {
			return nil, err
		}
		rec.Overrides = ovs
		d.overrides = ovs
	}
	if len(v.Errors) == 0 {
		if err := planning.Validate(rec, maxTime(s.now(), rec.Start), s.planning.Limits); err != nil {
			if fe, ok := err.(*planning.FieldError); ok {
				v.Add(fe.Field, "%s", fe.Message)
			} else {
				v.Add("rrule", "%v", err)
			}
		}
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	// The horizon runs from now, or from the start of an activity that
	// lies further ahead, so a far-future booking still occupies its slot.
	anchor := maxTime(s.now(), rec.Start)
	occs, err := planning.Expand(rec, rec.Start, anchor.Add(s.planning.Limits.Horizon), anchor, s.planning.Limits)
	if err != nil {
		if fe, ok := err.(*planning.FieldError); ok {
			return nil, &models.ValidationError{Errors: []models.FieldError{{Field: fe.Field, Message: fe.Message}}}
		}
		return nil, &models.ValidationError{Errors: []models.FieldError{{Field: "rrule", Message: err.Error()}}}
	}
	d.occurrences = occs

	d.row = models.Activity{
		ID: id, Kind: in.Kind, Title: strings.TrimSpace(in.Title), Description: in.Description,
		StartAt: in.Start.UTC(), EndAt: in.End.UTC(), TimeZone: in.TimeZone, AllDay: in.AllDay,
		RRule: rec.RRule, ExDates: models.Times(in.ExDates), RDates: models.Times(in.RDates), Status: in.Status, Format: in.Format,
		VenueID: nullID(venue.ID), LeadOrganizationID: leadID, Restricted: len(d.visibility) > 0,
		Areas: models.Strings(in.Areas), Series: strings.TrimSpace(in.Series), ParentID: parentID, Reminders: models.Strings(reminders),
		ConferenceURL: in.ConferenceURL,
	}
	if d.row.Areas == nil {
		d.row.Areas = models.Strings{}
	}
	d.claims = claimsOf(d.row, d.participants, venue)
	if id != 0 {
		if d.answers, err = loadAnswers(tx, id); err != nil {
			return nil, err
		}
		d.claims = d.answers.adjust(d.claims)
		// A person's own answer is the RSVP of their participation,
		// whatever the input says: feeds and invitations show it.
		for i, p := range d.participants {
			if state, ok := d.answers[p.RefID][0]; ok && p.Type == string(models.ResourcePerson) {
				d.participants[i].RSVP = state
			}
		}
	}
	return d, nil
}

// claimsOf lists the resources an activity occupies: its participants,
// its venue and its lead organisation.
func claimsOf(row models.Activity, parts []models.Participant, venue models.Venue) []planning.Claim {
	var claims []planning.Claim
	hasLead := false
	for _, p := range parts {
		claims = append(claims, planning.Claim{Resource: planning.ResourceRef{Type: planning.ResourceType(p.Type), ID: p.RefID}, Required: p.Required})
		if p.Type == "organization" && p.RefID == row.LeadOrganizationID {
			hasLead = true
		}
	}
	if !hasLead && row.LeadOrganizationID != 0 {
		claims = append(claims, planning.Claim{Resource: planning.ResourceRef{Type: "organization", ID: row.LeadOrganizationID}, Required: true})
	}
	if venue.ID != 0 {
		claims = append(claims, planning.Claim{Resource: planning.ResourceRef{Type: "venue", ID: venue.ID}, Required: true, Virtual: venue.Virtual, Buffer: time.Duration(venue.BufferSeconds) * time.Second})
	}
	return claims
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
