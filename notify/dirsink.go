package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// DirSink is the Sender used when no SMTP server is configured: it writes
// each message to an .eml file (which any mail client opens, with its
// invitation) and logs one line per message. It is what lets
// `jointcal serve --demo` show reminders out of the box, and lets a person
// check what would have been sent.
//
// A message is written to <dir>/<Message-ID>.eml through a temporary file and
// a rename, so a reader never sees half a message, and a retried message
// (same Message-ID) replaces its earlier copy instead of adding a second one.
type DirSink struct {
	dir string
	log *slog.Logger
}

var _ Sender = (*DirSink)(nil)

// NewDirSink creates dir if needed and returns a sink writing into it. A nil
// log discards the log lines.
func NewDirSink(dir string, log *slog.Logger) (*DirSink, error) {
	if dir == "" {
		return nil, errors.New("notify: mail directory is empty")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("notify: creating the mail directory %q: %w", dir, err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &DirSink{dir: dir, log: log}, nil
}

// Dir is the directory the messages are written to, for the start-up log
// line that tells a person where to look.
func (d *DirSink) Dir() string { return d.dir }

// Path is the file a message with the given Message-ID is written to.
func (d *DirSink) Path(messageID string) string {
	return filepath.Join(d.dir, fileName(messageID)+".eml")
}

// Send writes each message and returns one error per message; a failed write
// (a full disk) is not permanent.
func (d *DirSink) Send(ctx context.Context, msgs []*Message) []error {
	return collect(ctx, d, msgs)
}

// SendEach writes each message and reports it to done at once.
func (d *DirSink) SendEach(ctx context.Context, msgs []*Message, done func(i int, err error)) {
	for i, m := range msgs {
		if se := checkMessage(m); se != nil {
			done(i, se)
			continue
		}
		if err := ctx.Err(); err != nil {
			done(i, newSendError(m, StageCanceled, 0, err))
			continue
		}
		path := d.Path(m.ID)
		if err := writeFileAtomic(path, m.Bytes); err != nil {
			done(i, newSendError(m, StageWrite, 0, err))
			continue
		}
		d.log.InfoContext(ctx, "e-mail written to file", "kind", m.Kind, "to", m.To, "subject", m.Subject, "message_id", m.ID, "file", path)
		done(i, nil)
	}
}

// fileName makes a Message-ID safe as a file name on every platform.
func fileName(id string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '@', r == '_':
			return r
		}
		return '_'
	}, id)
}

// writeFileAtomic writes data to path via a temporary file in the same
// directory and a rename.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*.eml")
	if err != nil {
		return fmt.Errorf("creating a file for %s: %w", path, err)
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		_ = os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := os.Chmod(tmp, 0o640); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("setting the mode of %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("renaming %s to %s: %w", tmp, path, err)
	}
	return nil
}
