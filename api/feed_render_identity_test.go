package api

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The render identity is the go command's build ID of the executable, as
// `go tool buildid` prints it, read without digesting the file.
func TestGoBuildIDMatchesGoTool(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	id, err := goBuildID(exe)
	if err != nil {
		t.Fatalf("build ID of the test binary: %v", err)
	}
	if !strings.Contains(id, "/") {
		t.Fatalf("build ID %q: want the go command's slash-separated parts", id)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to compare with")
	}
	out, err := exec.Command(goBin, "tool", "buildid", exe).Output()
	if err != nil {
		t.Skipf("go tool buildid: %v", err)
	}
	if want := strings.TrimSpace(string(out)); id != want {
		t.Fatalf("build ID %q, go tool buildid says %q", id, want)
	}
	if got := renderIdentity(); got != "go-build-id:"+id {
		t.Fatalf("render identity %q, want the build ID %q", got, id)
	}
}

// A file that is not an executable with a build ID note is refused, and
// the identity then falls back to the file's digest.
func TestGoBuildIDRefusesOtherFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"text":      []byte("not an executable\n"),
		"empty":     nil,
		"elf-magic": []byte("\x7fELF\x02\x01\x01"),
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if id, err := goBuildID(path); err == nil {
			t.Errorf("%s: build ID %q, want an error", name, id)
		}
	}
	if _, err := goBuildID(filepath.Join(dir, "missing")); err == nil || errors.Is(err, errNoBuildID) {
		t.Errorf("missing file: %v, want the open error", err)
	}
}
