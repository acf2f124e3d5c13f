package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Flow 4: find a time for the PSC and the NAC; the proposed slot opens
// the booking form filled in.
func TestBrowserFindsATime(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser(t)
	b.signIn(euPlannerEmail)
	b.run("availability form", chromedp.Navigate(s.URL+"/availability"), chromedp.WaitVisible(chromedp.CSS(`#av-body`)))
	eval[bool](b, "choose the PSC and the NAC", `document.querySelectorAll("#av-body option").forEach(o => { o.selected = o.value === "PSC" || o.value === "NAC"; }); true`)
	b.run("find a time", chromedp.SetValue(chromedp.CSS(`#av-duration`), "90"), chromedp.Click(chromedp.CSS(`form.find-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`.slot-link`)), chromedp.WaitVisible(chromedp.CSS(`table.freebusy`)))
	rows := eval[int](b, "grid rows", `document.querySelectorAll("table.freebusy tbody tr").length`)
	if rows != 3 {
		t.Errorf("the grid has %d rows, want the PSC, the NAC and the proposed slots", rows)
	}
	if n := eval[int](b, "proposed cells", `document.querySelectorAll("table.freebusy td.cell-slot").length`); n == 0 {
		t.Error("no proposed slot marked in the grid")
	}
	b.axe("availability")
	b.screenshot("availability")
	b.clean()
	href := eval[string](b, "first slot", `document.querySelector(".slot-link").getAttribute("href")`)
	b.run("book the slot", chromedp.Click(chromedp.CSS(`.slot-link`)))
	var at string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if at = b.location(); strings.Contains(at, "/activities/new") {
			break
		}
	}
	u, err := url.Parse(at)
	if err != nil || u.Path != "/activities/new" || "/activities/new?"+u.RawQuery != href {
		t.Fatalf("the slot leads to %s, want %s", at, href)
	}
	q := u.Query()
	start, err1 := time.Parse(time.RFC3339, q.Get("start"))
	end, err2 := time.Parse(time.RFC3339, q.Get("end"))
	if err1 != nil || err2 != nil || end.Sub(start) != 90*time.Minute || (q.Get("participants") != "PSC,NAC" && q.Get("participants") != "NAC,PSC") || q.Get("timezone") != "Europe/Brussels" {
		t.Errorf("booking form asked with %v", q)
	}
}

// The deconfliction agenda in a browser: a clash accepted with a note.
func TestBrowserAcceptsAClash(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	day := clashes(t, s)
	b := s.browser(t)
	b.signIn(euPlannerEmail)
	path := "/conflicts?from=" + day.AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + day.AddDate(0, 0, 1).Format(time.DateOnly)
	b.run("agenda", chromedp.Navigate(s.URL+path), chromedp.WaitVisible(chromedp.CSS(`.clash-card`)))
	b.axe("conflicts")
	b.screenshot("conflicts")
	b.run("accept the first clash",
		chromedp.Click(chromedp.CSS(`.clash-card details.accept summary`)),
		chromedp.SendKeys(chromedp.CSS(`.clash-card details.accept textarea`), "Agreed with both chairs."),
		chromedp.Click(chromedp.CSS(`.clash-card details.accept button`)),
		chromedp.WaitVisible(chromedp.CSS(`.accepted-tag`)))
	if got := b.text(`.clash-card.accepted .accepted-note q`); got != "Agreed with both chairs." {
		t.Errorf("accepted note %q", got)
	}
	b.screenshot("conflicts-accepted")

	cmx := findActivity(t, s, "NATO Crisis Management Exercise 2023")
	y := cmx.Start.Year()
	b.run("programme", chromedp.Navigate(s.URL+"/programme?zoom=year&from="+strconv.Itoa(y-1)+"&to="+strconv.Itoa(y)), chromedp.WaitVisible(chromedp.CSS(`.prog-series .bar.exercise`)))
	b.axe("programme")
	b.screenshot("programme")
	b.run("programme quarter", chromedp.Navigate(s.URL+"/programme?zoom=quarter&from="+strconv.Itoa(y)+"&quarter="+strconv.Itoa((int(cmx.Start.Month())-1)/3+1)), chromedp.WaitVisible(chromedp.CSS(`.prog-series .bar.exercise`)))
	b.axe("programme (quarter)")
	b.screenshot("programme-quarter")
	b.clean()
}

// Flow 7: as a NATO planner, an EU-restricted activity is only "busy
// (restricted)" on the timeline and absent from the calendar and search.
func TestBrowserRestrictedIsOnlyBusy(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	hidden := findActivity(t, s, restrictedDemo)
	date := hidden.Start.In(mustZone(t, "Europe/Brussels")).Format(time.DateOnly)
	b := s.browser(t)
	b.signIn(natoPlannerEmail)
	b.run("timeline", chromedp.Navigate(s.URL+"/timeline?rows=bodies&span=week&date="+date), chromedp.WaitVisible(chromedp.CSS(`table.timeline .block.busy`)))
	if eval[bool](b, "timeline text", `document.body.innerText.includes("EU preparatory")`) {
		t.Fatal("the timeline names the EU-only activity")
	}
	b.axe("timeline")
	b.screenshot("timeline")
	b.run("timeline month", chromedp.Navigate(s.URL+"/timeline?rows=bodies&span=month&date="+date), chromedp.WaitVisible(chromedp.CSS(`table.timeline.month .block.busy`)))
	b.axe("timeline (month)")
	b.screenshot("timeline-month")

	b.run("calendar week", chromedp.Navigate(s.URL+"/calendar?view=week&date="+date), chromedp.WaitVisible(chromedp.CSS(`#ec .ec-event`)))
	if eval[bool](b, "calendar text", `document.body.innerText.includes("EU preparatory") || document.documentElement.innerHTML.includes("EU preparatory")`) {
		t.Fatal("the calendar shows the EU-only activity")
	}
	b.run("calendar of the EEAS", chromedp.Navigate(s.URL+"/calendar?view=week&body=EEAS&date="+date), chromedp.WaitVisible(chromedp.CSS(`#ec .ec-event.busy`)))
	if got := b.text(`#ec .ec-event.busy`); !strings.Contains(got, "busy (restricted)") || strings.Contains(got, "EU preparatory") {
		t.Errorf("grey block says %q", got)
	}
	b.axe("calendar (busy blocks)")
	b.screenshot("calendar-busy")
	found := eval[string](b, "search", `fetch("/api/v1/activities?q=EUFOR", {credentials: "same-origin"}).then(r => r.text())`, chromedp.EvalAwaitPromise)
	if strings.Contains(found, "EU preparatory") || !strings.Contains(found, `"items"`) {
		t.Errorf("search answers %.300s", found)
	}
	b.clean()
}
