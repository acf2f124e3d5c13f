package storage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/isoduration"
	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// Cross-briefings: a briefer of organisation A asks to brief a body of
// organisation B. B's planners decide when (or whether): they are offered
// slots where the body and the briefer are both free, and scheduling one
// books a cross_briefing activity led by B with both sides taking part.
// The request is seen by A and B only.

// briefingRequest is the stored request.
type briefingRequest struct {
	ID                    int64 `gorm:"primaryKey"`
	BrieferID             int64
	BrieferOrganizationID int64
	BodyID                int64
	HostOrganizationID    int64
	Topic                 string
	Area                  string
	WindowStart           time.Time
	WindowEnd             time.Time
	DurationS             int64 `gorm:"column:duration_s"`
	State                 string
	Reason                string
	ActivityID            *int64
	Version               int
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

func (briefingRequest) TableName() string { return "briefing_requests" }

// briefingSides narrows a query on briefing_requests to those a sees: an
// administrator all, anyone else those of their organisation's briefers
// or bodies.
func briefingSides(a models.Actor) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		if a.Role == models.RoleAdmin {
			return db
		}
		return db.Where("(briefing_requests.briefer_organization_id = ? OR briefing_requests.host_organization_id = ?) AND ? <> 0", a.OrganizationID, a.OrganizationID, a.OrganizationID)
	}
}

// canSeeBriefing is briefingSides for one loaded request.
func canSeeBriefing(a models.Actor, r *briefingRequest) bool {
	return a.Role == models.RoleAdmin || (a.OrganizationID != 0 && (a.OrganizationID == r.BrieferOrganizationID || a.OrganizationID == r.HostOrganizationID))
}

// RequestBriefing records a request to brief another organisation's body.
// A planner of the briefer's organisation, the briefer themselves or an
// administrator may ask.
func (s *Store) RequestBriefing(ctx context.Context, a models.Actor, in models.BriefingRequestInput) (*models.BriefingRequestView, error) {
	db := s.db.WithContext(ctx)
	v := &models.ValidationError{}
	in.Topic = strings.TrimSpace(in.Topic)
	models.CheckText(v, "topic", in.Topic, true, 300)
	if in.Area != "" {
		models.CheckArea(v, "area", in.Area)
	}
	dur, err := isoduration.Parse(in.Duration)
	switch {
	case in.Duration == "":
		v.Add("duration", "is required (ISO 8601, e.g. PT1H)")
	case err != nil:
		v.Add("duration", "want an ISO 8601 duration such as PT1H: %v", err)
	case dur < 15*time.Minute || dur > 8*time.Hour:
		v.Add("duration", "want a duration between PT15M and PT8H")
	}
	if in.From.IsZero() || in.To.IsZero() {
		v.Add("from", "from and to (the wished window, RFC 3339) are required")
	} else if !in.To.After(in.From) {
		v.Add("to", "must be after from")
	} else if in.To.Sub(in.From) > 366*24*time.Hour {
		v.Add("to", "a wished window spans at most a year")
	} else if !in.To.After(s.now()) {
		v.Add("to", "the wished window has passed")
	} else if dur > 0 && in.To.Sub(in.From) < dur {
		v.Add("duration", "longer than the wished window")
	}
	var briefer models.Person
	if id := resolveField(db, v, "briefer", "people", "email", in.Briefer); id != 0 {
		if err := db.First(&briefer, id).Error; err != nil {
			return nil, fmt.Errorf("load briefer %d: %w", id, err)
		}
		if briefer.OrganizationID == nil {
			v.Add("briefer", "belongs to no organisation; a cross-briefing is between two")
		}
	} else if in.Briefer == "" {
		v.Add("briefer", "is required (id or e-mail)")
	}
	var body models.Body
	if id := resolveField(db, v, "body", "bodies", "code", in.Body); id != 0 {
		if err := db.First(&body, id).Error; err != nil {
			return nil, fmt.Errorf("load body %d: %w", id, err)
		}
	} else if in.Body == "" {
		v.Add("body", "is required (id or code)")
	}
	if body.ID != 0 && briefer.OrganizationID != nil && body.OrganizationID == *briefer.OrganizationID {
		v.Add("body", "belongs to the briefer's own organisation; a cross-briefing is given to the other")
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	if a.Role != models.RoleAdmin && a.PersonID != briefer.ID && (a.Role != models.RolePlanner || a.OrganizationID != *briefer.OrganizationID) {
		return nil, &models.ForbiddenError{Reason: "a cross-briefing is requested by the briefer, a planner of the briefer's organisation or an administrator"}
	}
	if a.ReadOnly() {
		return nil, &models.ForbiddenError{Reason: "this token may only read"}
	}
	now := s.now()
	r := briefingRequest{BrieferID: briefer.ID, BrieferOrganizationID: *briefer.OrganizationID, BodyID: body.ID, HostOrganizationID: body.OrganizationID,
		Topic: in.Topic, Area: in.Area, WindowStart: in.From.UTC(), WindowEnd: in.To.UTC(), DurationS: int64(dur / time.Second),
		State: string(models.BriefingRequested), Version: 1, CreatedAt: now, UpdatedAt: now}
	err = s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("record the briefing request: %w", err)
		}
		return s.audit(tx, a, "create", "briefing_request", r.ID, nil, in, "")
	})
	if err != nil {
		return nil, err
	}
	return s.GetBriefingRequest(ctx, a, r.ID)
}

