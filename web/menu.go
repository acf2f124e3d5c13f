package web

// menuItem is an entry of the main menu.
type menuItem struct {
	// Key marks the entry of the current page (aria-current).
	Key, Path, Label string
	// Planner and Admin entries are shown only to those roles; the store
	// still refuses what a role may not do, whatever the menu shows.
	Planner, Admin bool
}

// menuItems lists the pages in the order of the menu.
func menuItems() []menuItem {
	return []menuItem{
		{Key: "calendar", Path: "/calendar", Label: "nav.calendar"},
		{Key: "book", Path: "/activities/new", Label: "nav.book", Planner: true},
		{Key: "timeline", Path: "/timeline", Label: "nav.timeline"},
		{Key: "programme", Path: "/programme", Label: "nav.programme"},
		{Key: "templates", Path: "/templates", Label: "nav.templates"},
		{Key: "pace", Path: "/pace-pairs", Label: "nav.pace"},
		{Key: "availability", Path: "/availability", Label: "nav.availability"},
		{Key: "conflicts", Path: "/conflicts", Label: "nav.conflicts"},
		{Key: "proposals", Path: "/proposals", Label: "nav.proposals", Planner: true},
		{Key: "briefings", Path: "/briefings", Label: "nav.briefings"},
		{Key: "reports", Path: "/reports", Label: "nav.reports"},
		{Key: "feeds", Path: "/feeds", Label: "nav.feeds"},
		{Key: "import", Path: "/import", Label: "nav.import", Planner: true},
		{Key: "me", Path: "/me", Label: "nav.me"},
		{Key: "admin", Path: "/admin", Label: "nav.admin", Admin: true},
	}
}

// Menu is the menu entries the person's role may use.
func (p *page) Menu() []menuItem {
	var out []menuItem
	for _, m := range menuItems() {
		if (m.Admin && !p.IsAdmin()) || (m.Planner && !p.IsPlanner()) {
			continue
		}
		out = append(out, m)
	}
	return out
}
