package storage

import (
	"context"
	"testing"
)

// BenchmarkStoredFeedBlocks reads a feed's stored blocks as a cold layout
// does (JOINTCAL_BENCH_DB: a copy of a database whose EU feed was fetched
// once, so that feed_blocks holds its blocks).
func BenchmarkStoredFeedBlocks(b *testing.B) {
	s, f, w := benchFeedStore(b)
	ctx := context.Background()
	c, err := s.FeedContents(ctx, f, w, nil)
	if err != nil {
		b.Fatal(err)
	}
	var tag string
	if err := s.db.Raw("SELECT tag FROM feed_blocks LIMIT 1").Scan(&tag).Error; err != nil || tag == "" {
		b.Skipf("no stored blocks: %v", err)
	}
	for b.Loop() {
		n := 0
		for i := 0; i < len(c.Items); i += 1000 {
			got, err := s.StoredFeedBlocks(ctx, tag, c.Items[i:min(i+1000, len(c.Items))])
			if err != nil {
				b.Fatal(err)
			}
			n += len(got)
		}
		b.ReportMetric(float64(n), "blocks")
	}
}