// ListBriefingRequests lists the requests a may see.
func (s *Store) ListBriefingRequests(ctx context.Context, a models.Actor, f models.BriefingFilter) (models.Page[models.BriefingRequestView], error) {
	db := s.db.WithContext(ctx)
	v := &models.ValidationError{}
	if f.State != "" {
		models.CheckEnum(v, "state", f.State, models.EnumNames(models.BriefingStates())...)
	}
	var body int64
	if f.Body != "" {
		body = resolveField(db, v, "body", "bodies", "code", f.Body)
	}
	if err := v.OrNil(); err != nil {
		return models.Page[models.BriefingRequestView]{}, err
	}
	q := db.Model(&briefingRequest{}).Scopes(briefingSides(a))
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if body != 0 {
		q = q.Where("body_id = ?", body)
	}
	if f.Area != "" {
		q = q.Where("area = ?", f.Area)
	}
	page, err := paginate(q, "id", f.ListOptions, func(r briefingRequest) int64 { return r.ID })
	if err != nil {
		return models.Page[models.BriefingRequestView]{}, err
	}
	views, err := briefingViews(db, page.Items)
	return models.Page[models.BriefingRequestView]{Items: views, NextCursor: page.NextCursor, Total: page.Total}, err
}

// GetBriefingRequest returns one request a may see.
func (s *Store) GetBriefingRequest(ctx context.Context, a models.Actor, id int64) (*models.BriefingRequestView, error) {
	db := s.db.WithContext(ctx)
	var r briefingRequest
	if err := db.First(&r, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, models.ErrNotFound
		}
		return nil, fmt.Errorf("load briefing request %d: %w", id, err)
	}
	if !canSeeBriefing(a, &r) {
		return nil, models.ErrNotFound
	}
	views, err := briefingViews(db, []briefingRequest{r})
	if err != nil {
		return nil, err
	}
	return &views[0], nil
}

