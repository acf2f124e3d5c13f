package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/jointcal/jointcal/models"
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
	// The picker suggests bodies, organisations and people as one types.
	b.run("pick a participant", chromedp.Click(chromedp.CSS(`#p-2-ref`)), chromedp.SendKeys(chromedp.CSS(`#p-2-ref`), "Military"),
		chromedp.WaitReady(chromedp.CSS(`#pick-2 option[value^="body:"]`)))
	picked := eval[string](b, "choose the suggestion", `document.querySelector('#pick-2 option[value^="body:"]').value`)
	b.run("take the suggestion", setField("p-2-ref", picked), chromedp.WaitVisible(chromedp.CSS(`#check-result .ok`)))

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
	b.axe("activity with its actions")
	b.screenshot("activity-booked")
	b.run("cancel or delete", chromedp.Click(chromedp.CSS(`.activity-actions a[href$="/remove"]`)), chromedp.WaitVisible(chromedp.CSS(`form[action$="/delete"] button`)))
	b.axe("cancel or delete")
	b.screenshot("activity-remove")
	b.run("cancel it", chromedp.Click(chromedp.CSS(`form[action$="/cancel"] button`)), chromedp.WaitVisible(chromedp.CSS(`article.activity h1`)))
	if got := b.text(`article.activity .meta`); !strings.Contains(got, "cancelled") {
		t.Errorf("the cancelled activity's page says %q", got)
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

// Flow 3: drag an activity onto a clash; the dialog lists it, asks a
// reason to move anyway, and puts the event back when the person
// declines.
func TestBrowserDragOntoAClash(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	fx := newDragFixture(t, s)
	b := s.browser(t)
	b.signIn(euPlannerEmail)
	b.run("week of the fixture", chromedp.Navigate(s.URL+"/calendar?view=week&date="+fx.Day.Format("2006-01-02")), chromedp.WaitVisible(chromedp.CSS(`#ec .ec-event`)))
	find := func(title string) string {
		return fmt.Sprintf(`Array.from(document.querySelectorAll("#ec .ec-event")).find(e => e.textContent.includes(%q))`, title)
	}
	box := eval[[]float64](b, "where the events are", fmt.Sprintf(`(function(){var a=%s, m=%s; if(!a||!m){return []} var r=a.getBoundingClientRect(), q=m.getBoundingClientRect(); a.scrollIntoView({block:"center"}); r=a.getBoundingClientRect(); q=m.getBoundingClientRect(); return [r.left+r.width/2, r.top+8, q.top+8]})()`, find(fx.Briefing.Title), find(dragMeetingTitle)))
	if len(box) != 3 {
		t.Fatal("the week view does not show both the briefing and the meeting")
	}
	x, y, ty := box[0], box[1], box[2]
	steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y), chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1))}
	for i := 1; i <= 10; i++ {
		steps = append(steps, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y+(ty-y)*float64(i)/10, chromedp.ButtonLeft), chromedp.Sleep(30*time.Millisecond))
	}
	steps = append(steps, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x, ty, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.WaitVisible(chromedp.CSS(`#move-dialog[open] #move-clashes li.hard`)))
	b.run("drag the briefing onto the meeting", steps...)
	if got := b.text(`#move-clashes li.hard`); !strings.Contains(got, dragMeetingTitle) {
		t.Errorf("the dialog does not list the meeting: %q", got)
	}
	b.axe("calendar move dialog")
	b.screenshot("calendar-move-dialog")
	b.run("a reason is required", chromedp.Click(chromedp.CSS(`#move-override`)), chromedp.WaitVisible(chromedp.CSS(`#move-reason-error`)))
	b.run("put it back", chromedp.Click(chromedp.CSS(`#move-revert`)), chromedp.WaitNotVisible(chromedp.CSS(`#move-dialog`)))
	if v, _ := s.Store.GetActivity(context.Background(), models.System(), fx.Briefing.ID); !v.Start.Equal(fx.Briefing.Start) {
		t.Errorf("the declined move moved the briefing to %s", v.Start)
	}
	b.cleanBut("status of 409")
}
