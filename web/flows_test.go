package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Flow 1: sign in with the demo link; the month view shows the demo's
// activities, drawn by the calendar component, with no script error or
// policy violation and no serious accessibility problem.
func TestBrowserSignInShowsTheMonth(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser(t)
	b.run("sign-in page", chromedp.Navigate(s.URL+"/calendar"), chromedp.WaitVisible(chromedp.CSS(`#email`)))
	b.axe("sign-in")
	b.screenshot("signin")
	b.signIn(euPlannerEmail)
	b.run("calendar drawn", chromedp.WaitVisible(chromedp.CSS(`#ec .ec-event`)), chromedp.WaitNotVisible(chromedp.CSS(`#agenda`)))
	count := eval[int](b, "count events", `document.querySelectorAll("#ec .ec-event").length`)
	if count == 0 {
		t.Fatal("the month view shows no activity")
	}
	if got := b.text(`.top nav a[aria-current="page"]`); got != "Calendar" {
		t.Errorf("current menu entry %q", got)
	}
	b.axe("calendar (month)")
	b.screenshot("calendar-month")

	// The next month comes from /calendar/events, and the URL follows.
	b.run("next month", chromedp.Click(chromedp.CSS(`#ec .ec-next`)), chromedp.Sleep(300*time.Millisecond))
	url := b.location()
	if !strings.Contains(url, "view=month") || !strings.Contains(url, "date=") {
		t.Errorf("the URL does not keep the view: %s", url)
	}
	b.run("week view", chromedp.Click(chromedp.CSS(`#ec .ec-timeGridWeek`)), chromedp.Sleep(300*time.Millisecond))
	url = b.location()
	if !strings.Contains(url, "view=week") {
		t.Errorf("week view URL %s", url)
	}
	b.screenshot("calendar-week")

	// An activity's page, from the agenda's link.
	b.run("open an activity", chromedp.Navigate(s.URL+"/calendar?view=list"), chromedp.WaitVisible(chromedp.CSS(`#ec .ec-event`)), chromedp.Click(chromedp.CSS(`#ec .ec-event`)), chromedp.WaitVisible(chromedp.CSS(`article.activity h1`)))
	b.axe("activity")
	b.screenshot("activity")

	// The progress report's figures.
	b.run("reports", chromedp.Navigate(s.URL+"/reports"), chromedp.WaitVisible(chromedp.CSS(`table.chart`)))
	b.axe("reports")
	b.screenshot("reports")
	b.clean()
}

// Flow 8: switch to French: menus, dates and messages change.
func TestBrowserSwitchesToFrench(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser(t)
	b.signIn(natoPlannerEmail)
	b.run("choose French", chromedp.WaitVisible(chromedp.CSS(`#language`)), chromedp.SetValue(chromedp.CSS(`#language`), "fr"), chromedp.Click(chromedp.CSS(`form.language button`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"]`)))
	if got := b.text(`.top nav a[aria-current="page"]`); got != "Calendrier" {
		t.Errorf("menu in French: %q", got)
	}
	if got := b.text(`.who button`); got != "Se déconnecter" {
		t.Errorf("sign-out button in French: %q", got)
	}
	b.run("French list", chromedp.Navigate(s.URL+"/calendar?view=list"), chromedp.WaitVisible(chromedp.CSS(`#ec .ec-event`)))
	title := b.text(`#ec .ec-toolbar .ec-title`)
	month := []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}[s.Today.Month()-1]
	if !strings.Contains(strings.ToLower(title), month) {
		t.Errorf("calendar title %q is not French (%s)", title, month)
	}
	b.axe("calendrier")
	b.screenshot("calendar-fr")
	b.clean()
}
