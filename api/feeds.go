package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
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
	f, token, err := s.store.CreateFeed(c.Request().Context(), actor(c), in, s.cfg.MaxFeedsPerOwner)
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
	// Show current statistics; a client leaving must not cut the write.
	s.fetches.flush(context.WithoutCancel(c.Request().Context()))
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
	s.feedMemo.clear()
	return c.JSON(http.StatusOK, s.feedURLs(f, token))
}

// serveFeed answers a calendar client's poll: resolve the secret token,
// list and fingerprint what the feed shows, and answer 304, a feed
// assembled from cached events, or one whose missing events are read and
// rendered first — in that order of cost. Only the events that are not
// cached at their current version are read from the database.
func (s *Server) serveFeed(c echo.Context) error {
	token := strings.TrimSuffix(c.Param("token"), ".ics")
	ctx := c.Request().Context()
	w, err := s.feedWindow(c)
	if err != nil {
		return err
	}
	f, contents, err := s.feedState(ctx, token, w)
	if err != nil {
		return err // 404 alike for unknown and revoked
	}
	s.fetches.add(f.ID, c.Request().UserAgent(), time.Now().UTC())
	etag := `"` + contents.Version + `"`
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && etagMatches(inm, etag) {
		// The version alone decides; nothing needs assembling.
		s.calendarHeaders(c, calendarMeta{etag: etag})
		return c.NoContent(http.StatusNotModified)
	}
	// The default window's head is kept in the database, so that a cold
	// process can stream that feed (feed_stream.go).
	st := s.newFeedStream(c, contents.Version)
	// Whatever happens, a panic included, the stream's writer is done
	// before the handler returns (a no-op once finish has ended it).
	defer st.end(false)
	layout, stamp, err := s.feedLayout(ctx, f, contents, s.isDefaultWindow(w), st)
	if st != nil && st.started {
		return st.finish(layout, stamp, err)
	}
	if errors.Is(err, errRenderBusy) {
		return feedRetryLater(c, "feed-busy", feedBusyDetail)
	}
	if errors.Is(err, storage.ErrFeedChanged) {
		// The retry lists the feed afresh.
		return feedRetryLater(c, "feed-changed", "the feed changed while it was being assembled; retry after the number of seconds in Retry-After")
	}
	if err != nil {
		return err
	}
	meta := calendarMeta{etag: etag, modified: stamp}
	if s.notModified(c, meta) {
		return nil
	}
	return s.sendCalendar(c, meta, layout, feedGzipKey(contents.Version))
}

// feedRetryLater is the answer when every render slot stayed taken, or when
// the feed changed while it was assembled; it drops the calendar's
// validators and caching headers if they were already set, since the
// answer is not the calendar.
func feedRetryLater(c echo.Context, kind, detail string) error {
	h := c.Response().Header()
	for _, name := range []string{"ETag", "Last-Modified", "Cache-Control", "Vary"} {
		h.Del(name)
	}
	h.Set("Retry-After", strconv.Itoa(int(feedRetryAfter.Seconds())))
	return problem(http.StatusServiceUnavailable, kind, detail)
}

const feedBusyDetail = "too many feeds are being rendered at once; retry after the number of seconds in Retry-After"

// feedQueueWait is how long a cold feed request waits for a render slot
// before it is answered 503; feedRetryAfter is what that answer suggests.
const (
	feedQueueWait  = 2 * time.Second
	feedRetryAfter = 5 * time.Second
)

