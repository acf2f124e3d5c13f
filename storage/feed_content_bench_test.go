package storage

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
)

// benchFeedStore opens the database named by JOINTCAL_BENCH_DB (a copy of
// one filled by `jointcal demo --scale N`) and an EU feed over it.
func benchFeedStore(b *testing.B) (*Store, *models.Feed, models.FeedWindow) {
	dsn := os.Getenv("JOINTCAL_BENCH_DB")
	if dsn == "" {
		b.Skip("set JOINTCAL_BENCH_DB to a database made by jointcal demo --scale")
	}
	s, err := Open(dsn, models.DefaultSettings())
	if err != nil {
		b.Fatal(err)
	}
	var org models.Organization
	if err := s.db.Where("code = ?", "EU").First(&org).Error; err != nil {
		b.Fatal(err)
	}
	f := &models.Feed{ID: 1, Name: "bench", OwnerType: "organization", OwnerID: org.ID}
	now := time.Now().UTC().Truncate(24 * time.Hour)
	return s, f, models.FeedWindow{From: now.Add(-2160 * time.Hour), To: now.Add(26280 * time.Hour), Retention: 2160 * time.Hour}
}

// BenchmarkFeedContents is the listing every feed request that is not
// memoised pays: ids, versions and times of the feed's activities.
func BenchmarkFeedContents(b *testing.B) {
	s, f, w := benchFeedStore(b)
	ctx := context.Background()
	for b.Loop() {
		c, err := s.FeedContents(ctx, f, w, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(c.Items)), "items")
	}
}

// BenchmarkFeedViews is reading every activity of the feed for rendering,
// what a process with an empty cache does on its first request.
func BenchmarkFeedViews(b *testing.B) {
	s, f, w := benchFeedStore(b)
	ctx := context.Background()
	c, err := s.FeedContents(ctx, f, w, nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.FeedViewReader(ctx).Read(c.Items); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFeedContentsMonth lists a one-month window.
func BenchmarkFeedContentsMonth(b *testing.B) {
	s, f, w := benchFeedStore(b)
	w.From = time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 1, 0)
	w.To = w.From.AddDate(0, 1, 0)
	ctx := context.Background()
	for b.Loop() {
		c, err := s.FeedContents(ctx, f, w, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(c.Items)), "items")
	}
}
