package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// proposalView reads the view of one activity's proposal (no visibility
// check: callers have made it).
func (s *Store) proposalView(db *gorm.DB, id int64) (*models.ProposalView, error) {
	views, err := s.proposalViews(db, []int64{id})
	if err != nil {
		return nil, err
	}
	if len(views) == 0 {
		return nil, models.ErrNotFound
	}
	return &views[0], nil
}

// proposalViews reads the views of the proposals of ids, in that order.
func (s *Store) proposalViews(db *gorm.DB, ids []int64) ([]models.ProposalView, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []proposalRow
	if err := db.Where("activity_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load proposals: %w", err)
	}
	var parties []proposalParty
	if err := db.Where("activity_id IN ?", ids).Order("organization_id").Find(&parties).Error; err != nil {
		return nil, fmt.Errorf("load proposal parties: %w", err)
	}
	acts, err := loadViews(db, ids)
	if err != nil {
		return nil, err
	}
	names := newNameCache(db)
	byID := map[int64]*proposalRow{}
	for i := range rows {
		byID[rows[i].ActivityID] = &rows[i]
	}
	actByID := map[int64]models.ActivityView{}
	for _, v := range acts {
		actByID[v.ID] = v
	}
	out := make([]models.ProposalView, 0, len(ids))
	for _, id := range ids {
		r, ok := byID[id]
		if !ok {
			continue
		}
		lead, err := names.resource(string(models.ResourceOrganization), r.LeadOrganizationID)
		if err != nil {
			return nil, err
		}
		v := models.ProposalView{ActivityID: id, State: r.State, LeadOrganization: lead.Code, Round: r.Round, Awaiting: []string{}, Parties: []models.PartyView{},
			Reason: r.Reason, ExpiresAt: r.ExpiresAt, ClosedAt: r.ClosedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Activity: actByID[id]}
		for _, p := range parties {
			if p.ActivityID != id {
				continue
			}
			org, err := names.resource(string(models.ResourceOrganization), p.OrganizationID)
			if err != nil {
				return nil, err
			}
			v.Parties = append(v.Parties, models.PartyView{Organization: org.Code, State: p.State, AnsweredAt: p.AnsweredAt, Reason: p.Reason})
			if models.PartyState(p.State) == models.PartyAwaiting {
				v.Awaiting = append(v.Awaiting, org.Code)
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// ListProposals lists the proposals of activities the actor may see: an
// organisation's queue never shows what it may not see.
func (s *Store) ListProposals(ctx context.Context, a models.Actor, f models.ProposalFilter) (models.Page[models.ProposalView], error) {
	db := s.db.WithContext(ctx)
	v := &models.ValidationError{}
	if f.State != "" {
		models.CheckEnum(v, "state", f.State, models.EnumNames(models.ProposalStates())...)
	}
	var awaiting, lead int64
	if f.Awaiting != "" {
		awaiting = resolveField(db, v, "awaiting", "organizations", "code", f.Awaiting)
	}
	if f.Lead != "" {
		lead = resolveField(db, v, "lead", "organizations", "code", f.Lead)
	}
	if err := v.OrNil(); err != nil {
		return models.Page[models.ProposalView]{}, err
	}
	q := db.Model(&proposalRow{}).Where("EXISTS (?)", visibleLiveActivity(db, a.Viewer(), "proposals.activity_id"))
	if awaiting != 0 {
		q = q.Where("proposals.state = ? AND EXISTS (SELECT 1 FROM proposal_parties pp WHERE pp.activity_id = proposals.activity_id AND pp.organization_id = ? AND pp.state = ?)",
			string(models.ProposalOpen), awaiting, string(models.PartyAwaiting))
	}
	if f.State != "" {
		q = q.Where("proposals.state = ?", f.State)
	}
	if lead != 0 {
		q = q.Where("proposals.lead_organization_id = ?", lead)
	}
	page, err := paginate(q, "proposals.activity_id", f.ListOptions, func(r proposalRow) int64 { return r.ActivityID })
	if err != nil {
		return models.Page[models.ProposalView]{}, err
	}
	ids := make([]int64, len(page.Items))
	for i, r := range page.Items {
		ids[i] = r.ActivityID
	}
	views, err := s.proposalViews(db, ids)
	if err != nil {
		return models.Page[models.ProposalView]{}, err
	}
	return models.Page[models.ProposalView]{Items: views, NextCursor: page.NextCursor, Total: page.Total}, nil
}

// GetProposal returns the proposal of an activity the actor may see.
func (s *Store) GetProposal(ctx context.Context, a models.Actor, id int64) (*models.ProposalView, error) {
	if _, err := s.GetActivity(ctx, a, id); err != nil {
		return nil, err
	}
	p, err := s.proposalView(s.db.WithContext(ctx), id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, &models.StateError{Kind: "not-proposed", Detail: fmt.Sprintf("activity %d was never proposed: it involves no other organisation, or an administrator booked it", id)}
	}
	return p, err
}

// proposalTx is an open proposal loaded, locked, for one step.
type proposalTx struct {
	row     models.Activity
	cur     *models.ActivityView
	parties []proposalParty
}

// party returns the party of org, or nil.
func (p *proposalTx) party(org int64) *proposalParty {
	for i := range p.parties {
		if p.parties[i].OrganizationID == org {
			return &p.parties[i]
		}
	}
	return nil
}

// stepOn runs fn on the open proposal of activity id, locked (the activity
// row FOR UPDATE on PostgreSQL; SQLite's single writer), so that answers,
// counter-proposals and expiry arriving together apply one after the
// other, each on the state the previous one left.
func (s *Store) stepOn(ctx context.Context, a models.Actor, id int64, fn func(tx *gorm.DB, p *proposalTx) error) (*models.ProposalView, error) {
	var out *models.ProposalView
	err := s.write(ctx, func(tx *gorm.DB) error {
		p := &proposalTx{}
		if err := loadForUpdate(tx, &p.row, id, 0); err != nil {
			return err
		}
		views, err := loadViews(tx, []int64{id})
		if err != nil {
			return err
		}
		if len(views) == 0 || !a.Viewer().CanSee(views[0].Restricted, views[0].Allowed) {
			return models.ErrNotFound
		}
		if p.row.DeletedAt != nil {
			return models.ErrGone
		}
		p.cur = &views[0]
		prop, err := loadProposal(tx, id)
		if err != nil {
			return err
		}
		if prop == nil {
			return &models.StateError{Kind: "not-proposed", Detail: fmt.Sprintf("activity %d is not proposed: there is nothing to agree on", id)}
		}
		if models.ProposalState(prop.State) != models.ProposalOpen {
			return &models.StateError{Kind: "proposal-closed", Detail: fmt.Sprintf("the proposal of activity %d is %s already", id, prop.State)}
		}
		if err := tx.Where("activity_id = ?", id).Order("organization_id").Find(&p.parties).Error; err != nil {
			return fmt.Errorf("load the parties of proposal %d: %w", id, err)
		}
		if err := fn(tx, p); err != nil {
			return err
		}
		out, err = s.proposalView(tx, id)
		return err
	})
	return out, err
}

// answeringParty is the party a planner answers for: their organisation,
// which must be involved. Administrators answer for every party.
func (p *proposalTx) answeringParty(a models.Actor) (*proposalParty, error) {
	switch {
	case a.Role == models.RoleAdmin:
		return nil, nil
	case a.Role != models.RolePlanner || a.ReadOnly():
		return nil, &models.ForbiddenError{Reason: "this token may only read"}
	}
	if pt := p.party(a.OrganizationID); pt != nil {
		return pt, nil
	}
	return nil, &models.ForbiddenError{Reason: "only a planner of an organisation involved in the proposal (or an administrator) may answer it"}
}

// AgreeToProposal records the agreement of the actor's organisation (an
// administrator decides for all). When no party is left awaiting, the
// activity is checked again and confirmed; a hard conflict that arose
// meanwhile refuses the agreement with the conflicts (the time can be
// counter-proposed).
func (s *Store) AgreeToProposal(ctx context.Context, a models.Actor, id int64) (*models.ProposalView, error) {
	return s.stepOn(ctx, a, id, func(tx *gorm.DB, p *proposalTx) error {
		pt, err := p.answeringParty(a)
		if err != nil {
			return err
		}
		now := s.now()
		var told []int64
		for i := range p.parties {
			q := &p.parties[i]
			if models.PartyState(q.State) == models.PartyAgreed || (pt != nil && q.OrganizationID != pt.OrganizationID) {
				continue
			}
			q.State, q.AnsweredBy, q.AnsweredAt, q.Reason = string(models.PartyAgreed), a.Name, &now, ""
			if err := tx.Save(q).Error; err != nil {
				return fmt.Errorf("record the agreement on proposal %d: %w", id, err)
			}
			told = append(told, q.OrganizationID)
		}
		if len(told) == 0 {
			return nil // agreed already: nothing changes
		}
		if slices.ContainsFunc(p.parties, func(q proposalParty) bool { return models.PartyState(q.State) != models.PartyAgreed }) {
			var others []int64
			for _, q := range p.parties {
				others = append(others, q.OrganizationID)
			}
			return s.proposalStep(tx, a, &p.row, models.StepAgreed, "", others)
		}
		return s.confirmProposal(tx, a, p)
	})
}

// confirmProposal commits an activity every side agreed to: checked again
// for conflicts and written confirmed, its occupancy now exclusive. The
// write queues an update notice with the invitation (METHOD:REQUEST) to
// every participant: that is where the invitations go out.
func (s *Store) confirmProposal(tx *gorm.DB, a models.Actor, p *proposalTx) error {
	in := p.cur.Input()
	in.Status = string(models.StatusConfirmed)
	if err := s.rewrite(tx, a, p, in, "confirm"); err != nil {
		return err
	}
	return s.closeProposal(tx, a, &p.row, models.ProposalAgreed, models.StepConfirmed, "")
}

// rewrite writes a new state of a proposed activity on behalf of a party
// (who may not write the activity otherwise): references resolve as the
// lead wrote them, conflicts are described as the actor may see them, and
// hard ones refuse the step.
func (s *Store) rewrite(tx *gorm.DB, a models.Actor, p *proposalTx, in models.ActivityInput, action string) error {
	d, err := s.buildDraft(tx, models.Viewer{All: true}, in, p.row.ID)
	if err != nil {
		return err
	}
	report, err := s.evaluate(tx, a, d)
	if err != nil {
		return err
	}
	if len(report.Conflicts) > 0 {
		return &models.ConflictError{Conflicts: report.Conflicts, Warnings: report.Warnings}
	}
	row := p.row
	if err := s.persist(tx, a, d, &row, p.cur, action, WriteOptions{}, false); err != nil {
		return err
	}
	p.row = d.row
	return nil
}

// DeclineProposal records that the actor's organisation declines (an
// administrator declines for all), with a reason: the proposal closes and
// the activity is cancelled, freeing its slot.
func (s *Store) DeclineProposal(ctx context.Context, a models.Actor, id int64, reason string) (*models.ProposalView, error) {
	reason = strings.TrimSpace(reason)
	v := &models.ValidationError{}
	models.CheckText(v, "reason", reason, true, 2000)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	return s.stepOn(ctx, a, id, func(tx *gorm.DB, p *proposalTx) error {
		pt, err := p.answeringParty(a)
		if err != nil {
			return err
		}
		now := s.now()
		for i := range p.parties {
			q := &p.parties[i]
			if (pt == nil && models.PartyState(q.State) == models.PartyAwaiting) || (pt != nil && q.OrganizationID == pt.OrganizationID) {
				q.State, q.AnsweredBy, q.AnsweredAt, q.Reason = string(models.PartyDeclined), a.Name, &now, reason
				if err := tx.Save(q).Error; err != nil {
					return fmt.Errorf("record the refusal of proposal %d: %w", id, err)
				}
			}
		}
		in := p.cur.Input()
		in.Status = string(models.StatusCancelled)
		if err := s.rewrite(tx, a, p, in, "decline"); err != nil {
			return err
		}
		return s.closeProposal(tx, a, &p.row, models.ProposalDeclined, models.StepDeclined, reason)
	})
}

// CounterPropose moves a proposed activity to another time on behalf of a
// planner of an involved organisation: that organisation agrees to the
// new time by proposing it, every other party (the lead included) must
// agree again, and the time to answer starts again. The new time is
// checked like any booking: a hard conflict refuses it.
func (s *Store) CounterPropose(ctx context.Context, a models.Actor, id int64, c models.CounterProposal) (*models.ProposalView, error) {
	c.Reason = strings.TrimSpace(c.Reason)
	v := &models.ValidationError{}
	if c.Start.IsZero() {
		v.Add("start", "is required (RFC 3339)")
	}
	if c.End.IsZero() {
		v.Add("end", "is required (RFC 3339)")
	} else if !c.Start.IsZero() && !c.End.After(c.Start) {
		v.Add("end", "must be after start")
	}
	models.CheckText(v, "reason", c.Reason, false, 2000)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	if a.Role == models.RoleAdmin {
		return nil, &models.ForbiddenError{Reason: "a counter-proposal comes from a planner of an involved organisation; an administrator agrees or declines"}
	}
	var warnings []models.ConflictView
	out, err := s.stepOn(ctx, a, id, func(tx *gorm.DB, p *proposalTx) error {
		if _, err := p.answeringParty(a); err != nil {
			return err
		}
		in := p.cur.Input()
		in.Start, in.End = c.Start, c.End
		in.Status = string(models.StatusProposed)
		d, err := s.buildDraft(tx, models.Viewer{All: true}, in, id)
		if err != nil {
			return err
		}
		report, err := s.evaluate(tx, a, d)
		if err != nil {
			return err
		}
		if len(report.Conflicts) > 0 {
			return &models.ConflictError{Conflicts: report.Conflicts, Warnings: report.Warnings}
		}
		warnings = report.Warnings
		row := p.row
		if err := s.persist(tx, a, d, &row, p.cur, "counter", WriteOptions{}, false); err != nil {
			return err
		}
		p.row = d.row
		if err := s.reopen(tx, id, a.OrganizationID, a.Name); err != nil {
			return err
		}
		var others []int64
		for _, q := range p.parties {
			others = append(others, q.OrganizationID)
		}
		return s.proposalStep(tx, a, &p.row, models.StepCountered, c.Reason, others)
	})
	if out != nil {
		out.Warnings = warnings
	}
	return out, err
}

// ExpireProposals closes every open proposal whose time to answer has
// passed: the activity is cancelled (its slot freed) and the lead told.
// Each proposal expires in its own transaction, after checking again
// under lock that it is still open and due, so an answer or a
// counter-proposal that got there first wins. It returns how many
// expired.
func (s *Store) ExpireProposals(ctx context.Context) (int, error) {
	var due []int64
	if err := s.db.WithContext(ctx).Model(&proposalRow{}).Where("state = ? AND expires_at <= ?", string(models.ProposalOpen), s.now()).
		Order("activity_id").Pluck("activity_id", &due).Error; err != nil {
		return 0, fmt.Errorf("find expired proposals: %w", err)
	}
	n := 0
	sys := models.System()
	for _, id := range due {
		_, err := s.stepOn(ctx, sys, id, func(tx *gorm.DB, p *proposalTx) error {
			prop, err := loadProposal(tx, id)
			if err != nil {
				return err
			}
			if prop.ExpiresAt.After(s.now()) {
				return errNotDue
			}
			in := p.cur.Input()
			in.Status = string(models.StatusCancelled)
			if err := s.rewrite(tx, sys, p, in, "expire"); err != nil {
				return err
			}
			reason := fmt.Sprintf("no answer within %s", s.proposalTTL())
			if err := tx.Model(&proposalRow{}).Where("activity_id = ?", id).
				Updates(map[string]any{"state": string(models.ProposalExpired), "reason": reason, "closed_at": s.now(), "updated_at": s.now()}).Error; err != nil {
				return fmt.Errorf("expire proposal %d: %w", id, err)
			}
			return s.proposalStep(tx, sys, &p.row, models.StepExpired, reason, []int64{p.row.LeadOrganizationID})
		})
		var pe *models.StateError
		switch {
		case err == nil:
			n++
		case errors.Is(err, errNotDue), errors.As(err, &pe), errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrGone):
			// Answered, countered or deleted meanwhile.
		default:
			return n, fmt.Errorf("expire the proposal of activity %d: %w", id, err)
		}
	}
	return n, nil
}

var errNotDue = errors.New("not due")
