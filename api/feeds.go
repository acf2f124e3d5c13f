package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// feedResponse is a feed as its creator sees it; URL and WebcalURL carry
// the secret and are only present right after creation or rotation.
type feedResponse struct {
	*models.Feed
	URL       string `json:"url,omitempty"`
	WebcalURL string `json:"webcal_url,omitempty"`
}

func (s *Server) feedURLs(f *models.Feed, token string) feedResponse {
	u := s.cfg.PublicURL() + "/feeds/" + token + ".ics"
	webcal := "webcal://" + strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	return feedResponse{Feed: f, URL: u, WebcalURL: webcal}
}

func (s *Server) createFeed(c echo.Context) error {
	var in models.FeedInput
	if err := s.decode(c, &in); err != nil {
		return err
	}
	f, token, err := s.store.CreateFeed(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s.feedURLs(f, token))
}

func (s *Server) listFeeds(c echo.Context) error {
	opts, err := listOptions(c)
	if err != nil {
		return err
	}
	s.fetches.flush(c.Request().Context()) // show current statistics
	page, err := s.store.ListFeeds(c.Request().Context(), actor(c), opts)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) deleteFeed(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.store.RevokeFeed(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	s.feedCache.drop(id)
	s.feedMemo.clear()
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) rotateFeed(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	f, token, err := s.store.RotateFeed(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	s.feedCache.drop(id)
	s.feedMemo.clear()
	return c.JSON(http.StatusOK, s.feedURLs(f, token))
}

// serveFeed answers a calendar client's poll: resolve the secret token,
// fingerprint the content, and answer 304, the cached bytes, or a fresh
// render — in that order of cost.
func (s *Server) serveFeed(c echo.Context) error {
	token := strings.TrimSuffix(c.Param("token"), ".ics")
	ctx := c.Request().Context()
	w, err := s.feedWindow(c)
	if err != nil {
		return err
	}
	f, version, stamp, err := s.feedState(ctx, token, w)
	if err != nil {
		return err // 404 alike for unknown and revoked
	}
	s.fetches.add(f.ID, c.Request().UserAgent(), time.Now().UTC())
	entry, ok := s.feedCache.get(f.ID, version)
	if !ok {
		views, err := s.store.FeedActivities(ctx, f, w)
		if err != nil {
			return err
		}
		events := make([]calendar.Event, len(views))
		for i := range views {
			events[i] = views[i].CalendarEvent(s.cfg.PublicURL(), s.cfg.UIDHost())
		}
		var buf bytes.Buffer
		buf.Grow(len(events) * 1200)
		if err := calendar.Render(&buf, calendar.Calendar{Name: f.Name, RefreshInterval: s.cfg.FeedRefresh, Stamp: stamp}, events); err != nil {
			return err
		}
		entry = &feedEntry{version: version, body: buf.Bytes(), modified: stamp}
		s.feedCache.put(f.ID, entry)
	}
	return s.sendCalendar(c, entry)
}

// feedStateTTL is how long a feed's token resolution and version are
// reused while this process writes nothing: a poll storm then costs memory
// lookups; a change made here is seen at once, one made by another
// instance at most this much later.
const feedStateTTL = time.Second

// feedState resolves a token and fingerprints the feed's content, reusing
// both for feedStateTTL.
func (s *Server) feedState(ctx context.Context, token string, w models.FeedWindow) (*models.Feed, string, time.Time, error) {
	key := models.HashFeedToken(token) + fmt.Sprintf("|%d|%d", w.From.Unix(), w.To.Unix())
	now := time.Now()
	s.feedMemo.mu.Lock()
	m, ok := s.feedMemo.entries[key]
	s.feedMemo.mu.Unlock()
	gen := s.store.Generation()
	if ok && now.Before(m.expires) && m.generation == gen {
		return m.feed, m.version, m.stamp, nil
	}
	f, err := s.store.FeedByToken(ctx, token)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	version, stamp, err := s.store.FeedVersion(ctx, f, w)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	s.feedMemo.mu.Lock()
	defer s.feedMemo.mu.Unlock()
	if len(s.feedMemo.entries) > 4096 {
		clear(s.feedMemo.entries)
	}
	s.feedMemo.entries[key] = memoEntry{feed: f, version: version, stamp: stamp, expires: now.Add(feedStateTTL), generation: gen}
	return f, version, stamp, nil
}

// memoEntry is a resolved feed and its version, briefly reused.
type memoEntry struct {
	feed    *models.Feed
	version string
	stamp   time.Time
	expires time.Time
	// generation is the store's write count when the entry was made.
	generation uint64
}

// feedMemo holds memoEntries by token hash and window; revocation and
// rotation clear it at once on this instance.
type feedMemo struct {
	mu      sync.Mutex
	entries map[string]memoEntry
}

func (m *feedMemo) clear() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.entries)
}