// feedLayout returns the feed's calendar ready to write and its
// Last-Modified: from the cache when this version was laid out
// before, otherwise from cached event blocks, reading and rendering (inside
// the render gate) only those that are missing. keepHead says the window
// is the feed's default one, whose head is stored for the next cold
// process; st, when not nil, is the answer to stream while laying out if
// that head is stored, whether this request or another (the warm-up's
// included) makes the layout (it is left alone when the layout is
// cached).
func (s *Server) feedLayout(ctx context.Context, f *models.Feed, contents storage.FeedContents, keepHead bool, st *feedStream) (*calendar.Assembly, time.Time, error) {
	layoutKey := cacheKey{kind: cachedLayout, tag: contents.Version}
	if v, ok := s.feedCache.get(layoutKey); ok {
		return v.layout, v.stamp, nil
	}
	// Requests for the same version while it is being laid out (a poll
	// storm after a restart, a request during the warm-up) share that
	// one computation instead of reading and rendering the same events
	// again, and stream from it (streamFanout). It goes on if the first
	// requester leaves: its result is cached for the others.
	fo := s.fanoutFor(contents.Version)
	defer s.releaseFanout(contents.Version, fo)
	fo.join(s, st)
	v, err, _ := s.layouts.Do(contents.Version, func() (any, error) {
		// A call that ended just before this one began has cached it.
		if v, ok := s.feedCache.get(layoutKey); ok {
			return laidOut{v.layout, v.stamp}, nil
		}
		layout, stamp, err := s.layOut(context.WithoutCancel(ctx), f, contents, layoutKey, keepHead, fo)
		return laidOut{layout, stamp}, err
	})
	fo.leave(st)
	if err != nil {
		return nil, time.Time{}, err
	}
	l := v.(laidOut)
	return l.layout, l.stamp, nil
}

// laidOut is a feed layout and its stamp, as layOut returns them.
type laidOut struct {
	layout *calendar.Assembly
	stamp  time.Time
}

// feedChunkSize is how many of a feed's events are laid out at a time: the
// views read and the events rendered for one chunk are dropped before the
// next, so that a cold feed of any size holds at most this many at once.
const feedChunkSize = 1000

// feedFirstChunkShare makes the first chunk of a streamed feed this many
// times shorter than the others (100 events).
const feedFirstChunkShare = 10

// feedHoldShare is the share of the cache budget a feed layout may hold as
// plain blocks; the blocks after that are kept compressed in the layout, a
// tenth of their size, so that a feed larger than the cache is laid out in
// bounded memory and can itself be cached. A feed within the share (10,000
// events with the default budget) is laid out without compressing, which
// keeps the re-layout after one change cheap.
const feedHoldShare = 4

// layOut is feedLayout's computation: the feed's events in UID order, a
// chunk at a time, from cached blocks or read and rendered, assembled and
// cached under layoutKey. With keepHead, a head stored for this version
// starts the streams joined to fo once a chunk is ready, each chunk is
// handed to them, and the head is stored when the one kept differs.
func (s *Server) layOut(ctx context.Context, f *models.Feed, contents storage.FeedContents, layoutKey cacheKey, keepHead bool, fo *streamFanout) (*calendar.Assembly, time.Time, error) {
	r := &feedRenderer{s: s, ctx: ctx, feed: f, refs: contents.Refs, storedTag: contents.Refs + "." + s.renderTag(), codec: calendar.NewBlockCodec()}
	defer r.close()
	defer fo.close()
	var head storage.FeedHead
	var headFound bool
	if keepHead {
		head, headFound = s.storedHead(r, contents.Version)
	}
	ab := calendar.NewAssemblyBuilder(s.cfg.FeedCacheBytes / feedHoldShare)
	// Each event's DTSTAMP is when its published form last changed: its
	// own LAST-MODIFIED, or the latest change to the names events show,
	// whichever is later (EventStamps). An event that did not change
	// keeps its bytes from one version to the next, so that a feed
	// served gzip-compressed is compressed again only where it changed.
	cal := s.feedCalendar(f, contents)
	if headFound {
		fo.setHead(head, cal)
	}
	// The feed changes when anything it shows changes, and only then: its
	// Last-Modified is the latest of those stamps (never earlier than a
	// DTSTAMP it holds).
	stamp := cal.Stamp
	items := s.inUIDOrder(contents.Items)
	for first := true; len(items) > 0; first = false {
		n := min(s.feedChunk, len(items))
		if first && fo.wantsStart() {
			// The answers start once a chunk is ready: a short first one
			// brings the first byte sooner.
			n = min(max(s.feedChunk/feedFirstChunkShare, 1), len(items))
		}
		blocks, err := r.blocks(items[:n])
		if err != nil {
			return nil, time.Time{}, err
		}
		if fo.wantsStart() {
			// With the render slot held (taken here if the chunks so far
			// were all in memory), the only failures left once the
			// answers have started are the feed changing and a render
			// error.
			if err := r.enter(); err != nil {
				return nil, time.Time{}, err
			}
			fo.start(s)
		}
		fo.add(blocks)
		if s.chunkLaidOut != nil {
			s.chunkLaidOut()
		}
		for _, b := range blocks {
			if m := b.LastModified(); m.After(stamp) {
				stamp = m
			}
		}
		if err := ab.Add(blocks...); err != nil {
			return nil, time.Time{}, fmt.Errorf("feed %d: %w", f.ID, err)
		}
		items = items[n:]
	}
	stamp = stamp.UTC().Truncate(time.Second)
	layout, err := ab.Assemble(cal)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("feed %d: assemble %d events: %w", f.ID, len(contents.Items), err)
	}
	s.feedCache.put(layoutKey, cacheValue{layout: layout, stamp: stamp}, layout.Footprint())
	if keepHead {
		s.keepHead(r, contents.Version, head, headFound, layout, stamp)
	}
	return layout, stamp, nil
}

