package models

import (
	"time"
)

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

// BriefingFilter narrows the list of requests.
type BriefingFilter struct {
	State string
	Body  Ref
	Area  string
	ListOptions
}

// BriefingCount is the number of requests in one group, by state.
type BriefingCount struct {
	Key     string         `json:"key"`
	Total   int            `json:"total"`
	ByState map[string]int `json:"by_state"`
}
