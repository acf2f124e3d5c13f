package storage

import (
	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// visibleActivities narrows a query on the activities table to what v may
// see; the SQL twin of CanSee.
func visibleActivities(v models.Viewer) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		if v.All {
			return db
		}
		return db.Where("(activities.restricted = ? OR EXISTS (SELECT 1 FROM activity_visibility av WHERE av.activity_id = activities.id AND av.organization_id = ?))", false, v.OrganizationID)
	}
}

// visibleExternalCalendars narrows a query on external_calendars to the
// subscriptions a may see: administrators all; otherwise those a's token
// made and, for planners, those its organisation owns. A subscription URL
// is often a secret (a private calendar address), so viewers and the
// other organisation see none.
func visibleExternalCalendars(a models.Actor) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		switch {
		case a.Role == models.RoleAdmin:
			return db
		case a.Role == models.RolePlanner && a.OrganizationID != 0:
			return db.Where("(external_calendars.created_by_token_id = ? OR external_calendars.organization_id = ?)", a.TokenID, a.OrganizationID)
		case a.TokenID != 0:
			return db.Where("external_calendars.created_by_token_id = ?", a.TokenID)
		default:
			return db.Where("1 = 0")
		}
	}
}

// feedsOf narrows a query on feeds to those a manages: administrators
// all; otherwise those its token made, those the signed-in person made,
// and those the person owns.
func feedsOf(a models.Actor) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		if a.Role == models.RoleAdmin {
			return db
		}
		if a.PersonID != 0 {
			return db.Where("(feeds.created_by_person_id = ? OR (feeds.owner_type = 'person' AND feeds.owner_id = ?) OR (feeds.created_by_token_id = ? AND ? <> 0))", a.PersonID, a.PersonID, a.TokenID, a.TokenID)
		}
		return db.Where("feeds.created_by_token_id = ? AND ? <> 0", a.TokenID, a.TokenID)
	}
}

// visibleLiveActivity is the subquery of an EXISTS on another table whose
// column names an activity: that activity, live and visible to v, found
// through the activities' primary key for each row. `column IN (the
// visible activities)` would list every visible activity first — 100,000
// of them to keep four proposals or one PACE pair.
func visibleLiveActivity(db *gorm.DB, v models.Viewer, column string) *gorm.DB {
	return db.Table("activities").Select("1").Where("activities.id = " + column + " AND activities.deleted_at IS NULL").Scopes(visibleActivities(v))
}