// feedCalendar is the calendar a feed's events are assembled in, with
// each event stamped with its own last change (see layOut). The stamp
// beneath those is the latest change to reference data, or when there
// was none the feed's creation: both are functions of what the feed
// shows and of nothing else.
func (s *Server) feedCalendar(f *models.Feed, contents storage.FeedContents) calendar.Calendar {
	base := contents.RefStamp
	if base.IsZero() {
		base = f.CreatedAt
	}
	if base.IsZero() { // a feed not read from the database
		base = time.Unix(0, 0)
	}
	return calendar.Calendar{Name: f.Name, RefreshInterval: s.cfg.FeedRefresh, Stamp: base.UTC().Truncate(time.Second), EventStamps: true}
}

// inUIDOrder returns a copy of items sorted by their events' UIDs, the
// order a calendar lists them in. A UID is the activity id in decimal,
// "@" and the host (models.ActivityUID), so the order is that of the ids'
// digits with "@", which sorts after every digit, ending each: it is
// worked out from the ids (uidOrderKey) instead of building and comparing
// 10,000 strings on a cold feed's first request.
func (s *Server) inUIDOrder(items []models.FeedItem) []models.FeedItem {
	type keyed struct {
		key  [uidKeyLen]byte
		item models.FeedItem
	}
	ks := make([]keyed, len(items))
	for i, it := range items {
		ks[i] = keyed{uidOrderKey(it.ID), it}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return bytes.Compare(a.key[:], b.key[:]) })
	out := make([]models.FeedItem, len(ks))
	for i := range ks {
		out[i] = ks[i].item
	}
	return out
}

// uidKeyLen holds the decimal digits of any int64 and the "@" after them.
const uidKeyLen = 21

// uidOrderKey is a key that sorts as the UID of activity id: its decimal
// digits, then "@" and padding, both after every digit (ids are positive;
// two UIDs that agree up to the "@" of one are of the same id).
func uidOrderKey(id int64) [uidKeyLen]byte {
	var k [uidKeyLen]byte
	digits := strconv.AppendUint(k[:0], uint64(id), 10)
	for i := len(digits); i < uidKeyLen; i++ {
		k[i] = '@'
	}
	return k
}

// feedRenderer gives a layout its blocks a chunk at a time. It enters the
// render gate at the first block not in memory (read from the table or
// rendered) and leaves it at close.
type feedRenderer struct {
	s     *Server
	ctx   context.Context
	feed  *models.Feed
	refs  string // reference-data fingerprint the blocks are cached under
	views *storage.FeedViewReader
	gated bool
	// storedTag is what blocks are stored under in the database: refs and
	// the server's renderTag; codec decodes them.
	storedTag string
	codec     *calendar.BlockCodec
}

