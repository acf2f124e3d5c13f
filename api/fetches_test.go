package api

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestFetchesKeptWhenTheWriteFails: feed polls whose write fails (here
// its context ended, as when a client leaves mid-request) are kept and
// merged with the polls counted since, not dropped.
func TestFetchesKeptWhenTheWriteFails(t *testing.T) {
	t.Parallel()
	r := newFetchRecorder(storagetest.Open(t), slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour)
	t.Cleanup(r.close)
	first := time.Date(2031, 1, 6, 9, 0, 0, 0, time.UTC)
	r.add(7, "Microsoft Outlook", first)
	r.add(7, "Microsoft Outlook", first.Add(time.Minute))
	r.add(8, "Google-Calendar-Importer", first)
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	r.flush(ended)
	r.add(7, "iOS/18.0 dataaccessd", first.Add(2*time.Minute))
	r.mu.Lock()
	defer r.mu.Unlock()
	if f := r.pending[7]; f == nil || f.Count != 3 || f.UserAgent != "iOS/18.0 dataaccessd" || !f.At.Equal(first.Add(2*time.Minute)) {
		t.Fatalf("feed 7 after a failed flush and one more poll: %+v, want 3 polls, the last one's agent and time", f)
	}
	if f := r.pending[8]; f == nil || f.Count != 1 {
		t.Fatalf("feed 8 after a failed flush: %+v, want its 1 poll kept", f)
	}
}
