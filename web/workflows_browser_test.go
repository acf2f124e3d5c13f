package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The proposals and cross-briefing pages in a browser: NATO's planner
// sees the queue, tries to decline without a reason (the field comes
// back marked), and looks at the slots offered for the demo request;
// each page passes axe-core and is photographed.
func TestBrowserProposalsAndBriefings(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	id := proposalID(t, s, awaitingNATO)
	req := briefingRequest(t, s, "The EU Strategic Compass")
	b := s.browser(t)
	b.signIn(natoPlannerEmail)

	b.run("open the proposals", chromedp.Navigate(s.URL+"/proposals"), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#proposal-%d`, id))))
	b.axe("proposals")
	b.screenshot("proposals")
	b.clean()
	decline := fmt.Sprintf(`#proposal-%d form[action$="/decline"]`, id)
	b.run("decline without a reason",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#proposal-%d details summary`, id))),
		chromedp.Click(chromedp.CSS(decline+` button`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#p%d-reason-error`, id))))
	if got := eval[string](b, "the reason field", fmt.Sprintf(`document.getElementById("p%d-reason").getAttribute("aria-invalid")`, id)); got != "true" {
		t.Errorf("the reason is not marked invalid: %q", got)
	}
	b.axe("proposals with a refused decline")

	b.run("open the briefing slots", chromedp.Navigate(fmt.Sprintf("%s/briefings?slots=%d", s.URL, req.ID)), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#br-%d .slots button`, req.ID))))
	b.axe("briefings")
	b.screenshot("briefings")
	// The refused decline answers 422, which the browser logs; anything
	// else it reported is a fault of the pages.
	for _, l := range b.problems() {
		if !strings.Contains(l, "favicon.ico") && !(strings.Contains(l, "status of 422") && strings.Contains(l, "/decline")) {
			t.Errorf("the browser reported: %s", l)
		}
	}
}