func briefingViews(db *gorm.DB, rows []briefingRequest) ([]models.BriefingRequestView, error) {
	names := newNameCache(db)
	out := make([]models.BriefingRequestView, len(rows))
	for i, r := range rows {
		briefer, err := names.resource(string(models.ResourcePerson), r.BrieferID)
		if err != nil {
			return nil, err
		}
		body, err := names.resource(string(models.ResourceBody), r.BodyID)
		if err != nil {
			return nil, err
		}
		from, err := names.resource(string(models.ResourceOrganization), r.BrieferOrganizationID)
		if err != nil {
			return nil, err
		}
		host, err := names.resource(string(models.ResourceOrganization), r.HostOrganizationID)
		if err != nil {
			return nil, err
		}
		out[i] = models.BriefingRequestView{ID: r.ID, Briefer: briefer.Code, BrieferName: briefer.Name, BrieferOrganization: from.Code, Body: body.Code,
			HostOrganization: host.Code, Topic: r.Topic, Area: r.Area, From: r.WindowStart, To: r.WindowEnd,
			Duration: isoduration.Format(time.Duration(r.DurationS) * time.Second), State: r.State, Reason: r.Reason, Activity: r.ActivityID,
			Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	}
	return out, nil
}

// briefingStep runs fn on a request a may see, locked, and records the
// result with its audit entry in the same transaction.
func (s *Store) briefingStep(ctx context.Context, a models.Actor, id int64, action string, fn func(tx *gorm.DB, r *briefingRequest) error) (*models.BriefingRequestView, error) {
	err := s.write(ctx, func(tx *gorm.DB) error {
		var r briefingRequest
		if err := loadForUpdate(tx, &r, id, 0); err != nil {
			return err
		}
		if !canSeeBriefing(a, &r) {
			return models.ErrNotFound
		}
		if a.ReadOnly() {
			return &models.ForbiddenError{Reason: "this token may only read"}
		}
		before := r
		if err := fn(tx, &r); err != nil {
			return err
		}
		r.Version++
		r.UpdatedAt = s.now()
		if err := tx.Save(&r).Error; err != nil {
			return fmt.Errorf("save briefing request %d: %w", id, err)
		}
		return s.audit(tx, a, action, "briefing_request", id, briefingAudit(&before), briefingAudit(&r), r.Reason)
	})
	if err != nil {
		return nil, err
	}
	return s.GetBriefingRequest(ctx, a, id)
}

// briefingAudit is what the trail keeps of a request.
func briefingAudit(r *briefingRequest) map[string]any {
	return map[string]any{"state": r.State, "reason": r.Reason, "activity": r.ActivityID}
}

// open says whether a request still waits for a decision.
func (r *briefingRequest) open() bool {
	return models.BriefingState(r.State) == models.BriefingRequested || models.BriefingState(r.State) == models.BriefingOffered
}

func (r *briefingRequest) closedError() error {
	return &models.StateError{Kind: "briefing-closed", Detail: fmt.Sprintf("the briefing request is %s already", r.State)}
}

// requireHost refuses everyone but the host's planners and administrators.
func requireHost(a models.Actor, r *briefingRequest) error {
	if a.Role == models.RoleAdmin || (a.Role == models.RolePlanner && a.OrganizationID == r.HostOrganizationID) {
		return nil
	}
	return &models.ForbiddenError{Reason: "only a planner of the host organisation decides on a briefing request"}
}

// BriefingSlots offers the earliest slots in the wished window (still
// ahead) where the body and the briefer are both free, on weekdays
// between 09:00 and 18:00 in the host organisation's zone. Finding any
// marks a waiting request offered (audited once).
func (s *Store) BriefingSlots(ctx context.Context, a models.Actor, id int64) ([]models.SpanView, error) {
	db := s.db.WithContext(ctx)
	var r briefingRequest
	if err := db.First(&r, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, models.ErrNotFound
		}
		return nil, fmt.Errorf("load briefing request %d: %w", id, err)
	}
	if !canSeeBriefing(a, &r) {
		return nil, models.ErrNotFound
	}
	if err := requireHost(a, &r); err != nil {
		return nil, err
	}
	if !r.open() {
		return nil, r.closedError()
	}
	var host models.Organization
	if err := db.First(&host, r.HostOrganizationID).Error; err != nil {
		return nil, fmt.Errorf("load host organisation %d: %w", r.HostOrganizationID, err)
	}
	loc, err := time.LoadLocation(host.TimeZone)
	if err != nil || host.TimeZone == "" {
		loc = time.UTC
	}
	from := maxTime(r.WindowStart, s.now())
	if !r.WindowEnd.After(from) {
		return []models.SpanView{}, nil
	}
	slots, err := s.availabilityIn(db, models.AvailabilityQuery{
		Participants: []models.ParticipantInput{{Type: string(models.ResourceBody), IDOrCode: models.Ref(strconv.FormatInt(r.BodyID, 10))}, {Type: string(models.ResourcePerson), IDOrCode: models.Ref(strconv.FormatInt(r.BrieferID, 10))}},
		Duration:     time.Duration(r.DurationS) * time.Second, From: from, To: r.WindowEnd,
		WorkStart: 9 * time.Hour, WorkEnd: 18 * time.Hour, Location: loc, Limit: 5,
		Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
	})
	if err != nil || len(slots) == 0 || models.BriefingState(r.State) != models.BriefingRequested {
		return slots, err
	}
	_, err = s.briefingStep(ctx, a, id, "offer", func(tx *gorm.DB, r *briefingRequest) error {
		if models.BriefingState(r.State) != models.BriefingRequested {
			return errNotDue // decided or offered meanwhile
		}
		r.State = string(models.BriefingOffered)
		return nil
	})
	if errors.Is(err, errNotDue) {
		err = nil
	}
	return slots, err
}