// feedWindow reads ?from=&to=, defaulting to [now-FeedPast, now+horizon].
func (s *Server) feedWindow(c echo.Context) (models.FeedWindow, error) {
	now := time.Now().UTC().Truncate(24 * time.Hour) // a stable window all day long
	w := models.FeedWindow{From: now.Add(-s.cfg.FeedPast), To: now.Add(s.cfg.Horizon), Retention: s.cfg.FeedRetention}
	from, err := timeParam(c, "from")
	if err != nil {
		return w, err
	}
	to, err := timeParam(c, "to")
	if err != nil {
		return w, err
	}
	if !from.IsZero() {
		w.From = from
	}
	if !to.IsZero() {
		w.To = to
	}
	if !w.To.After(w.From) {
		return w, invalid("to", "must be after from")
	}
	return w, nil
}

// sendCalendar writes cached calendar bytes with validators, revalidation,
// HEAD and gzip.
func (s *Server) sendCalendar(c echo.Context, e *feedEntry) error {
	h := c.Response().Header()
	etag := `"` + e.version + `"`
	h.Set("ETag", etag)
	h.Set("Last-Modified", e.modified.Format(http.TimeFormat))
	h.Set("Cache-Control", "private, max-age="+strconv.Itoa(int(s.cfg.FeedRefresh.Seconds())))
	h.Set("Vary", "Accept-Encoding")
	h.Set(echo.HeaderContentType, "text/calendar; charset=utf-8")
	req := c.Request()
	if inm := req.Header.Get("If-None-Match"); inm != "" {
		if etagMatches(inm, etag) {
			return c.NoContent(http.StatusNotModified)
		}
	} else if ims, err := http.ParseTime(req.Header.Get("If-Modified-Since")); err == nil && !e.modified.After(ims) {
		return c.NoContent(http.StatusNotModified)
	}
	body := e.body
	if acceptsGzip(req.Header.Get("Accept-Encoding")) {
		body = e.gzipped()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if req.Method == http.MethodHead {
		return c.NoContent(http.StatusOK)
	}
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", body)
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || t == etag || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

func acceptsGzip(h string) bool {
	for _, part := range strings.Split(h, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// activityICS serves one activity as a calendar file (bearer token).
func (s *Server) activityICS(c echo.Context, id int64) error {
	v, err := s.store.GetActivity(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	ev := v.CalendarEvent(s.cfg.PublicURL(), s.cfg.UIDHost())
	if err := calendar.Render(&buf, calendar.Calendar{Name: v.Title, RefreshInterval: s.cfg.FeedRefresh, Stamp: v.UpdatedAt}, []calendar.Event{ev}); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="activity-`+itoa(id)+`.ics"`)
	return s.sendCalendar(c, &feedEntry{version: "a" + itoa(id) + "-" + strconv.Itoa(v.Version), body: buf.Bytes(), modified: v.UpdatedAt.Truncate(time.Second)})
}

// feedEntry is one rendered feed version.
type feedEntry struct {
	version  string
	body     []byte
	modified time.Time
	gzOnce   sync.Once
	gz       []byte
}

// gzipped compresses the body once, on the first client that asks.
func (e *feedEntry) gzipped() []byte {
	e.gzOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
		_, _ = zw.Write(e.body)
		_ = zw.Close()
		e.gz = b.Bytes()
	})
	return e.gz
}

// feedCache keeps the latest rendered version of each feed. A new version
// replaces the old one; the number of feeds kept is bounded.
type feedCache struct {
	mu      sync.Mutex
	entries map[int64]*feedEntry
	max     int
}

func newFeedCache(max int) *feedCache {
	return &feedCache{entries: map[int64]*feedEntry{}, max: max}
}

func (fc *feedCache) get(id int64, version string) (*feedEntry, bool) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	e, ok := fc.entries[id]
	if !ok || e.version != version {
		return nil, false
	}
	return e, true
}

func (fc *feedCache) put(id int64, e *feedEntry) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if _, ok := fc.entries[id]; !ok && len(fc.entries) >= fc.max {
		for k := range fc.entries { // evict an arbitrary entry
			delete(fc.entries, k)
			break
		}
	}
	fc.entries[id] = e
}

func (fc *feedCache) drop(id int64) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	delete(fc.entries, id)
}
