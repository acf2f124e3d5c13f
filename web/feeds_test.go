package web_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/emersion/go-ical"
)

// feedURL is the secret address a feeds page shows once.
var feedURL = regexp.MustCompile(`id="feed-url" type="text" readonly value="([^"]+)"`)

// fetchFeed reads a feed address with a plain client (a calendar
// application) and returns the summaries of its events.
func fetchFeed(t *testing.T, address string) (int, []string) {
	t.Helper()
	res, err := http.Get(address)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		io.Copy(io.Discard, res.Body)
		return res.StatusCode, nil
	}
	cal, err := ical.NewDecoder(res.Body).Decode()
	if err != nil {
		t.Fatalf("feed %s is not a calendar: %v", address, err)
	}
	var titles []string
	for _, ev := range cal.Events() {
		s, _ := ev.Props.Text(ical.PropSummary)
		titles = append(titles, s)
	}
	return res.StatusCode, titles
}

func TestFeedsPageCreatesRotatesAndRevokes(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(natoPlannerEmail)
	if r := c.get("/feeds"); r.status != http.StatusOK || !strings.Contains(r.body, `action="/feeds"`) {
		t.Fatalf("feeds page: %d", r.status)
	}
	r := c.post("/feeds", url.Values{"csrf_token": {c.csrf()}, "name": {"NATO meetings"}, "owner": {"person"}, "kinds": {"meeting"}})
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	m := feedURL.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no feed address on the page:\n%s", r.body)
	}
	address := html.UnescapeString(m[1])
	for _, want := range []string{"webcal://", "https://calendar.google.com/calendar/r?cid=webcal", "https://outlook.office.com/calendar/0/addfromweb?url="} {
		if !strings.Contains(r.body, want) {
			t.Errorf("no %q link", want)
		}
	}
	status, titles := fetchFeed(t, address)
	if status != http.StatusOK || len(titles) == 0 {
		t.Fatalf("feed: %d with %d events", status, len(titles))
	}
	for _, title := range titles {
		if title == restrictedDemo {
			t.Errorf("a NATO feed shows the EU-restricted %q", title)
		}
	}
	// The secret is not on the list page afterwards.
	list := c.get("/feeds")
	if strings.Contains(list.body, strings.TrimSuffix(address[strings.LastIndex(address, "/")+1:], ".ics")) {
		t.Error("the list shows the feed's secret")
	}
	id := regexp.MustCompile(`action="/feeds/(\d+)/rotate"`).FindStringSubmatch(list.body)
	if id == nil {
		t.Fatal("no rotate button")
	}
	// A rotation asks first, then gives a new address; the old one dies.
	if r := c.post("/feeds/"+id[1]+"/rotate", url.Values{"csrf_token": {c.csrf()}}); r.status != http.StatusOK || !strings.Contains(r.body, `name="confirm" value="yes"`) {
		t.Fatalf("rotate without confirmation: %d", r.status)
	}
	r = c.post("/feeds/"+id[1]+"/rotate", url.Values{"csrf_token": {c.csrf()}, "confirm": {"yes"}})
	m = feedURL.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		t.Fatalf("rotate: %d", r.status)
	}
	if status, _ := fetchFeed(t, address); status != http.StatusNotFound {
		t.Errorf("old address after rotation: %d", status)
	}
	address = html.UnescapeString(m[1])
	if r := c.post("/feeds/"+id[1]+"/revoke", url.Values{"csrf_token": {c.csrf()}, "confirm": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	if status, _ := fetchFeed(t, address); status != http.StatusNotFound {
		t.Errorf("address after revocation: %d", status)
	}
	// Another person cannot touch someone's feed.
	other := s.signedIn(euPlannerEmail)
	if r := other.post("/feeds/"+id[1]+"/revoke", url.Values{"csrf_token": {other.csrf()}, "confirm": {"yes"}}); r.status != http.StatusNotFound {
		t.Errorf("someone else's feed: %d", r.status)
	}
}

func TestFeedFormMarksBadInput(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(euPlannerEmail)
	tests := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"no name", url.Values{"name": {""}}, `id="feed-name"`},
		{"unknown body", url.Values{"name": {"x"}, "bodies": {"NOPE"}}, `id="feed-bodies"`},
		{"unknown person", url.Values{"name": {"x"}, "people": {"nobody@nowhere.example"}}, `id="feed-people"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set("csrf_token", c.csrf())
			r := c.post("/feeds", tt.form)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", r.status)
			}
			i := strings.Index(r.body, tt.field)
			if i < 0 || !strings.Contains(r.body[i:i+300], `aria-invalid="true"`) {
				t.Errorf("%s is not marked invalid", tt.field)
			}
		})
	}
	list := c.get("/feeds")
	if strings.Contains(list.body, "/rotate") {
		t.Error("a refused form created a feed")
	}
	// Without the CSRF token nothing is created.
	if r := c.post("/feeds", url.Values{"name": {"sneaky"}}); r.status != http.StatusForbidden {
		t.Errorf("without CSRF: %d", r.status)
	}
}
