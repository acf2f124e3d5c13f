package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// The demo's joint-planning workflows, so that a newcomer finds each
// organisation's queue and the cross-briefing requests in use: proposals
// awaiting NATO, awaiting NATO again after EU's counter-proposal,
// awaiting EU, and one agreed;
// briefing requests requested, scheduled and declined. They are placed in
// the weeks after the day of loading, by the demo planners (Accounts),
// through the same store calls as the API; loading again adds nothing.

// demoProposal is one proposal of the demo: who leads it, who takes part,
// and what the other side answered.
type demoProposal struct {
	key, lead, title, area string
	// about is what the activity's description says of it; the demo adds
	// who proposed it and who must agree.
	about        string
	week         int
	day          time.Weekday
	hour         int
	minutes      int
	participants []models.ParticipantInput
	// counter moves it by that many days on behalf of the other side;
	// agree makes the other side agree.
	counter int
	agree   bool
}

var demoProposals = []demoProposal{
	{key: "proposal-mobility-staff-talks", lead: "EU", title: "EU–NATO staff talks on military mobility", area: "operational_maritime",
		week: 2, day: time.Thursday, hour: 16, minutes: 90, participants: []models.ParticipantInput{
			{Type: "body", IDOrCode: "EUMS"}, {Type: "body", IDOrCode: "IMS"}},
		about: "Staff-to-staff talks between the EU Military Staff and NATO's International Military Staff on military mobility: requirements, transport infrastructure and cross-border movement procedures."},
	{key: "proposal-hybrid-nac-psc", lead: "NATO", title: "Informal NAC–PSC meeting on countering hybrid threats", area: "hybrid_threats",
		week: 3, day: time.Tuesday, hour: 16, minutes: 120, counter: 1, participants: []models.ParticipantInput{
			{Type: "body", IDOrCode: "NAC"}, {Type: "body", IDOrCode: "PSC"}},
		about: "Informal meeting of the North Atlantic Council and the Political and Security Committee on countering hybrid threats, with a briefing by the European Centre of Excellence for Countering Hybrid Threats."},
	{key: "proposal-exercise-staff-talks", lead: "NATO", title: "Staff talks on the planning of parallel and coordinated exercises", area: "exercises",
		week: 5, day: time.Monday, hour: 16, minutes: 90, participants: []models.ParticipantInput{
			{Type: "body", IDOrCode: "OPC"}, {Type: "body", IDOrCode: "EEAS"}},
		about: "Staff talks on the next cycle of parallel and coordinated exercises (PACE): which organisation leads, the scenario, and the shared calendar of planning conferences."},
	{key: "proposal-cyber-cert-ncirc", lead: "EU", title: "CERT-EU and NCIRC technical exchange", area: "cyber",
		week: 4, day: time.Wednesday, hour: 16, minutes: 90, agree: true, participants: []models.ParticipantInput{
			{Type: "body", IDOrCode: "CERT-EU"}, {Type: "body", IDOrCode: "NCIRC"}},
		about: "Technical exchange between CERT-EU and the NATO Computer Incident Response Capability under their technical arrangement: sharing threat information and coordinating incident response."},
}

// demoBriefing is one cross-briefing request of the demo.
type demoBriefing struct {
	briefer, body, topic, area string
	week                       int
	// schedule books its first offered slot; decline refuses it.
	schedule bool
	decline  string
}

var demoBriefings = []demoBriefing{
	{briefer: "nikos.andreou@eeas.example", body: "NAC", topic: "The EU Strategic Compass", area: "political_dialogue", week: 3},
	{briefer: "mark.oconnell@nato.example", body: "PSC", topic: "NATO's resilience baseline requirements", area: "hybrid_threats", week: 5, schedule: true},
	{briefer: "laura.conti@ec.example", body: "CEPC", topic: "The EU Civil Protection Mechanism in winter storms", area: "capacity_building", week: 6,
		decline: "the committee heard the ERCC on this in the spring; proposed for the autumn programme instead"},
}