// blocks returns the blocks of items in their order: cached ones as they
// are, then those stored in the database at the listed version, and the
// others read and rendered (and offered to the database). Every block
// found is cached.
func (r *feedRenderer) blocks(items []models.FeedItem) ([]*calendar.EventBlock, error) {
	blocks := make([]*calendar.EventBlock, len(items))
	var missing []models.FeedItem
	for i, it := range items {
		if v, ok := r.s.feedCache.get(r.key(it)); ok {
			blocks[i] = v.block
		} else {
			missing = append(missing, it)
		}
	}
	if len(missing) == 0 {
		return blocks, nil
	}
	// Blocks read from the table cost memory and decoding as rendered
	// ones do, so they take a render slot too: a burst of distinct cold
	// feeds after a restart stays bounded by JOINTCAL_FEED_RENDERS.
	if err := r.enter(); err != nil {
		return nil, err
	}
	found := r.s.loadStored(r.ctx, r.codec, r.storedTag, missing)
	unstored := slices.DeleteFunc(slices.Clone(missing), func(it models.FeedItem) bool { return found[it.ID] != nil })
	if len(unstored) > 0 {
		if r.views == nil {
			r.views = r.s.store.FeedViewReader(r.ctx)
		}
		rendered, err := r.render(unstored)
		if err != nil {
			return nil, err
		}
		kept := make([]keptBlock, 0, len(unstored))
		for _, it := range unstored {
			if b, ok := rendered[it.ID]; ok {
				found[it.ID] = b
				kept = append(kept, keptBlock{id: it.ID, version: it.Version, tag: r.storedTag, block: b})
			}
		}
		r.s.blocks.add(kept)
	}
	for i, it := range items {
		if blocks[i] != nil {
			continue
		}
		b, ok := found[it.ID]
		if !ok {
			return nil, fmt.Errorf("feed %d: activity %d vanished while rendering", r.feed.ID, it.ID)
		}
		blocks[i] = b
		r.s.feedCache.put(r.key(it), cacheValue{block: b}, int64(b.Size()))
	}
	return blocks, nil
}

// enter takes a render slot unless the renderer holds one already.
func (r *feedRenderer) enter() error {
	if !r.gated {
		if !r.s.feedGate.Enter(r.ctx) {
			return errRenderBusy
		}
		r.gated = true
	}
	return nil
}

// key is the cache key of an item's block.
func (r *feedRenderer) key(it models.FeedItem) cacheKey {
	return cacheKey{kind: cachedBlock, id: it.ID, version: it.Version, tag: r.refs}
}

// render reads the given activities, at the versions listed, and renders
// each as a block.
func (r *feedRenderer) render(items []models.FeedItem) (map[int64]*calendar.EventBlock, error) {
	views, err := r.views.Read(items)
	if err != nil {
		return nil, fmt.Errorf("feed %d: %w", r.feed.ID, err)
	}
	cfg := r.s.cfg
	events := make([]calendar.Event, len(views))
	for i := range views {
		events[i] = views[i].CalendarEvent(cfg.PublicURL(), cfg.UIDHost())
	}
	blocks, err := calendar.RenderEvents(events)
	if err != nil {
		return nil, fmt.Errorf("feed %d: %w", r.feed.ID, err)
	}
	r.s.feedCache.rendered.Add(int64(len(blocks)))
	out := make(map[int64]*calendar.EventBlock, len(views))
	for i := range views {
		out[views[i].ID] = blocks[i]
	}
	return out, nil
}

// close leaves the render gate if the renderer entered it.
func (r *feedRenderer) close() {
	if r.gated {
		r.s.feedGate.Leave()
	}
}

// feedStateTTL is how long a feed's token resolution and version are
// reused while this process writes nothing: a poll storm then costs memory
// lookups; a change made here is seen at once, one made by another
// instance at most this much later.
const feedStateTTL = time.Second

// feedState resolves a token and lists and fingerprints the feed's
// contents, reusing both for feedStateTTL while this process writes
// nothing. Concurrent requests for the same feed and window share one
// computation, so a poll storm on a large feed costs one listing per TTL
// rather than one per request; after the TTL the previous listing is
// brought up to date rather than listed again.
func (s *Server) feedState(ctx context.Context, token string, w models.FeedWindow) (*models.Feed, storage.FeedContents, error) {
	key := memoKey(models.HashFeedToken(token), w)
	for {
		gen := s.store.Generation()
		s.feedMemo.mu.Lock()
		m, ok := s.feedMemo.entries[key]
		if ok && m.done == nil && time.Now().Before(m.expires) && m.generation == gen {
			s.feedMemo.mu.Unlock()
			return m.feed, m.contents, nil
		}
		if ok && m.done != nil { // another request is computing it
			done := m.done
			s.feedMemo.mu.Unlock()
			select {
			case <-done:
				continue
			case <-ctx.Done():
				return nil, storage.FeedContents{}, ctx.Err()
			}
		}
		var prev *storage.FeedContents
		if ok {
			prev = &m.contents
		}
		done := make(chan struct{})
		s.feedMemo.set(key, memoEntry{done: done, contents: m.contents})
		s.feedMemo.mu.Unlock()

		f, contents, err := s.loadFeedState(ctx, token, w, prev)
		s.feedMemo.mu.Lock()
		if err != nil {
			s.feedMemo.set(key, memoEntry{})
		} else {
			s.feedMemo.set(key, memoEntry{feed: f, contents: contents, expires: time.Now().Add(feedStateTTL), generation: gen})
		}
		s.feedMemo.mu.Unlock()
		close(done)
		return f, contents, err
	}
}