// ScheduleBriefing books the cross-briefing at start: a cross_briefing
// activity led by the host, with the body as audience and the briefer as
// briefer, checked for conflicts like any booking, in the transaction
// that marks the request scheduled. The briefer's organisation asked for
// it, so the activity needs no further agreement.
func (s *Store) ScheduleBriefing(ctx context.Context, a models.Actor, id int64, start time.Time) (*models.BriefingRequestView, error) {
	if start.IsZero() {
		return nil, &models.ValidationError{Errors: []models.FieldError{{Field: "start", Message: "is required (RFC 3339)"}}}
	}
	view, err := s.briefingStep(ctx, a, id, "schedule", func(tx *gorm.DB, r *briefingRequest) error {
		if err := requireHost(a, r); err != nil {
			return err
		}
		if !r.open() {
			return r.closedError()
		}
		end := start.Add(time.Duration(r.DurationS) * time.Second)
		if start.Before(r.WindowStart) || end.After(r.WindowEnd) {
			return &models.ValidationError{Errors: []models.FieldError{{Field: "start", Message: fmt.Sprintf("the briefing must fit the wished window %s – %s", r.WindowStart.Format(time.RFC3339), r.WindowEnd.Format(time.RFC3339))}}}
		}
		codes, err := codesOf(tx, []int64{r.HostOrganizationID})
		if err != nil {
			return err
		}
		var host models.Organization
		if err := tx.First(&host, r.HostOrganizationID).Error; err != nil {
			return fmt.Errorf("load host organisation %d: %w", r.HostOrganizationID, err)
		}
		in := models.ActivityInput{Kind: string(models.KindCrossBriefing), Title: "Cross-briefing: " + r.Topic, Start: start, End: end, TimeZone: host.TimeZone,
			Status: string(models.StatusConfirmed), LeadOrganization: models.Ref(codes[0]),
			Participants: []models.ParticipantInput{
				{Type: string(models.ResourceBody), IDOrCode: models.Ref(strconv.FormatInt(r.BodyID, 10)), Role: string(models.RoleAudience)},
				{Type: string(models.ResourcePerson), IDOrCode: models.Ref(strconv.FormatInt(r.BrieferID, 10)), Role: string(models.RoleBriefer)},
			}}
		if r.Area != "" {
			in.Areas = []string{r.Area}
		}
		d, err := s.buildDraft(tx, models.Viewer{All: true}, in, 0)
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
		if err := s.persist(tx, a, d, nil, nil, "create", WriteOptions{}, false); err != nil {
			return err
		}
		aid := d.row.ID
		r.State, r.ActivityID = string(models.BriefingScheduled), &aid
		return nil
	})
	if isExclusionViolation(err) {
		return nil, &models.ConflictError{Conflicts: []models.ConflictView{{Rule: "concurrent_booking", Severity: "hard"}}, Warnings: []models.ConflictView{}}
	}
	return view, err
}

