package storage

import (
	"fmt"
	"slices"
	"time"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

func (s *Store) proposalTTL() time.Duration {
	if s.proposals.TTL <= 0 {
		return models.DefaultProposalTTL
	}
	return s.proposals.TTL
}

// proposalRow is where the agreement on one activity stands.
type proposalRow struct {
	ActivityID         int64 `gorm:"primaryKey;autoIncrement:false"`
	State              string
	LeadOrganizationID int64
	// Round grows with every counter-proposal or change of time that
	// sends the proposal back to the parties.
	Round     int
	Reason    string
	ExpiresAt time.Time
	ClosedAt  *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (proposalRow) TableName() string { return "proposals" }

// proposalParty is one organisation's answer; the lead is a party too, so
// that a counter-proposal can send the proposal back to it.
type proposalParty struct {
	ActivityID     int64 `gorm:"primaryKey;autoIncrement:false"`
	OrganizationID int64 `gorm:"primaryKey;autoIncrement:false"`
	State          string
	AnsweredBy     string
	Reason         string
	AnsweredAt     *time.Time
}

func (proposalParty) TableName() string { return "proposal_parties" }

// proposalEvent is one step of a proposal: what happened, by which
// organisation, and the time proposed at that step.
type proposalEvent struct {
	ID             int64 `gorm:"primaryKey"`
	ActivityID     int64
	Step           string
	OrganizationID *int64
	Actor          string
	Reason         string
	StartAt        time.Time
	EndAt          time.Time
	At             time.Time
}

func (proposalEvent) TableName() string { return "proposal_events" }

// agreementPlan is what an activity write means for its proposal.
type agreementPlan struct {
	// fresh opens a new proposal awaiting the given organisations (the
	// others, lead included, count as agreed).
	fresh    bool
	awaiting []int64
	agreed   []int64
	// refresh keeps the open proposal and brings its parties in line with
	// involved; reask sends it back to every party but the lead (the
	// lead changed the time).
	refresh  bool
	involved []int64
	reask    bool
	// close ends the open proposal in this state.
	close models.ProposalState
}

// involvedOrganizations lists, sorted, the organisations other than lead
// that take part in parts: as themselves, or through their bodies and
// people. These are the organisations that must agree.
func involvedOrganizations(tx *gorm.DB, parts []models.Participant, lead int64) ([]int64, error) {
	set := map[int64]bool{}
	var people, bodies []int64
	for _, p := range parts {
		switch models.ResourceType(p.Type) {
		case models.ResourceOrganization:
			set[p.RefID] = true
		case models.ResourcePerson:
			people = append(people, p.RefID)
		case models.ResourceBody:
			bodies = append(bodies, p.RefID)
		}
	}
	for table, ids := range map[string][]int64{"people": people, "bodies": bodies} {
		if len(ids) == 0 {
			continue
		}
		var orgs []int64
		if err := tx.Table(table).Where("id IN ? AND organization_id IS NOT NULL", ids).Distinct().Pluck("organization_id", &orgs).Error; err != nil {
			return nil, fmt.Errorf("load the organisations of participating %s: %w", table, err)
		}
		for _, o := range orgs {
			set[o] = true
		}
	}
	delete(set, lead)
	delete(set, 0)
	out := make([]int64, 0, len(set))
	for o := range set {
		out = append(out, o)
	}
	slices.Sort(out)
	return out, nil
}

// participantsOf turns a view's participants back into rows, for
// involvedOrganizations.
func participantsOf(v *models.ActivityView) []models.Participant {
	out := make([]models.Participant, len(v.Participants))
	for i, p := range v.Participants {
		out[i] = models.Participant{Type: p.Type, RefID: p.ID}
	}
	return out
}

// loadProposal reads the proposal of an activity; nil when it has none.
func loadProposal(tx *gorm.DB, activityID int64) (*proposalRow, error) {
	var rows []proposalRow
	if err := tx.Where("activity_id = ?", activityID).Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load the proposal of activity %d: %w", activityID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// planAgreement decides, before the conflict check, what a write of d
// (over cur, nil for a new activity) means for agreement, and sets the
// status the activity is written with. A planner who involves another
// organisation proposes; an administrator may commit directly or decide
// an open proposal; nobody else confirms a proposal but its parties.
func (s *Store) planAgreement(tx *gorm.DB, a models.Actor, d *draft, cur *models.ActivityView) (*agreementPlan, error) {
	lead := d.row.LeadOrganizationID
	status := models.Status(d.row.Status)
	var open *proposalRow
	var err error
	if cur != nil && models.Status(cur.Status) == models.StatusProposed {
		if open, err = loadProposal(tx, cur.ID); err != nil {
			return nil, err
		}
		if open != nil && models.ProposalState(open.State) != models.ProposalOpen {
			open = nil
		}
	}
	// An administrator's commitment without an open proposal needs no
	// one's agreement: the organisations involved are read only when
	// they matter (under the write lock of a booking).
	if open == nil && (status == models.StatusCancelled || (a.Role == models.RoleAdmin && status != models.StatusProposed)) {
		return nil, nil
	}
	involved, err := involvedOrganizations(tx, d.participants, lead)
	if err != nil {
		return nil, err
	}
	if open != nil {
		switch {
		case status == models.StatusProposed && len(involved) == 0:
			// Nobody else takes part any more: nothing to agree on.
			d.setStatus(models.StatusConfirmed)
			return &agreementPlan{close: models.ProposalAgreed}, nil
		case status == models.StatusProposed:
			return &agreementPlan{refresh: true, involved: involved, reask: timesChanged(cur, &d.row)}, nil
		case status == models.StatusCancelled:
			return &agreementPlan{close: models.ProposalWithdrawn}, nil
		case a.Role == models.RoleAdmin && status == models.StatusConfirmed:
			return &agreementPlan{close: models.ProposalAgreed}, nil
		case a.Role == models.RoleAdmin:
			return &agreementPlan{close: models.ProposalWithdrawn}, nil
		}
		names, err := codesOf(tx, awaitingOf(tx, cur.ID))
		if err != nil {
			return nil, err
		}
		return nil, &models.StateError{Kind: "proposal-pending", Detail: fmt.Sprintf(
			"the activity is proposed and awaits %s: the lead cannot %s it alone; each involved organisation agrees (POST /api/v1/activities/%d/agree), or the lead cancels it",
			joinCodes(names), map[bool]string{true: "confirm", false: "commit"}[status == models.StatusConfirmed], cur.ID)}
	}
	newOrgs := involved
	if cur != nil && models.Status(cur.Status) != models.StatusCancelled && status != models.StatusProposed {
		// Those who took part before the change were agreed (or committed
		// by an administrator); only newcomers must agree.
		before, err := involvedOrganizations(tx, participantsOf(cur), lead)
		if err != nil {
			return nil, err
		}
		newOrgs = slices.DeleteFunc(slices.Clone(involved), func(o int64) bool { return slices.Contains(before, o) })
	}
	if len(newOrgs) == 0 {
		if status == models.StatusProposed {
			return nil, &models.ValidationError{Errors: []models.FieldError{{Field: "status", Message: "proposed needs a body, person or organisation of another organisation among the participants: they are who must agree"}}}
		}
		return nil, nil
	}
	d.setStatus(models.StatusProposed)
	agreed := []int64{lead}
	for _, o := range involved {
		if !slices.Contains(newOrgs, o) {
			agreed = append(agreed, o)
		}
	}
	return &agreementPlan{fresh: true, awaiting: newOrgs, agreed: agreed}, nil
}

// setStatus changes the status a draft is written with (and audited as).
func (d *draft) setStatus(st models.Status) {
	d.row.Status = string(st)
	d.input.Status = string(st)
}

// timesChanged says whether a write moves the activity in time: a change
// the parties of a proposal must see again.
func timesChanged(cur *models.ActivityView, next *models.Activity) bool {
	return !cur.Start.Equal(next.StartAt) || !cur.End.Equal(next.EndAt) || cur.RRule != next.RRule || cur.TimeZone != next.TimeZone
}

// recordAgreement writes, after the activity itself, what plan says: the
// proposal, its parties, the step, its audit entry and the notices to the
// other side.
func (s *Store) recordAgreement(tx *gorm.DB, a models.Actor, d *draft, plan *agreementPlan) error {
	if plan == nil {
		return nil
	}
	id, now := d.row.ID, s.now()
	switch {
	case plan.fresh:
		if err := tx.Where("activity_id = ?", id).Delete(&proposalRow{}).Error; err != nil {
			return fmt.Errorf("clear the previous proposal of activity %d: %w", id, err)
		}
		p := proposalRow{ActivityID: id, State: string(models.ProposalOpen), LeadOrganizationID: d.row.LeadOrganizationID, Round: 1,
			ExpiresAt: now.Add(s.proposalTTL()), CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&p).Error; err != nil {
			return fmt.Errorf("open the proposal of activity %d: %w", id, err)
		}
		var parties []proposalParty
		for _, o := range plan.agreed {
			parties = append(parties, proposalParty{ActivityID: id, OrganizationID: o, State: string(models.PartyAgreed), AnsweredBy: a.Name, AnsweredAt: &now})
		}
		for _, o := range plan.awaiting {
			parties = append(parties, proposalParty{ActivityID: id, OrganizationID: o, State: string(models.PartyAwaiting)})
		}
		if err := tx.Create(&parties).Error; err != nil {
			return fmt.Errorf("record the parties of proposal %d: %w", id, err)
		}
		return s.proposalStep(tx, a, &d.row, models.StepProposed, "", plan.awaiting)
	case plan.close != "":
		step := map[models.ProposalState]models.ProposalStep{models.ProposalAgreed: models.StepConfirmed, models.ProposalWithdrawn: models.StepWithdrawn}[plan.close]
		return s.closeProposal(tx, a, &d.row, plan.close, step, "")
	case plan.refresh:
		return s.refreshParties(tx, a, &d.row, plan.involved, plan.reask)
	}
	return nil
}

// refreshParties brings an open proposal's parties in line with the
// organisations now involved: newcomers await, those no longer involved
// leave; reask (the lead moved it) sends it back to every other party.
func (s *Store) refreshParties(tx *gorm.DB, a models.Actor, row *models.Activity, involved []int64, reask bool) error {
	var parties []proposalParty
	if err := tx.Where("activity_id = ?", row.ID).Find(&parties).Error; err != nil {
		return fmt.Errorf("load the parties of proposal %d: %w", row.ID, err)
	}
	keep := append([]int64{row.LeadOrganizationID}, involved...)
	var added []int64
	for _, o := range involved {
		if !slices.ContainsFunc(parties, func(p proposalParty) bool { return p.OrganizationID == o }) {
			added = append(added, o)
			if err := tx.Create(&proposalParty{ActivityID: row.ID, OrganizationID: o, State: string(models.PartyAwaiting)}).Error; err != nil {
				return fmt.Errorf("add a party to proposal %d: %w", row.ID, err)
			}
		}
	}
	if err := tx.Where("activity_id = ? AND organization_id NOT IN ?", row.ID, keep).Delete(&proposalParty{}).Error; err != nil {
		return fmt.Errorf("drop parties of proposal %d: %w", row.ID, err)
	}
	if !reask {
		if len(added) == 0 {
			return nil
		}
		return s.proposalStep(tx, a, row, models.StepProposed, "", added)
	}
	if err := s.reopen(tx, row.ID, row.LeadOrganizationID, a.Name); err != nil {
		return err
	}
	return s.proposalStep(tx, a, row, models.StepCountered, "moved by the lead", involved)
}

// reopen starts a new round: every party but by awaits again, and the
// time to answer starts again.
func (s *Store) reopen(tx *gorm.DB, activityID, by int64, actor string) error {
	now := s.now()
	if err := tx.Model(&proposalParty{}).Where("activity_id = ? AND organization_id <> ?", activityID, by).
		Updates(map[string]any{"state": string(models.PartyAwaiting), "answered_by": "", "reason": "", "answered_at": nil}).Error; err != nil {
		return fmt.Errorf("send proposal %d back to its parties: %w", activityID, err)
	}
	if err := tx.Model(&proposalParty{}).Where("activity_id = ? AND organization_id = ?", activityID, by).
		Updates(map[string]any{"state": string(models.PartyAgreed), "answered_by": actor, "reason": "", "answered_at": now}).Error; err != nil {
		return fmt.Errorf("record the counter-proposer's agreement on proposal %d: %w", activityID, err)
	}
	return tx.Model(&proposalRow{}).Where("activity_id = ?", activityID).
		Updates(map[string]any{"round": gorm.Expr("round + 1"), "expires_at": now.Add(s.proposalTTL()), "updated_at": now}).Error
}

// closeProposal ends an open proposal in state, recording step.
func (s *Store) closeProposal(tx *gorm.DB, a models.Actor, row *models.Activity, state models.ProposalState, step models.ProposalStep, reason string) error {
	now := s.now()
	upd := map[string]any{"state": string(state), "closed_at": now, "updated_at": now}
	if reason != "" {
		upd["reason"] = reason
	}
	if err := tx.Model(&proposalRow{}).Where("activity_id = ?", row.ID).Updates(upd).Error; err != nil {
		return fmt.Errorf("close proposal %d: %w", row.ID, err)
	}
	var others []int64
	if err := tx.Model(&proposalParty{}).Where("activity_id = ?", row.ID).Pluck("organization_id", &others).Error; err != nil {
		return fmt.Errorf("load the parties of proposal %d: %w", row.ID, err)
	}
	return s.proposalStep(tx, a, row, step, reason, others)
}

// proposalStep records one step: the event, its audit entry and a notice
// to each of the organisations told (but the actor's own).
func (s *Store) proposalStep(tx *gorm.DB, a models.Actor, row *models.Activity, step models.ProposalStep, reason string, tell []int64) error {
	ev := proposalEvent{ActivityID: row.ID, Step: string(step), OrganizationID: nullID(a.OrganizationID), Actor: a.Name, Reason: reason,
		StartAt: row.StartAt, EndAt: row.EndAt, At: s.now()}
	if err := tx.Create(&ev).Error; err != nil {
		return fmt.Errorf("record step %s of proposal %d: %w", step, row.ID, err)
	}
	view, err := s.proposalView(tx, row.ID)
	if err != nil {
		return err
	}
	if err := s.audit(tx, a, string(step), "proposal", row.ID, nil, view, reason); err != nil {
		return err
	}
	tell = slices.DeleteFunc(slices.Clone(tell), func(o int64) bool { return o == a.OrganizationID })
	return s.queueProposalNotices(tx, row, &ev, tell)
}

// awaitingOf lists the organisations an open proposal still waits for
// (empty on error: it only words a message).
func awaitingOf(tx *gorm.DB, activityID int64) []int64 {
	var ids []int64
	tx.Model(&proposalParty{}).Where("activity_id = ? AND state = ?", activityID, string(models.PartyAwaiting)).Order("organization_id").Pluck("organization_id", &ids)
	return ids
}

// codesOf names organisations by code, in the order given.
func codesOf(tx *gorm.DB, ids []int64) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []models.Organization
	if err := tx.Select("id", "code").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load organisation codes: %w", err)
	}
	byID := map[int64]string{}
	for _, o := range rows {
		byID[o.ID] = o.Code
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, byID[id])
	}
	return out, nil
}