// memoKey names a feed's listing for a window in the memo.
func memoKey(tokenHash string, w models.FeedWindow) string {
	return tokenHash + fmt.Sprintf("|%d|%d", w.From.Unix(), w.To.Unix())
}

// loadFeedState is feedState's computation.
func (s *Server) loadFeedState(ctx context.Context, token string, w models.FeedWindow, prev *storage.FeedContents) (*models.Feed, storage.FeedContents, error) {
	f, err := s.store.FeedByToken(ctx, token)
	if err != nil {
		return nil, storage.FeedContents{}, err
	}
	contents, err := s.store.FeedContents(ctx, f, w, prev)
	if err != nil {
		return nil, storage.FeedContents{}, err
	}
	return f, contents, nil
}

// memoEntry is a resolved feed and its contents, briefly reused, or (done
// set) a computation in progress that other requests wait for.
type memoEntry struct {
	feed     *models.Feed
	contents storage.FeedContents
	expires  time.Time
	// generation is the store's write count when the computation started.
	generation uint64
	done       chan struct{}
}

// maxMemoItems bounds the listings the memo keeps (16 bytes an item):
// windows are many, so without it one feed token could fill memory with
// listings of distinct windows.
const maxMemoItems = 1 << 20

// feedMemo holds memoEntries by token hash and window; revocation and
// rotation clear it at once on this instance.
type feedMemo struct {
	mu      sync.Mutex
	entries map[string]memoEntry
	items   int // listed items held by entries
}

// set stores (or, for the zero entry, removes) an entry; the caller holds
// mu. When the listings held would exceed maxMemoItems, the finished
// entries are dropped first.
func (m *feedMemo) set(key string, e memoEntry) {
	if old, ok := m.entries[key]; ok {
		m.items -= len(old.contents.Items)
		delete(m.entries, key)
	}
	if e.done == nil && e.feed == nil {
		return
	}
	if m.items+len(e.contents.Items) > maxMemoItems {
		m.dropFinished()
	}
	m.entries[key] = e
	m.items += len(e.contents.Items)
}

// dropFinished forgets every entry not being computed; the caller holds mu.
func (m *feedMemo) dropFinished() {
	for k, e := range m.entries {
		if e.done == nil {
			m.items -= len(e.contents.Items)
			delete(m.entries, k)
		}
	}
}

// clear forgets every finished entry. A computation in progress is left to
// finish; it records the store generation it started at, so the request
// after a revocation or rotation (both writes) computes afresh.
func (m *feedMemo) clear() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dropFinished()
}

// feedDay is the grid feed windows are aligned to: a window is widened to
// whole UTC days, so that the windows of one day's polls are the same few
// and their listings are reused.
const feedDay = 24 * time.Hour

// maxFeedWindow is the longest window a feed request may ask for: the
// default window (FeedPast back, the horizon ahead) plus the days the
// alignment may add. Occurrences exist only inside the horizon, so a
// longer window would show nothing more and only cost more to list.
func (s *Server) maxFeedWindow() time.Duration {
	return s.cfg.FeedPast + s.cfg.Horizon + 2*feedDay
}