// DeclineBriefing refuses a request with a reason (the host's planners).
func (s *Store) DeclineBriefing(ctx context.Context, a models.Actor, id int64, reason string) (*models.BriefingRequestView, error) {
	reason = strings.TrimSpace(reason)
	v := &models.ValidationError{}
	models.CheckText(v, "reason", reason, true, 2000)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	return s.briefingStep(ctx, a, id, "decline", func(tx *gorm.DB, r *briefingRequest) error {
		if err := requireHost(a, r); err != nil {
			return err
		}
		if !r.open() {
			return r.closedError()
		}
		r.State, r.Reason = string(models.BriefingDeclined), reason
		return nil
	})
}

// WithdrawBriefing takes a request back (the briefer, their
// organisation's planners or an administrator) while it is undecided.
func (s *Store) WithdrawBriefing(ctx context.Context, a models.Actor, id int64) (*models.BriefingRequestView, error) {
	return s.briefingStep(ctx, a, id, "withdraw", func(tx *gorm.DB, r *briefingRequest) error {
		if a.Role != models.RoleAdmin && a.PersonID != r.BrieferID && (a.Role != models.RolePlanner || a.OrganizationID != r.BrieferOrganizationID) {
			return &models.ForbiddenError{Reason: "a briefing request is withdrawn by the briefer, a planner of their organisation or an administrator"}
		}
		if !r.open() {
			return r.closedError()
		}
		r.State = string(models.BriefingWithdrawn)
		return nil
	})
}

// ExpireBriefingRequests closes undecided requests whose wished window
// has passed; each is audited. It returns how many expired.
func (s *Store) ExpireBriefingRequests(ctx context.Context) (int, error) {
	var due []int64
	if err := s.db.WithContext(ctx).Model(&briefingRequest{}).Where("state IN ? AND window_end <= ?", models.EnumNames([]models.BriefingState{models.BriefingRequested, models.BriefingOffered}), s.now()).
		Order("id").Pluck("id", &due).Error; err != nil {
		return 0, fmt.Errorf("find expired briefing requests: %w", err)
	}
	n := 0
	for _, id := range due {
		_, err := s.briefingStep(ctx, models.System(), id, "expire", func(tx *gorm.DB, r *briefingRequest) error {
			if !r.open() || r.WindowEnd.After(s.now()) {
				return errNotDue
			}
			r.State, r.Reason = string(models.BriefingExpired), "the wished window passed undecided"
			return nil
		})
		switch {
		case err == nil:
			n++
		case errors.Is(err, errNotDue):
		default:
			return n, fmt.Errorf("expire briefing request %d: %w", id, err)
		}
	}
	return n, nil
}

// CountBriefingRequests counts the requests a may see per year of the
// wished window's start ("year") or per area ("area"; "" when none), by
// state: the figures of a progress report ("125 cross-briefings since
// 2016").
func (s *Store) CountBriefingRequests(ctx context.Context, a models.Actor, groupBy string) ([]models.BriefingCount, error) {
	if groupBy != "year" && groupBy != "area" {
		return nil, &models.ValidationError{Errors: []models.FieldError{{Field: "group_by", Message: "want year or area"}}}
	}
	var rows []briefingRequest
	if err := s.db.WithContext(ctx).Model(&briefingRequest{}).Scopes(briefingSides(a)).Select("id", "window_start", "area", "state").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load briefing requests: %w", err)
	}
	groups := map[string]*models.BriefingCount{}
	for _, r := range rows {
		key := r.Area
		if groupBy == "year" {
			key = strconv.Itoa(r.WindowStart.UTC().Year())
		}
		g := groups[key]
		if g == nil {
			g = &models.BriefingCount{Key: key, ByState: map[string]int{}}
			groups[key] = g
		}
		g.Total++
		g.ByState[r.State]++
	}
	out := make([]models.BriefingCount, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}
