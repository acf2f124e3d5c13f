package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestTwoImportProcessesOnOneSQLiteFile runs two `jointcal import`
// processes into one SQLite file at the same time (issue 15, defect 8: the
// second failed within 80 ms with SQLITE_BUSY). Both must succeed and
// write all their events.
func TestTwoImportProcessesOnOneSQLiteFile(t *testing.T) {
	bin := binaryForTest(t)
	t.Parallel()
	const n = 1000
	file := bigCalendar(t, n)
	dsn := filepath.Join(t.TempDir(), "shared.db")
	s := storagetest.OpenDSN(t, dsn)
	ctx := context.Background()
	for _, code := range []string{"EU", "NATO"} {
		if _, err := s.CreateOrganization(ctx, models.System(), models.OrganizationInput{Code: code, Name: code}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	outs := make([]string, 2)
	errs := make([]error, 2)
	for i, org := range []string{"EU", "NATO"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, "import", file, "--organization", org, "--partial")
			cmd.Env = append(os.Environ(), "JOINTCAL_DATABASE_URL="+dsn, "JOINTCAL_LOG_LEVEL=warn")
			out, err := cmd.CombinedOutput()
			outs[i], errs[i] = string(out), err
		}()
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil || !strings.HasPrefix(outs[i], file+": 1000 created") {
			t.Errorf("import %d: %v\n%s", i, errs[i], outs[i])
		}
	}
}