// feedWindow reads ?from=&to=, defaulting to [now-FeedPast, now+horizon],
// widens them to whole UTC days and refuses a window longer than
// maxFeedWindow.
func (s *Server) feedWindow(c echo.Context) (models.FeedWindow, error) {
	w := s.defaultFeedWindow()
	from, err := timeParam(c, "from")
	if err != nil {
		return w, err
	}
	to, err := timeParam(c, "to")
	if err != nil {
		return w, err
	}
	if !from.IsZero() {
		w.From = from.UTC().Truncate(feedDay)
	}
	if !to.IsZero() {
		w.To = to.UTC()
		if day := w.To.Truncate(feedDay); !day.Equal(w.To) {
			w.To = day.Add(feedDay)
		}
	}
	if !w.To.After(w.From) {
		return w, invalid("to", "must be after from")
	}
	if limit := s.maxFeedWindow(); w.To.Sub(w.From) > limit {
		return w, invalid("to", fmt.Sprintf("the window may span at most %d days (JOINTCAL_FEED_PAST plus JOINTCAL_HORIZON)", int(limit/feedDay)))
	}
	return w, nil
}

// defaultFeedWindow is the window of a feed URL without from and to:
// JOINTCAL_FEED_PAST back and JOINTCAL_HORIZON ahead of today, stable all
// day long.
func (s *Server) defaultFeedWindow() models.FeedWindow {
	now := time.Now().UTC().Truncate(feedDay)
	return models.FeedWindow{From: now.Add(-s.cfg.FeedPast), To: now.Add(s.cfg.Horizon), Retention: s.cfg.FeedRetention}
}

// isDefaultWindow reports whether w is today's default window.
func (s *Server) isDefaultWindow(w models.FeedWindow) bool {
	d := s.defaultFeedWindow()
	return w.From.Equal(d.From) && w.To.Equal(d.To) && w.Retention == d.Retention
}

// calendarMeta is a calendar answer's validators.
type calendarMeta struct {
	etag     string
	modified time.Time
	// dated says the date decides, so that If-Modified-Since alone may
	// answer 304: true for one activity's calendar, whose Last-Modified
	// moves with every change. A feed's does not move when an event
	// leaves it (restricted, filtered out, moved out of the window, its
	// retention over), so only its ETag decides; an If-Modified-Since
	// alone gets the feed.
	dated bool
}

// notModified writes the validators and caching headers and, when the
// client's copy is current, the 304; it reports whether it answered.
func (s *Server) notModified(c echo.Context, m calendarMeta) bool {
	s.calendarHeaders(c, m)
	req := c.Request()
	if inm := req.Header.Get("If-None-Match"); inm != "" {
		if etagMatches(inm, m.etag) {
			_ = c.NoContent(http.StatusNotModified)
			return true
		}
	} else if ims, err := http.ParseTime(req.Header.Get("If-Modified-Since")); err == nil && m.dated && !m.modified.After(ims) {
		_ = c.NoContent(http.StatusNotModified)
		return true
	}
	return false
}

// calendarHeaders sets the validators (Last-Modified when known) and the
// caching headers of a calendar answer.
func (s *Server) calendarHeaders(c echo.Context, m calendarMeta) {
	h := c.Response().Header()
	h.Set("ETag", encodedETag(c, m.etag))
	if !m.modified.IsZero() {
		h.Set("Last-Modified", m.modified.Format(http.TimeFormat))
	}
	h.Set("Cache-Control", "private, max-age="+strconv.Itoa(int(s.cfg.FeedRefresh.Seconds())))
	h.Set("Vary", "Accept-Encoding")
	h.Set(echo.HeaderContentType, "text/calendar; charset=utf-8")
}

// calendarBody is a calendar of known size that can write itself.
type calendarBody interface {
	Size() int64
	WriteTo(io.Writer) (int64, error)
}

// sendCalendar writes a calendar body (after notModified said no) with
// HEAD and gzip: the plain body is streamed from its parts; the gzip form
// is made inside the render gate, a feed's from its compressed parts
// (gzipLayout), any other body's compressed once per gzKey and cached.
func (s *Server) sendCalendar(c echo.Context, m calendarMeta, body calendarBody, gzKey cacheKey) error {
	h := c.Response().Header()
	req := c.Request()
	if acceptsGzip(req.Header.Get("Accept-Encoding")) {
		gz, err := s.gzipped(c, body, gzKey)
		if err != nil {
			return err
		}
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(gz)))
		if req.Method == http.MethodHead {
			return c.NoContent(http.StatusOK)
		}
		return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", gz)
	}
	h.Set("Content-Length", strconv.FormatInt(body.Size(), 10))
	if req.Method == http.MethodHead {
		return c.NoContent(http.StatusOK)
	}
	c.Response().WriteHeader(http.StatusOK)
	if _, err := body.WriteTo(c.Response()); err != nil {
		logger(c).Warn("feed write stopped", "error", err)
	}
	return nil
}

