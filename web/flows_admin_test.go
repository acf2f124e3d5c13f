package web_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Flow 5: create a feed, open its URL, see the events. The address the
// page shows once is fetched as a calendar application would and parsed;
// the feeds and account pages pass axe-core.
func TestBrowserFeedFlow(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser(t)
	b.signIn(natoPlannerEmail)
	b.run("feeds page", chromedp.Navigate(s.URL+"/feeds"), chromedp.WaitVisible(chromedp.CSS(`#feed-name`)))
	b.axe("feeds")
	b.screenshot("feeds")
	b.run("create a feed",
		chromedp.SendKeys(chromedp.CSS(`#feed-name`), "NATO meetings"),
		chromedp.Click(chromedp.CSS(`input[name="kinds"][value="meeting"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/feeds"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#feed-url`)),
	)
	address, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(`#feed-url`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(address, s.URL+"/feeds/") {
		t.Fatalf("feed address %q", address)
	}
	// The status is written when the clipboard's promise settles, after
	// the click returns: wait for it to say something.
	b.run("copy the address", chromedp.Click(chromedp.CSS(`button[data-copy="feed-url"]`)))
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.querySelector('[data-copy-status="feed-url"]').innerText !== ""`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the copy status never appeared: %v", err)
	}
	if got := b.text(`[data-copy-status="feed-url"]`); got != "Copied." {
		t.Errorf("copy status %q", got)
	}
	b.axe("feed created")
	b.screenshot("feed-created")
	status, titles := fetchFeed(t, address)
	if status != 200 || len(titles) == 0 {
		t.Fatalf("the feed answers %d with %d events", status, len(titles))
	}
	// The account page.
	b.run("me", chromedp.Navigate(s.URL+"/me"), chromedp.WaitVisible(chromedp.CSS(`#me-zone`)))
	b.axe("me")
	b.screenshot("me")
	b.clean()
}

// Flow 6: import a file: dry-run preview, then confirm.
func TestBrowserImportFlow(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser(t)
	b.signIn(euPlannerEmail)
	fixture, err := filepath.Abs("../calendar/testdata/recurring_overrides.ics")
	if err != nil {
		t.Fatal(err)
	}
	b.run("import page", chromedp.Navigate(s.URL+"/import"), chromedp.WaitVisible(chromedp.CSS(`#import-file`)))
	b.axe("import")
	b.screenshot("import")
	b.run("preview",
		chromedp.SetUploadFiles(chromedp.CSS(`#import-file`), []string{fixture}),
		chromedp.Click(chromedp.CSS(`form[action="/import"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#preview`)),
	)
	if got := b.text(`.report li`); !strings.Contains(got, "to create") {
		t.Errorf("preview report %q", got)
	}
	b.axe("import preview")
	b.screenshot("import-preview")
	b.run("confirm",
		chromedp.Click(chromedp.CSS(`form[action="/import/confirm"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#done`)),
	)
	if got := b.text(`.report li`); strings.HasPrefix(got, "0") {
		t.Errorf("nothing created: %q", got)
	}
	b.screenshot("import-done")
	b.clean()
}

// Every administration page passes axe-core, with a screenshot of each;
// in two halves, so that each stays well inside one flow's time on a
// busy machine.
func TestBrowserAdminReferencePages(t *testing.T) {
	t.Parallel()
	browseAdmin(t, adminPages[:6])
}

func TestBrowserAdminOperationsPages(t *testing.T) {
	t.Parallel()
	browseAdmin(t, adminPages[6:])
}

func browseAdmin(t *testing.T, paths []string) {
	s := newSite(t)
	b := s.browser(t)
	b.signIn(adminEmail)
	for _, path := range paths {
		name := strings.ReplaceAll(strings.TrimPrefix(path, "/"), "/", "-")
		b.run("open "+path, chromedp.Navigate(s.URL+path), chromedp.WaitVisible(chromedp.CSS(`#main h1`)))
		b.axe(name)
		b.screenshot(name)
		if path == "/admin/bodies" {
			b.run("edit a body", chromedp.Click(chromedp.CSS(`a[href$="/edit"]`)), chromedp.WaitVisible(chromedp.CSS(`form input#f-code`)))
			b.axe("admin-body-edit")
			b.screenshot("admin-body-edit")
		}
	}
	b.clean()
}
