package models

import (
	"time"
)

// AuditEntry is one write, kept forever: who, when, what, before and after.
type AuditEntry struct {
	ID       int64     `json:"id" gorm:"primaryKey"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	TokenID  *int64    `json:"token_id,omitempty"`
	PersonID *int64    `json:"person_id,omitempty"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID int64     `json:"entity_id"`
	Reason   string    `json:"reason,omitempty"`
	Before   RawJSON   `json:"before,omitempty" gorm:"column:before_json;type:text"`
	After    RawJSON   `json:"after,omitempty" gorm:"column:after_json;type:text"`
}

// TableName maps AuditEntry to audit_log.
func (AuditEntry) TableName() string { return "audit_log" }

// AuditFilter narrows the audit list.
type AuditFilter struct {
	Entity   string
	EntityID int64
	Actor    string
	From, To time.Time
	// Oldest reads the trail from its start (order=asc).
	Oldest bool
	ListOptions
}
