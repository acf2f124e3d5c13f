package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// An EU planner opens the templates, picks the demo's EU Integrated
// Resolve, creates an exercise from it and lands on the exercise's page,
// which lists its phases and planning events; then looks at the PACE
// pairs and an administrator at the template editor. Each page passes
// axe-core and is photographed.
func TestBrowserExerciseFromATemplate(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tpl := templateByName(t, s, demoTemplate)
	start := time.Date(s.Today.Year()+3, 9, 14, 9, 0, 0, 0, time.UTC)
	const title = "Integrated Resolve in the browser"
	b := s.browser(t)
	b.signIn(euPlannerEmail)

	b.run("open the templates", chromedp.Navigate(s.URL+"/templates"), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`a[href="/templates/%d"]`, tpl.ID))))
	b.axe("templates")
	b.screenshot("templates")
	b.run("open the template", chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/templates/%d"]`, tpl.ID))), chromedp.WaitVisible(chromedp.CSS(`#make-form`)))
	b.axe("template")
	b.screenshot("template")
	b.run("create an exercise from it",
		chromedp.SendKeys(chromedp.CSS(`#mk-title`), title),
		chromedp.SetValue(chromedp.CSS(`#mk-start`), start.Format("2006-01-02T15:04")),
		chromedp.SetValue(chromedp.CSS(`#mk-end`), start.AddDate(0, 0, 5).Format("2006-01-02T15:04")),
		chromedp.Click(chromedp.CSS(`#make-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#children`)))
	if got := b.text(`#main h1`); got != title {
		t.Errorf("landed on %q, not the new exercise", got)
	}
	if n := eval[int](b, "count the children", `document.querySelectorAll("#children li").length`); n != len(tpl.Entries) {
		t.Errorf("the exercise's page lists %d children, the template has %d entries", n, len(tpl.Entries))
	}
	if got := b.text(`#children`); !strings.Contains(got, tpl.Entries[0].Title) {
		t.Errorf("the children do not include %q: %s", tpl.Entries[0].Title, got)
	}
	b.axe("exercise with its children")
	b.screenshot("exercise-children")

	b.run("open the PACE pairs", chromedp.Navigate(s.URL+"/pace-pairs"), chromedp.WaitVisible(chromedp.CSS(`#pair-form`)))
	b.axe("PACE pairs")
	b.screenshot("pace-pairs")
	b.run("see the PACE pair on the programme", chromedp.Navigate(s.URL+"/programme"), chromedp.WaitVisible(chromedp.CSS(`.bar.exercise .pace-mark`)))
	b.axe("programme with a PACE pair")
	b.clean()

	a := s.browser(t)
	a.signIn(adminEmail)
	a.run("open the template editor", chromedp.Navigate(fmt.Sprintf("%s/templates/%d/edit", s.URL, tpl.ID)), chromedp.WaitVisible(chromedp.CSS(`#template-form`)))
	a.axe("template editor")
	a.screenshot("template-editor")
	a.clean()
}