// gzipped is body gzip-compressed, once per key (cachedGzipBody); a
// request that finds every render slot taken is answered 503.
func (s *Server) gzipped(c echo.Context, body calendarBody, key cacheKey) ([]byte, error) {
	gz, err := s.cachedGzipBody(c.Request().Context(), body, key)
	if errors.Is(err, errRenderBusy) {
		return nil, feedRetryLater(c, "feed-busy", feedBusyDetail)
	}
	return gz, err
}

// cachedGzipBody compresses body once per key, inside the render gate
// (errRenderBusy when no slot frees in time), and caches the result; a
// feed's layout is made of its compressed parts (gzipLayout). The
// start-up warm-up calls it too, so that the first poll finds it.
func (s *Server) cachedGzipBody(ctx context.Context, body calendarBody, key cacheKey) ([]byte, error) {
	if v, ok := s.feedCache.get(key); ok {
		return v.gz, nil
	}
	if !s.feedGate.Enter(ctx) {
		return nil, errRenderBusy
	}
	defer s.feedGate.Leave()
	// Another request may have compressed it while this one waited.
	if v, ok := s.feedCache.get(key); ok {
		return v.gz, nil
	}
	var gz []byte
	var err error
	if layout, ok := body.(*calendar.Assembly); ok {
		gz, err = s.gzipLayout(layout)
	} else {
		gz, err = compressed(body)
	}
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	s.feedCache.put(key, cacheValue{gz: gz}, int64(len(gz)))
	return gz, nil
}

// compressed is what src writes, gzip-compressed once for every answer
// that serves it (a feed version, an agenda), at the fastest level: the
// cost is paid in the request that first asks.
func compressed(src io.WriterTo) ([]byte, error) {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("gzip writer: %w", err)
	}
	if _, err := src.WriteTo(zw); err != nil {
		return nil, fmt.Errorf("compress: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress: %w", err)
	}
	return b.Bytes(), nil
}

// encodedETag is the ETag of the answer a request gets: etag, or its weak
// form when the answer is gzip-compressed. A strong validator names one
// sequence of bytes (RFC 9110 §8.8.1), and the compressed bytes differ
// from the plain ones (and, for a feed, may differ between a streamed and
// a joined answer). Both forms name the same content, so either answers
// 304 to a client holding the other (If-None-Match compares weakly).
func encodedETag(c echo.Context, etag string) string {
	if acceptsGzip(c.Request().Header.Get("Accept-Encoding")) {
		return "W/" + etag
	}
	return etag
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

// acceptsGzip reports whether an Accept-Encoding header accepts gzip: it
// names it with a weight above zero (RFC 9110 §12.5.3: "q=0", "q=0.0",
// "Q=0.000" all refuse it).
func acceptsGzip(h string) bool {
	for _, part := range strings.Split(h, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		refused := false
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				w, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				refused = err != nil || w <= 0
			}
		}
		if !refused {
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
	// The activity's version does not move when a name it shows changes:
	// the names' fingerprint is part of the ETag and of the gzip key.
	refs, err := s.store.ShownReferences(c.Request().Context())
	if err != nil {
		return err
	}
	version := "a" + itoa(id) + "-" + strconv.Itoa(v.Version) + "-" + refs
	meta := calendarMeta{etag: `"` + version + `"`, modified: v.UpdatedAt.Truncate(time.Second), dated: true}
	if s.notModified(c, meta) {
		return nil
	}
	return s.sendCalendar(c, meta, bytesBody(buf.Bytes()), cacheKey{kind: cachedGzip, tag: version + "|" + itoa(int64(buf.Len()))})
}

// feedGzipKey is where a feed version's gzip answer is cached.
func feedGzipKey(version string) cacheKey { return cacheKey{kind: cachedGzip, tag: version} }

// bytesBody is a calendar already rendered whole.
type bytesBody []byte

func (b bytesBody) Size() int64 { return int64(len(b)) }

func (b bytesBody) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(b)
	return int64(n), err
}
