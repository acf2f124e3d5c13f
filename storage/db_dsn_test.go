package storage

import (
	"net/url"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/models"
)

// TestSQLiteDSNMapsTheFile: the configured map size reaches every
// connection's pragmas, 0 leaves it out, and a size the path's own query
// already gives wins (a PRAGMA given twice would leave which one counts to
// the driver's order).
func TestSQLiteDSNMapsTheFile(t *testing.T) {
	t.Parallel()
	cases := []struct {
		dsn  string
		mmap int64
		want []string
	}{
		{"/data/j.db", 268435456, []string{"mmap_size(268435456)"}},
		{"/data/j.db", 0, nil},
		{"sqlite:/data/j.db?_pragma=mmap_size(0)", 268435456, []string{"mmap_size(0)"}},
	}
	for _, tc := range cases {
		dsn := sqliteDSN(tc.dsn, tc.mmap)
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("sqliteDSN(%q) = %q: %v", tc.dsn, dsn, err)
		}
		var got []string
		for _, p := range u.Query()["_pragma"] {
			if strings.HasPrefix(p, "mmap_size") {
				got = append(got, p)
			}
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("sqliteDSN(%q, %d) maps %v, want %v (%s)", tc.dsn, tc.mmap, got, tc.want, dsn)
		}
	}
}

// TestOpenMapsSQLite: a store opened with the default settings reads its
// file through a map of the default size.
func TestOpenMapsSQLite(t *testing.T) {
	t.Parallel()
	s, err := Open(t.TempDir()+"/m.db", models.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	var size int64
	if err := s.db.Raw("PRAGMA mmap_size").Scan(&size).Error; err != nil {
		t.Fatal(err)
	}
	if size != models.DefaultSQLiteMmapBytes {
		t.Fatalf("PRAGMA mmap_size = %d, want %d", size, models.DefaultSQLiteMmapBytes)
	}
}
