package models

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/isoduration"
)

// ActivityUID is the UID of an activity's event: feeds order events by it.
func ActivityUID(id int64, host string) string {
	return calendar.UID(strconv.FormatInt(id, 10), host)
}

// CalendarEvent turns an activity into the plain event the calendar
// package renders, for feeds, .ics downloads and e-mail invitations alike.
// baseURL builds the link back; host makes the stable UID.
func (v *ActivityView) CalendarEvent(baseURL, host string) calendar.Event {
	e := calendar.Event{
		UID:   ActivityUID(v.ID, host),
		Title: v.Title, Start: v.Start, End: v.End, TimeZone: v.TimeZone, AllDay: v.AllDay,
		RRule: v.RRule, ExDates: v.ExDates, RDates: v.RDates,
		Status: v.Status, Sequence: v.Sequence, Created: v.CreatedAt, LastModified: v.UpdatedAt,
		URL: fmt.Sprintf("%s/activities/%d", baseURL, v.ID), ConferenceURL: v.ConferenceURL,
		Class: "PUBLIC",
	}
	if v.DeletedAt != nil {
		e.Status = string(StatusCancelled)
	}
	if Status(e.Status) == StatusProposed {
		// Not committed yet: calendars know it as tentative.
		e.Status = string(StatusTentative)
	}
	if len(v.Visibility) > 0 {
		e.Class = "CONFIDENTIAL"
	}
	if v.VenueDetail != nil {
		e.Location = v.VenueDetail.Name
		if v.VenueDetail.Address != "" {
			e.Location += ", " + v.VenueDetail.Address
		}
	}
	e.Categories = append(e.Categories, v.Kind)
	e.Categories = append(e.Categories, v.Areas...)
	if v.Series != "" {
		e.Categories = append(e.Categories, v.Series)
	}
	for _, o := range v.Overrides {
		e.Overrides = append(e.Overrides, calendar.Override{RecurrenceID: o.RecurrenceID, Cancelled: o.Cancelled, Start: o.Start, End: o.End})
	}
	for _, r := range v.Reminders {
		if d, err := isoduration.Parse(r); err == nil {
			e.Reminders = append(e.Reminders, d)
		}
	}
	var who []string
	for _, p := range v.Participants {
		if p.Role == "lead" && e.Organizer == nil && p.Email != "" {
			e.Organizer = &calendar.Attendee{Name: p.Name, Email: p.Email, Role: p.Role, Required: p.Required, RSVP: p.RSVP}
		}
		e.Attendees = append(e.Attendees, calendar.Attendee{Name: p.Name, Email: p.Email, Role: p.Role, Required: p.Required, RSVP: p.RSVP})
		who = append(who, fmt.Sprintf("%s (%s%s)", p.Name, p.Role, map[bool]string{true: "", false: ", optional"}[p.Required]))
	}
	var b strings.Builder
	if v.Description != "" {
		b.WriteString(strings.TrimSpace(v.Description))
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, "Kind: %s\nLead organisation: %s\n", strings.ReplaceAll(v.Kind, "_", " "), v.LeadOrganization)
	if len(who) > 0 {
		fmt.Fprintf(&b, "Participants: %s\n", strings.Join(who, "; "))
	}
	if v.ConferenceURL != "" {
		fmt.Fprintf(&b, "Join: %s\n", v.ConferenceURL)
	}
	e.Description = strings.TrimSpace(b.String())
	return e
}