// weekAt is local time hh:00 on weekday of the n-th week after today's
// (Monday-based, Brussels).
func weekAt(today time.Time, n int, day time.Weekday, hour int) time.Time {
	loc, _ := time.LoadLocation("Europe/Brussels")
	l := today.In(loc)
	monday := time.Date(l.Year(), l.Month(), l.Day()-(int(l.Weekday())+6)%7, hour, 0, 0, 0, loc)
	return addDays(monday, loc, 7*n+(int(day)+6)%7)
}

// planners returns the demo planner of each organisation as an actor.
func planners(ctx context.Context, store *storage.Store) (map[string]models.Actor, error) {
	out := map[string]models.Actor{}
	for _, g := range Accounts {
		if g.Role != models.RolePlanner {
			continue
		}
		org, err := store.GetOrganization(ctx, g.Organization)
		if err != nil {
			return nil, fmt.Errorf("demo planner of %s: %w", g.Organization, err)
		}
		p, err := store.GetPerson(ctx, g.Person)
		if err != nil {
			return nil, fmt.Errorf("demo planner %s: %w", g.Person, err)
		}
		out[string(g.Organization)] = models.Actor{PersonID: p.ID, Name: string(g.Person), Role: models.RolePlanner, OrganizationID: org.ID}
	}
	return out, nil
}

// The demo's one answer: a required participant of the bi-weekly
// EADRCC–ERCC call declines its next occurrence after the day of loading,
// so that a planner opening the deconfliction agenda on any day finds
// something to chase ("required participant declined").
const (
	declineActivity = "eadrcc-ercc-biweekly"
	declinePerson   = "ayse.demir@nato.example"
	declineComment  = "On the EADRCC consequence-management field exercise that week; please send me the notes."
)

// loadDecline records the demo's answer unless the person has declined
// an occurrence of the call already (loading again adds nothing).
func loadDecline(ctx context.Context, store *storage.Store, today time.Time, sum *Summary) error {
	id, err := store.ActivityIDBySourceUID(ctx, "demo:"+declineActivity)
	if err != nil {
		return err
	}
	if id == 0 {
		return fmt.Errorf("demo answer: no activity %s", declineActivity)
	}
	p, err := store.GetPerson(ctx, models.Ref(declinePerson))
	if err != nil {
		return fmt.Errorf("demo answer: %s: %w", declinePerson, err)
	}
	replies, err := store.ListReplies(ctx, models.System(), id, models.ListOptions{Limit: models.MaxLimit})
	if err != nil {
		return fmt.Errorf("demo answer: %w", err)
	}
	for _, r := range replies.Items {
		for _, o := range r.Occurrences {
			if r.Person.ID == p.ID && o.PartStat == string(models.RSVPDeclined) {
				sum.Existing++
				return nil
			}
		}
	}
	occs, err := store.ListOccurrences(ctx, models.System(), models.OccurrenceFilter{ActivityFilter: models.ActivityFilter{
		ID: id, From: today.AddDate(0, 0, 2), To: today.AddDate(0, 0, 45), ListOptions: models.ListOptions{Limit: 1}}})
	if err != nil {
		return fmt.Errorf("demo answer: %w", err)
	}
	if len(occs.Items) > 0 { // the first after the day of loading
		original := occs.Items[0].OriginalStart()
		if _, err := store.ReplyFor(ctx, p.ID, id, models.ReplyInput{PartStat: string(models.RSVPDeclined), Comment: declineComment, Occurrence: &original}, models.ChannelWeb); err != nil {
			return fmt.Errorf("demo answer: %w", err)
		}
		sum.Created++
		return nil
	}
	return fmt.Errorf("demo answer: no occurrence of %s in the weeks after %s", declineActivity, today.Format(time.DateOnly))
}

