package storage

import (
	"context"
	"fmt"
	"testing"

	"github.com/jointcal/jointcal/models"
)

// TestDeferIndexesComeBack: the indexes a bulk write defers are dropped,
// built again identical by restore, and built again by the next Migrate
// when the process stopped before restore (a generation killed half-way).
func TestDeferIndexesComeBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(t.TempDir()+"/d.db", models.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	indexes := func() string {
		t.Helper()
		var idx []deferredIndex
		if err := s.db.Raw(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ? ORDER BY name`, deferredTables).Scan(&idx).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(idx)
	}
	pending := func() int64 {
		t.Helper()
		var n int64
		if err := s.db.Model(&deferredIndex{}).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := indexes()
	if before == "[]" {
		t.Fatal("no secondary index on the bulk tables to defer")
	}

	restore, err := s.DeferIndexes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := indexes(); got != "[]" || pending() == 0 {
		t.Fatalf("after DeferIndexes: indexes %s, %d recorded; want none left and each recorded", got, pending())
	}
	// Stopped here: the next start builds them.
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if got := indexes(); got != before || pending() != 0 {
		t.Fatalf("after Migrate: indexes %s (%d still recorded), want %s", got, pending(), before)
	}

	restore, err = s.DeferIndexes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := restore(ctx); err != nil {
		t.Fatal(err)
	}
	if got := indexes(); got != before || pending() != 0 {
		t.Fatalf("after restore: indexes %s (%d still recorded), want %s", got, pending(), before)
	}
}
