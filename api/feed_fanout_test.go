package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/storage"
)

// TestFanoutLeave: a stream taken out of a fanout (its request has its
// layout) is never begun nor handed chunks by a layout that starts
// later, so that nothing writes to a response whose handler returned;
// a stream still joined is begun with the chunks kept so far.
func TestFanoutLeave(t *testing.T) {
	t.Parallel()
	s, _ := feedFixture(t, 1, nil)
	stream := func() (*feedStream, *httptest.ResponseRecorder) {
		rec := httptest.NewRecorder()
		c := s.echo.NewContext(httptest.NewRequest(http.MethodGet, "/feeds/x.ics", nil), rec)
		return s.newFeedStream(c, "v"), rec
	}
	left, leftRec := stream()
	stayed, _ := stream()
	fo := s.fanoutFor("v")
	defer s.releaseFanout("v", fo)
	fo.join(s, left)
	fo.join(s, stayed)
	fo.leave(left)
	start := time.Date(2031, 1, 6, 9, 0, 0, 0, time.UTC)
	block, err := calendar.RenderEvent(calendar.Event{UID: "1@x", Title: "Talks", Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	fo.setHead(storage.FeedHead{Head: []byte("BEGIN:VCALENDAR\r\n"), Size: 100}, calendar.Calendar{Stamp: start})
	fo.add([]*calendar.EventBlock{block})
	fo.start(s)
	stayed.end(true)
	if left.started || leftRec.Body.Len() != 0 || len(leftRec.Header()) != 0 {
		t.Fatalf("a stream that left was begun: started %v, %q %v", left.started, leftRec.Body, leftRec.Header())
	}
	if !stayed.started || s.feedCache.streamed.Load() != 1 || stayed.sent <= int64(len("BEGIN:VCALENDAR\r\n")) {
		t.Fatalf("the stream still joined: started %v, %d streamed, %d bytes sent; want it begun with the chunk kept", stayed.started, s.feedCache.streamed.Load(), stayed.sent)
	}
}
