package storage

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

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
	// written is the activity's view as persist wrote it, when persist
	// read it for the outbox (nil otherwise): a booking answers with it
	// instead of reading it again after the commit.
	written *models.ActivityView
	// named are the resources the input named, as resolved (nil when the
	// draft was built from lookups of a batch): a check describing its
	// conflicts and the view a booking answers with take their codes and
	// names from here instead of reading them.
	named []models.ResourceView
	// venueRow is the named venue's row as a view shows it, when the
	// booking read it before taking the write lock (draftView).
	venueRow *models.Venue
}

// participantTables are the resource types that can take part (venues
// are booked, not invited).
var participantTables = map[string][2]string{
	string(models.ResourcePerson):       nameTables[string(models.ResourcePerson)],
	string(models.ResourceBody):         nameTables[string(models.ResourceBody)],
	string(models.ResourceOrganization): nameTables[string(models.ResourceOrganization)],
}

// buildDraft validates in, resolves its references and expands its
// occurrences. id is the activity being edited (0 for a new one); viewer
// is who names the references, so that an activity it may not see
// resolves exactly as a missing one. Every problem is collected so the
// client sees them all at once.
func (s *Store) buildDraft(tx *gorm.DB, viewer models.Viewer, in models.ActivityInput, id int64) (*draft, error) {
	v := &models.ValidationError{}
	reminders := in.CheckFields(v)
	d := &draft{input: in}
	refs, err := resolveReferences(tx, viewer, in, id, v, d)
	if err != nil {
		return nil, err
	}
	rec, err := s.draftSeries(tx, in, id, v, d)
	if err != nil {
		return nil, err
	}
	d.setRow(id, rec.RRule, reminders, refs.lead, refs.venue, refs.parent)
	if id != 0 {
		if err := applyAnswers(tx, id, d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// draftRefs are the ids an activity input's names resolved to (of the
// venue, what its claim needs).
type draftRefs struct {
	lead   int64
	venue  models.Venue
	parent *int64
}

// resolveReferences resolves what an input names — its lead organisation,
// venue, parent, visibility and participants — through the viewer's eyes,
// putting every name that resolves to nothing in v and the visibility,
// participants and the resources named in d. Everything but the parent is
// read in one statement (lookupNames). Only a failing database is an
// error.
func resolveReferences(tx *gorm.DB, viewer models.Viewer, in models.ActivityInput, id int64, v *models.ValidationError, d *draft) (draftRefs, error) {
	var refs draftRefs
	found, err := lookupNames(tx, inputNames(in))
	if err != nil {
		return refs, err
	}
	if in.LeadOrganization == "" {
		v.Add("lead_organization", "is required")
	} else {
		refs.lead = found.field(v, "lead_organization", "organizations", in.LeadOrganization).id
	}
	refs.venue = found.venue(v, in.Venue)
	refs.parent = resolveParent(tx, viewer, v, in, id)
	if d.resolveVisibility(in.Visibility, refs.lead, func(field string, r models.Ref) int64 {
		return found.field(v, field, "organizations", r).id
	}) {
		v.Add("visibility", "must include the lead organisation %s", in.LeadOrganization)
	}
	d.participants = checkParticipants(v, in.Participants, func(field, table string, ref models.Ref) int64 {
		return found.field(v, field, table, ref).id
	})
	d.named = found.resources()
	return refs, nil
}

// resolveParent finds the parent among the activities the viewer sees (a
// hidden one reads as missing): not the activity itself, and an exercise
// for an exercise phase.
func resolveParent(tx *gorm.DB, viewer models.Viewer, v *models.ValidationError, in models.ActivityInput, id int64) *int64 {
	if in.Parent == "" {
		return nil
	}
	pid, ok := in.Parent.ID()
	var parent models.Activity
	switch {
	case !ok || tx.Scopes(visibleActivities(viewer)).Where("activities.id = ? AND activities.deleted_at IS NULL", pid).First(&parent).Error != nil:
		v.Add("parent", "no activity with id %q", string(in.Parent))
	case pid == id:
		v.Add("parent", "an activity cannot be its own parent")
	case models.Kind(in.Kind) == models.KindExercisePhase && models.Kind(parent.Kind) != models.KindExercise:
		v.Add("parent", "an exercise phase belongs to an exercise, not a %s", parent.Kind)
	default:
		return &pid
	}
	return nil
}

// checkParticipants fills the participants' defaults (required, a
// participant, needs-action), checks their roles, answers and types, and
// names the unknown and repeated ones in v; resolve finds a reference's id
// in a table (recording in v when it names nothing), by query for a
// booking and from a batch's lookups for the bulk writer.
func checkParticipants(v *models.ValidationError, in []models.ParticipantInput, resolve func(field, table string, ref models.Ref) int64) []models.Participant {
	var out []models.Participant
	seen := map[string]bool{}
	for i, p := range in {
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
		} else {
			part.RefID = resolve(field+".id_or_code", ref[0], p.IDOrCode)
		}
		key := p.Type + ":" + strconv.FormatInt(part.RefID, 10)
		if part.RefID != 0 && seen[key] {
			v.Add(field, "the same %s is listed twice", p.Type)
		}
		seen[key] = true
		out = append(out, part)
	}
	return out
}

// draftSeries checks the series (with the stored overrides of an edited
// activity when the input carries none), answers every problem collected
// so far, and expands the occurrences into d up to the horizon.
func (s *Store) draftSeries(tx *gorm.DB, in models.ActivityInput, id int64, v *models.ValidationError, d *draft) (planning.Recurrence, error) {
	rec := planning.Recurrence{Start: in.Start, End: in.End, TimeZone: in.TimeZone, AllDay: in.AllDay, RRule: strings.TrimPrefix(in.RRule, "RRULE:"), ExDates: in.ExDates, RDates: in.RDates}
	switch {
	case in.Overrides != nil:
		rec.Overrides = *in.Overrides
		d.overrides = rec.Overrides
	case id != 0 && len(v.Errors) == 0:
		ovs, err := loadOverrides(tx, id)
		if err != nil {
			return rec, err
		}
		rec.Overrides = ovs
		d.overrides = ovs
	}
	if err := v.OrNil(); err != nil {
		return rec, err
	}
	// The horizon runs from now, or from the start of an activity that
	// lies further ahead, so a far-future booking still occupies its slot;
	// the series is validated from there too, and expanded only if valid.
	anchor := maxTime(s.now(), rec.Start)
	occs, invalid, err := planning.ValidateAndExpand(rec, anchor.Add(s.planning.Limits.Horizon), anchor, s.planning.Limits)
	if invalid != nil {
		var fe *planning.FieldError
		if errors.As(invalid, &fe) {
			v.Add(fe.Field, "%s", fe.Message)
		} else {
			v.Add("rrule", "%v", invalid)
		}
		return rec, v.OrNil()
	}
	if err != nil {
		var fe *planning.FieldError
		if errors.As(err, &fe) {
			return rec, &models.ValidationError{Errors: []models.FieldError{{Field: fe.Field, Message: fe.Message}}}
		}
		return rec, &models.ValidationError{Errors: []models.FieldError{{Field: "rrule", Message: err.Error()}}}
	}
	d.occurrences = occs
	return rec, nil
}

// applyAnswers reads the participants' stored answers of an edited
// activity: declined people claim nothing, tentative ones softly, and a
// person's own answer is the RSVP of their participation, whatever the
// input says (feeds and invitations show it).
func applyAnswers(tx *gorm.DB, id int64, d *draft) error {
	as, err := loadAnswers(tx, id)
	if err != nil {
		return err
	}
	d.setAnswers(as)
	return nil
}

// setAnswers applies an edited activity's stored answers to the draft, as
// applyAnswers describes (the agenda reads a whole window's at once).
func (d *draft) setAnswers(as answers) {
	d.answers = as
	d.claims = d.answers.adjust(d.claims)
	for i, p := range d.participants {
		if state, ok := d.answers[p.RefID][0]; ok && p.Type == string(models.ResourcePerson) {
			d.participants[i].RSVP = state
		}
	}
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

// setRow makes the activity row of the draft's input (id 0 for a new
// one) with the references its path resolved, and the claims that row
// makes on the participants and the venue: the one row a booking, the
// bulk writer, an import and the agenda's drafts all build. rrule is the
// series' normalised rule, reminders the input's checked reminders.
func (d *draft) setRow(id int64, rrule string, reminders []string, lead int64, venue models.Venue, parent *int64) {
	in := d.input
	d.row = models.Activity{
		ID: id, Kind: in.Kind, Title: strings.TrimSpace(in.Title), Description: in.Description,
		StartAt: in.Start.UTC(), EndAt: in.End.UTC(), TimeZone: in.TimeZone, AllDay: in.AllDay,
		RRule: rrule, ExDates: models.Times(in.ExDates), RDates: models.Times(in.RDates), Status: in.Status, Format: in.Format,
		VenueID: nullID(venue.ID), LeadOrganizationID: lead, Restricted: len(d.visibility) > 0,
		Areas: models.Strings(in.Areas), Series: strings.TrimSpace(in.Series), ParentID: parent, Reminders: models.Strings(reminders),
		ConferenceURL: in.ConferenceURL,
	}
	if d.row.Areas == nil {
		d.row.Areas = models.Strings{}
	}
	d.claims = claimsOf(d.row, d.participants, venue)
}

// resolveVisibility resolves the organisations an activity is restricted
// to (refs, each kept once, in order) into d.visibility through resolve,
// which reports a missing one under its field; it says whether they leave
// out the lead organisation (lead 0: not known, nothing to say).
func (d *draft) resolveVisibility(refs []models.Ref, lead int64, resolve func(field string, ref models.Ref) int64) (missesLead bool) {
	allowed := map[int64]bool{}
	for i, r := range refs {
		if oid := resolve(fmt.Sprintf("visibility[%d]", i), r); oid != 0 && !allowed[oid] {
			allowed[oid] = true
			d.visibility = append(d.visibility, oid)
		}
	}
	return len(d.visibility) > 0 && lead != 0 && !allowed[lead]
}
