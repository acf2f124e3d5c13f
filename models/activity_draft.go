package models

import (
	"github.com/jointcal/jointcal/planning"
)

// PlanningSettings are the expansion limits and rule settings applied on
// every write (from config).
type PlanningSettings struct {
	Limits planning.Limits
	Rules  planning.RuleConfig
}

// DefaultPlanningSettings are the documented defaults: a 3-year horizon,
// 5,000 instances per activity, no global buffer.
func DefaultPlanningSettings() PlanningSettings {
	return PlanningSettings{Limits: planning.DefaultLimits()}
}
