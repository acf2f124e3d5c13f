package models

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/isoduration"
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

// BriefingRequestInput is what a requester sends.
type BriefingRequestInput struct {
	// Briefer is the person who briefs (id or e-mail).
	Briefer Ref `json:"briefer"`
	// Body is the host body (id or code), of another organisation.
	Body  Ref    `json:"body"`
	Topic string `json:"topic"`
	Area  string `json:"area"`
	// From and To bound the wished window; Duration is ISO 8601 (PT1H).
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Duration string    `json:"duration"`
}

// BriefingRequestView is a request as the API shows it.
type BriefingRequestView struct {
	ID                  int64     `json:"id"`
	Briefer             string    `json:"briefer"`
	BrieferName         string    `json:"briefer_name"`
	BrieferOrganization string    `json:"briefer_organization"`
	Body                string    `json:"body"`
	HostOrganization    string    `json:"host_organization"`
	Topic               string    `json:"topic"`
	Area                string    `json:"area"`
	From                time.Time `json:"from"`
	To                  time.Time `json:"to"`
	Duration            string    `json:"duration"`
	State               string    `json:"state"`
	Reason              string    `json:"reason,omitempty"`
	Activity            *int64    `json:"activity"`
	Version             int       `json:"version"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}

// briefingSides narrows a query on briefing_requests to those a sees: an
// administrator all, anyone else those of their organisation's briefers
// or bodies.
func briefingSides(a Actor) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		if a.Role == RoleAdmin {
			return db
		}
		return db.Where("(briefing_requests.briefer_organization_id = ? OR briefing_requests.host_organization_id = ?) AND ? <> 0", a.OrganizationID, a.OrganizationID, a.OrganizationID)
	}
}

// canSeeBriefing is briefingSides for one loaded request.
func canSeeBriefing(a Actor, r *briefingRequest) bool {
	return a.Role == RoleAdmin || (a.OrganizationID != 0 && (a.OrganizationID == r.BrieferOrganizationID || a.OrganizationID == r.HostOrganizationID))
}

// RequestBriefing records a request to brief another organisation's body.
// A planner of the briefer's organisation, the briefer themselves or an
// administrator may ask.
func (s *Store) RequestBriefing(ctx context.Context, a Actor, in BriefingRequestInput) (*BriefingRequestView, error) {
	db := s.db.WithContext(ctx)
	v := &ValidationError{}
	in.Topic = strings.TrimSpace(in.Topic)
	checkText(v, "topic", in.Topic, true, 300)
	if in.Area != "" && !areaPattern.MatchString(in.Area) {
		v.add("area", "want a lower-case word with underscores, such as hybrid_threats")
	}
	dur, err := isoduration.Parse(in.Duration)
	switch {
	case in.Duration == "":
		v.add("duration", "is required (ISO 8601, e.g. PT1H)")
	case err != nil:
		v.add("duration", "want an ISO 8601 duration such as PT1H: %v", err)
	case dur < 15*time.Minute || dur > 8*time.Hour:
		v.add("duration", "want a duration between PT15M and PT8H")
	}
	if in.From.IsZero() || in.To.IsZero() {
		v.add("from", "from and to (the wished window, RFC 3339) are required")
	} else if !in.To.After(in.From) {
		v.add("to", "must be after from")
	} else if in.To.Sub(in.From) > 366*24*time.Hour {
		v.add("to", "a wished window spans at most a year")
	} else if !in.To.After(s.now()) {
		v.add("to", "the wished window has passed")
	} else if dur > 0 && in.To.Sub(in.From) < dur {
		v.add("duration", "longer than the wished window")
	}
	var briefer Person
	if id := resolveField(db, v, "briefer", "people", "email", in.Briefer); id != 0 {
		if err := db.First(&briefer, id).Error; err != nil {
			return nil, fmt.Errorf("load briefer %d: %w", id, err)
		}
		if briefer.OrganizationID == nil {
			v.add("briefer", "belongs to no organisation; a cross-briefing is between two")
		}
	} else if in.Briefer == "" {
		v.add("briefer", "is required (id or e-mail)")
	}
	var body Body
	if id := resolveField(db, v, "body", "bodies", "code", in.Body); id != 0 {
		if err := db.First(&body, id).Error; err != nil {
			return nil, fmt.Errorf("load body %d: %w", id, err)
		}
	} else if in.Body == "" {
		v.add("body", "is required (id or code)")
	}
	if body.ID != 0 && briefer.OrganizationID != nil && body.OrganizationID == *briefer.OrganizationID {
		v.add("body", "belongs to the briefer's own organisation; a cross-briefing is given to the other")
	}
	if err := v.orNil(); err != nil {
		return nil, err
	}
	if a.Role != RoleAdmin && a.PersonID != briefer.ID && (a.Role != RolePlanner || a.OrganizationID != *briefer.OrganizationID) {
		return nil, &ForbiddenError{Reason: "a cross-briefing is requested by the briefer, a planner of the briefer's organisation or an administrator"}
	}
	if a.ReadOnly() {
		return nil, &ForbiddenError{Reason: "this token may only read"}
	}
	now := s.now()
	r := briefingRequest{BrieferID: briefer.ID, BrieferOrganizationID: *briefer.OrganizationID, BodyID: body.ID, HostOrganizationID: body.OrganizationID,
		Topic: in.Topic, Area: in.Area, WindowStart: in.From.UTC(), WindowEnd: in.To.UTC(), DurationS: int64(dur / time.Second),
		State: string(BriefingRequested), Version: 1, CreatedAt: now, UpdatedAt: now}
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

// BriefingFilter narrows the list of requests.
type BriefingFilter struct {
	State string
	Body  Ref
	Area  string
	ListOptions
}

// ListBriefingRequests lists the requests a may see.
func (s *Store) ListBriefingRequests(ctx context.Context, a Actor, f BriefingFilter) (Page[BriefingRequestView], error) {
	db := s.db.WithContext(ctx)
	v := &ValidationError{}
	if f.State != "" {
		checkEnum(v, "state", f.State, names(BriefingStates())...)
	}
	var body int64
	if f.Body != "" {
		body = resolveField(db, v, "body", "bodies", "code", f.Body)
	}
	if err := v.orNil(); err != nil {
		return Page[BriefingRequestView]{}, err
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
		return Page[BriefingRequestView]{}, err
	}
	views, err := briefingViews(db, page.Items)
	return Page[BriefingRequestView]{Items: views, NextCursor: page.NextCursor, Total: page.Total}, err
}

// GetBriefingRequest returns one request a may see.
func (s *Store) GetBriefingRequest(ctx context.Context, a Actor, id int64) (*BriefingRequestView, error) {
	db := s.db.WithContext(ctx)
	var r briefingRequest
	if err := db.First(&r, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("load briefing request %d: %w", id, err)
	}
	if !canSeeBriefing(a, &r) {
		return nil, ErrNotFound
	}
	views, err := briefingViews(db, []briefingRequest{r})
	if err != nil {
		return nil, err
	}
	return &views[0], nil
}

func briefingViews(db *gorm.DB, rows []briefingRequest) ([]BriefingRequestView, error) {
	names := newNameCache(db)
	out := make([]BriefingRequestView, len(rows))
	for i, r := range rows {
		briefer, err := names.resource(string(ResourcePerson), r.BrieferID)
		if err != nil {
			return nil, err
		}
		body, err := names.resource(string(ResourceBody), r.BodyID)
		if err != nil {
			return nil, err
		}
		from, err := names.resource(string(ResourceOrganization), r.BrieferOrganizationID)
		if err != nil {
			return nil, err
		}
		host, err := names.resource(string(ResourceOrganization), r.HostOrganizationID)
		if err != nil {
			return nil, err
		}
		out[i] = BriefingRequestView{ID: r.ID, Briefer: briefer.Code, BrieferName: briefer.Name, BrieferOrganization: from.Code, Body: body.Code,
			HostOrganization: host.Code, Topic: r.Topic, Area: r.Area, From: r.WindowStart, To: r.WindowEnd,
			Duration: isoduration.Format(time.Duration(r.DurationS) * time.Second), State: r.State, Reason: r.Reason, Activity: r.ActivityID,
			Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	}
	return out, nil
}

// briefingStep runs fn on a request a may see, locked, and records the
// result with its audit entry in the same transaction.
func (s *Store) briefingStep(ctx context.Context, a Actor, id int64, action string, fn func(tx *gorm.DB, r *briefingRequest) error) (*BriefingRequestView, error) {
	err := s.write(ctx, func(tx *gorm.DB) error {
		var r briefingRequest
		if err := loadForUpdate(tx, &r, id, 0); err != nil {
			return err
		}
		if !canSeeBriefing(a, &r) {
			return ErrNotFound
		}
		if a.ReadOnly() {
			return &ForbiddenError{Reason: "this token may only read"}
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
	return BriefingState(r.State) == BriefingRequested || BriefingState(r.State) == BriefingOffered
}

func (r *briefingRequest) closedError() error {
	return &StateError{Kind: "briefing-closed", Detail: fmt.Sprintf("the briefing request is %s already", r.State)}
}

// requireHost refuses everyone but the host's planners and administrators.
func requireHost(a Actor, r *briefingRequest) error {
	if a.Role == RoleAdmin || (a.Role == RolePlanner && a.OrganizationID == r.HostOrganizationID) {
		return nil
	}
	return &ForbiddenError{Reason: "only a planner of the host organisation decides on a briefing request"}
}

// BriefingSlots offers the earliest slots in the wished window (still
// ahead) where the body and the briefer are both free, on weekdays
// between 09:00 and 18:00 in the host organisation's zone. Finding any
// marks a waiting request offered (audited once).
func (s *Store) BriefingSlots(ctx context.Context, a Actor, id int64) ([]SpanView, error) {
	db := s.db.WithContext(ctx)
	var r briefingRequest
	if err := db.First(&r, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("load briefing request %d: %w", id, err)
	}
	if !canSeeBriefing(a, &r) {
		return nil, ErrNotFound
	}
	if err := requireHost(a, &r); err != nil {
		return nil, err
	}
	if !r.open() {
		return nil, r.closedError()
	}
	var host Organization
	if err := db.First(&host, r.HostOrganizationID).Error; err != nil {
		return nil, fmt.Errorf("load host organisation %d: %w", r.HostOrganizationID, err)
	}
	loc, err := time.LoadLocation(host.TimeZone)
	if err != nil || host.TimeZone == "" {
		loc = time.UTC
	}
	from := maxTime(r.WindowStart, s.now())
	if !r.WindowEnd.After(from) {
		return []SpanView{}, nil
	}
	slots, err := s.availabilityIn(db, AvailabilityQuery{
		Participants: []ParticipantInput{{Type: string(ResourceBody), IDOrCode: Ref(itoa(r.BodyID))}, {Type: string(ResourcePerson), IDOrCode: Ref(itoa(r.BrieferID))}},
		Duration:     time.Duration(r.DurationS) * time.Second, From: from, To: r.WindowEnd,
		WorkStart: 9 * time.Hour, WorkEnd: 18 * time.Hour, Location: loc, Limit: 5,
		Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
	})
	if err != nil || len(slots) == 0 || BriefingState(r.State) != BriefingRequested {
		return slots, err
	}
	_, err = s.briefingStep(ctx, a, id, "offer", func(tx *gorm.DB, r *briefingRequest) error {
		if BriefingState(r.State) != BriefingRequested {
			return errNotDue // decided or offered meanwhile
		}
		r.State = string(BriefingOffered)
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
func (s *Store) ScheduleBriefing(ctx context.Context, a Actor, id int64, start time.Time) (*BriefingRequestView, error) {
	if start.IsZero() {
		return nil, &ValidationError{Errors: []FieldError{{Field: "start", Message: "is required (RFC 3339)"}}}
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
			return &ValidationError{Errors: []FieldError{{Field: "start", Message: fmt.Sprintf("the briefing must fit the wished window %s – %s", r.WindowStart.Format(time.RFC3339), r.WindowEnd.Format(time.RFC3339))}}}
		}
		codes, err := codesOf(tx, []int64{r.HostOrganizationID})
		if err != nil {
			return err
		}
		var host Organization
		if err := tx.First(&host, r.HostOrganizationID).Error; err != nil {
			return fmt.Errorf("load host organisation %d: %w", r.HostOrganizationID, err)
		}
		in := ActivityInput{Kind: string(KindCrossBriefing), Title: "Cross-briefing: " + r.Topic, Start: start, End: end, TimeZone: host.TimeZone,
			Status: string(StatusConfirmed), LeadOrganization: Ref(codes[0]),
			Participants: []ParticipantInput{
				{Type: string(ResourceBody), IDOrCode: Ref(itoa(r.BodyID)), Role: string(RoleAudience)},
				{Type: string(ResourcePerson), IDOrCode: Ref(itoa(r.BrieferID)), Role: string(RoleBriefer)},
			}}
		if r.Area != "" {
			in.Areas = []string{r.Area}
		}
		d, err := s.buildDraft(tx, Viewer{All: true}, in, 0)
		if err != nil {
			return err
		}
		report, err := s.evaluate(tx, a, d)
		if err != nil {
			return err
		}
		if len(report.Conflicts) > 0 {
			return &ConflictError{Conflicts: report.Conflicts, Warnings: report.Warnings}
		}
		if err := s.persist(tx, a, d, nil, nil, "create", WriteOptions{}, false); err != nil {
			return err
		}
		aid := d.row.ID
		r.State, r.ActivityID = string(BriefingScheduled), &aid
		return nil
	})
	if isExclusionViolation(err) {
		return nil, &ConflictError{Conflicts: []ConflictView{{Rule: "concurrent_booking", Severity: "hard"}}, Warnings: []ConflictView{}}
	}
	return view, err
}

// DeclineBriefing refuses a request with a reason (the host's planners).
func (s *Store) DeclineBriefing(ctx context.Context, a Actor, id int64, reason string) (*BriefingRequestView, error) {
	reason = strings.TrimSpace(reason)
	v := &ValidationError{}
	checkText(v, "reason", reason, true, 2000)
	if err := v.orNil(); err != nil {
		return nil, err
	}
	return s.briefingStep(ctx, a, id, "decline", func(tx *gorm.DB, r *briefingRequest) error {
		if err := requireHost(a, r); err != nil {
			return err
		}
		if !r.open() {
			return r.closedError()
		}
		r.State, r.Reason = string(BriefingDeclined), reason
		return nil
	})
}

// WithdrawBriefing takes a request back (the briefer, their
// organisation's planners or an administrator) while it is undecided.
func (s *Store) WithdrawBriefing(ctx context.Context, a Actor, id int64) (*BriefingRequestView, error) {
	return s.briefingStep(ctx, a, id, "withdraw", func(tx *gorm.DB, r *briefingRequest) error {
		if a.Role != RoleAdmin && a.PersonID != r.BrieferID && (a.Role != RolePlanner || a.OrganizationID != r.BrieferOrganizationID) {
			return &ForbiddenError{Reason: "a briefing request is withdrawn by the briefer, a planner of their organisation or an administrator"}
		}
		if !r.open() {
			return r.closedError()
		}
		r.State = string(BriefingWithdrawn)
		return nil
	})
}

// ExpireBriefingRequests closes undecided requests whose wished window
// has passed; each is audited. It returns how many expired.
func (s *Store) ExpireBriefingRequests(ctx context.Context) (int, error) {
	var due []int64
	if err := s.db.WithContext(ctx).Model(&briefingRequest{}).Where("state IN ? AND window_end <= ?", names([]BriefingState{BriefingRequested, BriefingOffered}), s.now()).
		Order("id").Pluck("id", &due).Error; err != nil {
		return 0, fmt.Errorf("find expired briefing requests: %w", err)
	}
	n := 0
	for _, id := range due {
		_, err := s.briefingStep(ctx, System(), id, "expire", func(tx *gorm.DB, r *briefingRequest) error {
			if !r.open() || r.WindowEnd.After(s.now()) {
				return errNotDue
			}
			r.State, r.Reason = string(BriefingExpired), "the wished window passed undecided"
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

// BriefingCount is the number of requests in one group, by state.
type BriefingCount struct {
	Key     string         `json:"key"`
	Total   int            `json:"total"`
	ByState map[string]int `json:"by_state"`
}

// CountBriefingRequests counts the requests a may see per year of the
// wished window's start ("year") or per area ("area"; "" when none), by
// state: the figures of a progress report ("125 cross-briefings since
// 2016").
func (s *Store) CountBriefingRequests(ctx context.Context, a Actor, groupBy string) ([]BriefingCount, error) {
	if groupBy != "year" && groupBy != "area" {
		return nil, &ValidationError{Errors: []FieldError{{Field: "group_by", Message: "want year or area"}}}
	}
	var rows []briefingRequest
	if err := s.db.WithContext(ctx).Model(&briefingRequest{}).Scopes(briefingSides(a)).Select("id", "window_start", "area", "state").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load briefing requests: %w", err)
	}
	groups := map[string]*BriefingCount{}
	for _, r := range rows {
		key := r.Area
		if groupBy == "year" {
			key = strconv.Itoa(r.WindowStart.UTC().Year())
		}
		g := groups[key]
		if g == nil {
			g = &BriefingCount{Key: key, ByState: map[string]int{}}
			groups[key] = g
		}
		g.Total++
		g.ByState[r.State]++
	}
	out := make([]BriefingCount, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}