func joinCodes(codes []string) string {
	switch len(codes) {
	case 0:
		return "the other organisations"
	case 1:
		return codes[0]
	}
	out := codes[0]
	for i, c := range codes[1:] {
		if i == len(codes)-2 {
			out += " and " + c
		} else {
			out += ", " + c
		}
	}
	return out
}

// proposalNote words where a proposal stands for a conflict message:
// "proposed by EU, awaiting NATO" (after NATO's counter-proposal:
// "proposed by NATO, awaiting EU").
func proposalNote(tx *gorm.DB, activityID int64) (string, error) {
	p, err := loadProposal(tx, activityID)
	if err != nil || p == nil {
		return "", err
	}
	// The time on the table is the last proposer's: the lead's, or the
	// organisation that counter-proposed it.
	proposer := p.LeadOrganizationID
	var last []proposalEvent
	if err := tx.Where("activity_id = ? AND step IN ? AND organization_id IS NOT NULL", activityID, models.EnumNames([]models.ProposalStep{models.StepProposed, models.StepCountered})).
		Order("id DESC").Limit(1).Find(&last).Error; err != nil {
		return "", fmt.Errorf("load the last proposer of activity %d: %w", activityID, err)
	}
	if len(last) == 1 {
		proposer = *last[0].OrganizationID
	}
	lead, err := codesOf(tx, []int64{proposer})
	if err != nil {
		return "", err
	}
	awaiting, err := codesOf(tx, awaitingOf(tx, activityID))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("proposed by %s, awaiting %s", lead[0], joinCodes(awaiting)), nil
}
