package models

// Languages jointcal writes pages and e-mails in.
var Languages = []string{"en", "fr"}

// Me is who the caller is: the signed-in person (nil for a service token
// or the CLI) with their settings, the role and organisation they act
// with, and their grants.
type Me struct {
	Person       *Person `json:"person"`
	Language     string  `json:"language"`
	Role         Role    `json:"role"`
	Organization string  `json:"organization"`
	Grants       []Grant `json:"grants"`
}

// MeInput changes a person's own settings; absent fields stay.
type MeInput struct {
	TimeZone            *string              `json:"timezone"`
	Language            *string              `json:"language"`
	ReminderPreferences *ReminderPreferences `json:"reminder_preferences"`
}
