package storage

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// recipientBook holds, for a whole agenda window, what requiredPending
// reads for each activity: the members of the participating bodies, the
// participating people, the participating organisations that have a
// contact address and the people behind those addresses, and the
// answers — a few statements per chunk instead of five per activity.
type recipientBook struct {
	members map[int64][]int64 // body → people
	people  map[int64]models.Person
	orgs    map[int64]models.Organization // with a contact address
	owners  map[string]models.Person      // by lower-case e-mail
	answers map[int64]answers
}

// replyCandidate tells whether the reply agenda may list an activity:
// not cancelled, not proposed, not deleted, with a required participant.
func replyCandidate(v *models.ActivityView) bool {
	return models.Status(v.Status) != models.StatusCancelled && models.Status(v.Status) != models.StatusProposed && v.DeletedAt == nil && hasRequired(v)
}

// loadRecipientBook reads the book for the views the reply agenda may
// list (replyCandidate), with their answers as given (every candidate's,
// read by loadAnswersOf) or read here when nil.
func loadRecipientBook(db *gorm.DB, views []models.ActivityView, as map[int64]answers) (*recipientBook, error) {
	b := &recipientBook{members: map[int64][]int64{}, people: map[int64]models.Person{}, orgs: map[int64]models.Organization{}, owners: map[string]models.Person{}}
	var ids, people, bodies, orgs []int64
	for i := range views {
		v := &views[i]
		if !replyCandidate(v) {
			continue
		}
		ids = append(ids, v.ID)
		p, bs, os := v.ParticipantIDs()
		people, bodies, orgs = append(people, p...), append(bodies, bs...), append(orgs, os...)
	}
	for _, chunk := range chunksOf(uniqueIDs(bodies)) {
		var rows []struct{ BodyID, PersonID int64 }
		if err := db.Table("body_members").Select("body_id, person_id").Where("body_id IN ?", chunk).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("load the members of the window's bodies: %w", err)
		}
		for _, m := range rows {
			b.members[m.BodyID] = append(b.members[m.BodyID], m.PersonID)
			people = append(people, m.PersonID)
		}
	}
	for _, chunk := range chunksOf(uniqueIDs(people)) {
		var rows []models.Person
		if err := db.Select("id", "email", "name", "organization_id").Where("id IN ?", chunk).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("load the window's participating people: %w", err)
		}
		for _, p := range rows {
			b.people[p.ID] = p
		}
	}
	var contacts []string
	for _, chunk := range chunksOf(uniqueIDs(orgs)) {
		var rows []models.Organization
		if err := db.Select("id", "name", "contact_email").Where("id IN ? AND contact_email <> ''", chunk).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("load the window's participating organisations: %w", err)
		}
		for _, o := range rows {
			b.orgs[o.ID] = o
			contacts = append(contacts, strings.ToLower(o.ContactEmail))
		}
	}
	for len(contacts) > 0 {
		chunk := contacts[:min(len(contacts), viewChunk)]
		contacts = contacts[len(chunk):]
		var rows []models.Person
		if err := db.Select("id", "email", "name").Where("LOWER(email) IN ?", chunk).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("load the people behind contact addresses: %w", err)
		}
		for _, p := range rows {
			b.owners[strings.ToLower(p.Email)] = p
		}
	}
	if b.answers = as; as == nil {
		var err error
		if b.answers, err = loadAnswersOf(db, ids); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// recipients is recipientsOf answered from the book, keeping what the
// reply agenda uses of each recipient: address, name, person and whether
// required.
func (b *recipientBook) recipients(v *models.ActivityView) []recipient {
	required := map[string]bool{}
	for _, p := range v.Participants {
		required[p.Type+":"+strconv.FormatInt(p.ID, 10)] = p.Required
	}
	people, bodies, orgs := v.ParticipantIDs()
	personReq := map[int64]bool{}
	for _, id := range people {
		personReq[id] = required["person:"+strconv.FormatInt(id, 10)]
	}
	for _, body := range bodies {
		for _, id := range b.members[body] {
			personReq[id] = personReq[id] || required["body:"+strconv.FormatInt(body, 10)]
		}
	}
	byEmail := map[string]recipient{}
	for id, req := range personReq {
		if p, ok := b.people[id]; ok {
			byEmail[strings.ToLower(p.Email)] = recipient{Email: p.Email, Name: p.Name, viewer: models.Viewer{OrganizationID: derefID(p.OrganizationID)},
				person: true, personID: p.ID, required: req}
		}
	}
	for _, id := range uniqueIDs(orgs) {
		o, ok := b.orgs[id]
		if !ok {
			continue
		}
		key := strings.ToLower(o.ContactEmail)
		if _, ok := byEmail[key]; ok {
			continue
		}
		r := recipient{Email: o.ContactEmail, Name: o.Name, viewer: models.Viewer{OrganizationID: o.ID}, required: required["organization:"+strconv.FormatInt(o.ID, 10)]}
		// A contact address that is a person's own is that person.
		if p, ok := b.owners[key]; ok {
			r.personID, r.person, r.Name = p.ID, true, p.Name
		}
		byEmail[key] = r
	}
	out := make([]recipient, 0, len(byEmail))
	for _, r := range byEmail {
		if r.viewer.CanSee(v.Restricted, v.Allowed) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out
}

// requiredPending is requiredPending answered from the book.
func (b *recipientBook) requiredPending(v *models.ActivityView, occs []occurrenceRow) []pendingOccurrence {
	var required []recipient
	for _, r := range b.recipients(v) {
		if r.required && r.personID != 0 {
			required = append(required, r)
		}
	}
	if len(required) == 0 {
		return nil
	}
	return sortPending(required, b.answers[v.ID], occs)
}
