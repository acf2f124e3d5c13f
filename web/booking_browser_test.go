package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// setField sets a form control as a person would, firing its change
// event (which is what the live check listens for).
func setField(id, value string) chromedp.Action[chromedp.Void] {
	ev := chromedp.Evaluate[bool](fmt.Sprintf(`(function(){var e=document.getElementById(%q);e.value=%q;e.dispatchEvent(new Event("change",{bubbles:true}));return true})()`, id, value))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := ev(ctx, t)
		return chromedp.Void{}, err
	}
}

// Flow 2: book a cross-briefing; a hard conflict appears as the time is
// moved onto a committee meeting and disappears when moved off; the
// booking is refused, then made with an override and its reason, which
// the activity's history shows.
func TestBrowserBooksACrossBriefing(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	meeting := findExact(t, s, committeeMeeting)
	b := s.browser(t)
	b.signIn(euPlannerEmail)
	bxl, _ := time.LoadLocation("Europe/Brussels")
	wall := func(t time.Time) string { return t.In(bxl).Format("2006-01-02T15:04") }
	free := meeting.Start.AddDate(0, 0, 1).Add(3 * time.Hour)
	q := url.Values{"title": {"EU cross-briefing to the PSC"}, "kind": {"cross_briefing"}, "start": {free.Format(time.RFC3339)}, "end": {free.Add(time.Hour).Format(time.RFC3339)},
		"timezone": {"Europe/Brussels"}, "participants": {"PSC," + euPlannerEmail}}
	b.run("open the booking form", chromedp.Navigate(s.URL+"/activities/new?"+q.Encode()), chromedp.WaitVisible(chromedp.CSS(`#check-result .ok`)))
	if got := b.text(`#rule-preview .rule-words`); got != "does not repeat" {
		t.Errorf("rule preview %q", got)
	}
	b.axe("booking form")
	b.screenshot("booking-new")

	b.run("move onto the committee meeting", setField("start", wall(meeting.Start)), setField("end", wall(meeting.Start.Add(time.Hour))),
		chromedp.WaitVisible(chromedp.CSS(`#check-result li.hard`)))
	if got := b.text(`#check-result li.hard`); !strings.Contains(got, committeeMeeting) {
		t.Errorf("the hard conflict does not name the meeting: %q", got)
	}
	b.screenshot("booking-conflict")
	b.axe("booking form with a conflict")
	b.run("move off", setField("start", wall(free)), setField("end", wall(free.Add(time.Hour))), chromedp.WaitVisible(chromedp.CSS(`#check-result .ok`)))
	b.run("move back and book", setField("start", wall(meeting.Start)), setField("end", wall(meeting.Start.Add(time.Hour))),
		chromedp.WaitVisible(chromedp.CSS(`#check-result li.hard`)),
		chromedp.Click(chromedp.CSS(`#save`)), chromedp.WaitVisible(chromedp.CSS(`.notice.refused li.hard`)))
	b.run("override with a reason", chromedp.Click(chromedp.CSS(`#override`)), chromedp.SendKeys(chromedp.CSS(`#override_reason`), "The PSC chair asked for it"),
		chromedp.Click(chromedp.CSS(`#save`)), chromedp.WaitVisible(chromedp.CSS(`article.activity h1`)))
	if got := b.text(`ol.history`); !strings.Contains(got, "The PSC chair asked for it") {
		t.Errorf("the history does not show the override's reason: %q", got)
	}
	b.cleanBut("status of 409")
}

// cleanBut is clean for a flow in which a page answers an expected
// error status (a refused booking is a 409 page, which the browser
// logs).
func (b *browser) cleanBut(expected string) {
	b.t.Helper()
	var bad []string
	for _, l := range b.problems() {
		if strings.Contains(l, "favicon.ico") || strings.Contains(l, expected) {
			continue
		}
		bad = append(bad, l)
	}
	if len(bad) > 0 {
		b.t.Errorf("the browser reported problems:\n  %s", strings.Join(bad, "\n  "))
	}
}
