package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDirSinkWritesReadableEML: each message becomes one .eml file with the
// exact bytes, readable by a mail parser, and one log line; a retried message
// replaces its file.
func TestDirSinkWritesReadableEML(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "mail", "outbox")
	var logBuf bytes.Buffer
	sink, err := NewDirSink(dir, slog.New(slog.NewJSONHandler(&logBuf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if sink.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", sink.Dir(), dir)
	}
	msgs := batchOf(t, 3)
	for i, err := range sink.Send(context.Background(), msgs) {
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	for _, m := range msgs {
		path := sink.Path(m.ID)
		if filepath.Dir(path) != dir || filepath.Ext(path) != ".eml" {
			t.Errorf("path %q, want an .eml file in %s", path, dir)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, m.Bytes) {
			t.Errorf("%s differs from the message", path)
		}
		p := parseMessage(t, data)
		if p.subject != m.Subject || !strings.Contains(p.cal, "METHOD:REQUEST") {
			t.Errorf("%s: subject %q, calendar method missing", path, p.subject)
		}
	}

	lines := strings.Split(strings.TrimSpace(logBuf.String()), "\n")
	if len(lines) != len(msgs) {
		t.Fatalf("%d log lines, want one per message:\n%s", len(lines), logBuf.String())
	}
	for i, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["message_id"] != msgs[i].ID || rec["to"] != msgs[i].To || rec["subject"] != msgs[i].Subject || rec["file"] != sink.Path(msgs[i].ID) {
			t.Errorf("log line %d = %s", i, line)
		}
	}

	// A retry of the first message replaces its file.
	if errs := sink.Send(context.Background(), msgs[:1]); errs[0] != nil {
		t.Fatal(errs[0])
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(msgs) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want exactly %d .eml files and no temporary files", names, len(msgs))
	}
}

func TestDirSinkErrors(t *testing.T) {
	t.Parallel()
	t.Run("invalid messages", func(t *testing.T) {
		t.Parallel()
		sink, err := NewDirSink(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		errs := sink.Send(context.Background(), []*Message{nil, {ID: "x@y"}})
		for i, err := range errs {
			if !IsPermanent(err) {
				t.Errorf("message %d: error %v, want permanent", i, err)
			}
		}
	})
	t.Run("directory gone", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "mail")
		sink, err := NewDirSink(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir, nil, 0o600); err != nil { // a file where the directory was
			t.Fatal(err)
		}
		errs := sink.Send(context.Background(), batchOf(t, 1))
		if errs[0] == nil || IsPermanent(errs[0]) || !strings.Contains(errs[0].Error(), dir) {
			t.Errorf("error %v, want a retryable error naming %s", errs[0], dir)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		sink, err := NewDirSink(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if errs := sink.Send(ctx, batchOf(t, 1)); errs[0] == nil || IsPermanent(errs[0]) {
			t.Errorf("error %v, want a retryable error", errs[0])
		}
	})
	t.Run("bad directory", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, dir := range []string{"", filepath.Join(file, "sub")} {
			if _, err := NewDirSink(dir, nil); err == nil {
				t.Errorf("NewDirSink(%q) succeeded", dir)
			}
		}
	})
}

func TestFileName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"2ac94d8b@jointcal.example.org": "2ac94d8b@jointcal.example.org",
		"../../etc/passwd":              ".._.._etc_passwd",
		"a/b\\c:d":                      "a_b_c_d",
	} {
		if got := fileName(in); got != want {
			t.Errorf("fileName(%q) = %q, want %q", in, got, want)
		}
	}
}