// loadWorkflows adds the demo's proposals, briefing requests and answer.
func loadWorkflows(ctx context.Context, store *storage.Store, today time.Time, sum *Summary) error {
	act, err := planners(ctx, store)
	if err != nil {
		return err
	}
	other := map[string]string{"EU": "NATO", "NATO": "EU"}
	for _, p := range demoProposals {
		uid := "demo:" + p.key
		if id, err := store.ActivityIDBySourceUID(ctx, uid); err != nil {
			return err
		} else if id != 0 {
			sum.Existing++
			continue
		}
		start := weekAt(today, p.week, p.day, p.hour)
		in := models.ActivityInput{Kind: string(models.KindMeeting), Title: p.title, Start: start, End: start.Add(time.Duration(p.minutes) * time.Minute),
			TimeZone: "Europe/Brussels", Format: string(models.FormatInPerson), LeadOrganization: models.Ref(p.lead), Participants: p.participants,
			Areas: []string{p.area}, Description: fmt.Sprintf("%s\n\nProposed by %s; committed once %s agrees.", p.about, p.lead, other[p.lead])}
		res, err := store.CreateActivity(ctx, act[p.lead], in, storage.WriteOptions{SourceUID: uid})
		if err != nil {
			return fmt.Errorf("demo proposal %s: %w", p.key, err)
		}
		switch {
		case p.counter != 0:
			_, err = store.CounterPropose(ctx, act[other[p.lead]], res.Activity.ID, models.CounterProposal{
				Start: addDays(in.Start, in.Start.Location(), p.counter), End: addDays(in.End, in.End.Location(), p.counter),
				Reason: "the committee sits the day before; the day after suits both chairs"})
		case p.agree:
			_, err = store.AgreeToProposal(ctx, act[other[p.lead]], res.Activity.ID)
		}
		if err != nil {
			return fmt.Errorf("demo proposal %s: answer: %w", p.key, err)
		}
		sum.Created++
	}
	have, err := store.ListBriefingRequests(ctx, models.System(), models.BriefingFilter{ListOptions: models.ListOptions{Limit: models.MaxLimit}})
	if err != nil {
		return err
	}
	topics := map[string]bool{}
	for _, r := range have.Items {
		topics[r.Topic] = true
	}
	for _, b := range demoBriefings {
		if topics[b.topic] {
			sum.Existing++
			continue
		}
		p, err := store.GetPerson(ctx, models.Ref(b.briefer))
		if err != nil {
			return fmt.Errorf("demo briefer %s: %w", b.briefer, err)
		}
		from := weekAt(today, b.week, time.Monday, 0)
		orgs, err := store.GetOrganization(ctx, models.Ref(fmt.Sprint(*p.OrganizationID)))
		if err != nil {
			return err
		}
		r, err := store.RequestBriefing(ctx, act[orgs.Code], models.BriefingRequestInput{Briefer: models.Ref(b.briefer), Body: models.Ref(b.body),
			Topic: b.topic, Area: b.area, From: from, To: from.AddDate(0, 0, 14), Duration: "PT1H"})
		if err != nil {
			return fmt.Errorf("demo briefing request %q: %w", b.topic, err)
		}
		host := other[orgs.Code]
		switch {
		case b.schedule:
			slots, err := store.BriefingSlots(ctx, act[host], r.ID)
			if err != nil {
				return fmt.Errorf("demo briefing request %q: slots: %w", b.topic, err)
			}
			if len(slots) == 0 {
				return fmt.Errorf("demo briefing request %q: no free slot", b.topic)
			}
			_, err = store.ScheduleBriefing(ctx, act[host], r.ID, slots[0].Start)
			if err != nil {
				return fmt.Errorf("demo briefing request %q: schedule: %w", b.topic, err)
			}
		case b.decline != "":
			if _, err := store.DeclineBriefing(ctx, act[host], r.ID, b.decline); err != nil {
				return fmt.Errorf("demo briefing request %q: decline: %w", b.topic, err)
			}
		}
		sum.Created++
	}
	return loadDecline(ctx, store, today, sum)
}
