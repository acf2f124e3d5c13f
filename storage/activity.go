package storage

type activityVisibility struct {
	ActivityID     int64
	OrganizationID int64
}

func (activityVisibility) TableName() string { return "activity_visibility" }

type activityArea struct {
	ActivityID int64
	Area       string
}

func (activityArea) TableName() string { return "activity_areas" }
