package storage

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// SQLite copies its write-ahead log back into the database file at
// checkpoints. By default the commit that takes the log past 1,000 pages
// does it, inside that commit's step: writing the pages and two
// fdatasyncs while the store's write lock is held, so every booking
// waiting for the lock waited for the disk too (a profile of 2,000
// bookings: the checkpoints were 6 % of the CPU and all of it in the
// serialised part). The store checkpoints from a goroutine of its own
// instead, outside the lock, while writers go on appending to the log.
// Durability is unchanged: a commit is as durable as before
// (synchronous=NORMAL), and a checkpoint syncs the log and the file as
// SQLite's own does.
const (
	// checkpointEvery is how often the log is copied back: at 300 bookings
	// a second about 60 bookings' pages, near SQLite's default of 1,000.
	checkpointEvery = 200 * time.Millisecond
	// walRestartFrames is the log size (pages) past which a checkpoint is
	// made again inside the write lock. The log starts again from its
	// beginning only when a writer begins with every frame copied back,
	// which a checkpoint running beside a steady stream of writers never
	// sees: this one, copying the few pages written since the last, lets
	// the next writer restart it, so the log stays bounded (16 MiB).
	walRestartFrames = 4000
	// walAutocheckpointPages stays SQLite's own threshold as a backstop
	// (checkpointed in the commit, as before) for a process whose
	// checkpoints fall behind, well above where walRestartFrames acts.
	walAutocheckpointPages = 10000
)

// checkpointer runs the store's checkpoints until it is stopped.
type checkpointer struct {
	stop chan struct{}
	done chan struct{}
}

// startCheckpoints starts the checkpoints of a SQLite store, logging
// their failures to log.
func (s *Store) startCheckpoints(log *slog.Logger) {
	c := &checkpointer{stop: make(chan struct{}), done: make(chan struct{})}
	s.checkpoints = c
	go func() {
		defer close(c.done)
		tick := time.NewTicker(checkpointEvery)
		defer tick.Stop()
		failures := checkpointFailures{log: log}
		for {
			select {
			case <-c.stop:
				return
			case <-tick.C:
				// A failure (the file's directory unwritable, an I/O
				// error) is left to the next tick or to SQLite's own
				// threshold, and logged.
				failures.record(s.checkpoint(context.Background()))
			}
		}
	}()
}

// checkpointFailures logs checkpoints that fail: the first of a run of
// failures (with its error) and the success that ends it (with how many
// failed), not one line every 200 ms while the cause lasts. Meanwhile the
// write-ahead log grows, up to SQLite's own checkpoint in a commit.
type checkpointFailures struct {
	log *slog.Logger
	run int // failures since the last success
}

func (f *checkpointFailures) record(err error) {
	switch {
	case err != nil:
		f.run++
		if f.run == 1 {
			f.log.Warn("SQLite checkpoint failed; the write-ahead log grows until one succeeds or SQLite checkpoints in a commit", "error", err, "commit_checkpoint_pages", walAutocheckpointPages)
		}
	case f.run > 0:
		f.log.Info("SQLite checkpoints succeed again", "failed_checkpoints", f.run)
		f.run = 0
	}
}

// stopCheckpoints stops the checkpoints and waits for one in progress.
func (s *Store) stopCheckpoints() {
	if s.checkpoints != nil {
		close(s.checkpoints.stop)
		<-s.checkpoints.done
		s.checkpoints = nil
	}
}

// checkpoint copies the log back without blocking writers (PASSIVE: as
// far as no reader still needs older pages), then, when the log has grown
// past walRestartFrames, once more inside the write lock so that the next
// writer starts it again. A checkpoint with nothing to copy does no I/O.
func (s *Store) checkpoint(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	logFrames, err := passiveCheckpoint(ctx, sqlDB)
	if err != nil || logFrames < walRestartFrames {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, err = passiveCheckpoint(ctx, sqlDB)
	return err
}

// passiveCheckpoint runs PRAGMA wal_checkpoint(PASSIVE) and returns the
// frames in the log (-1 when the database is not in WAL mode).
func passiveCheckpoint(ctx context.Context, db *sql.DB) (int, error) {
	var busy, logFrames, copied int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied); err != nil {
		return 0, fmt.Errorf("checkpoint the write-ahead log: %w", err)
	}
	return logFrames, nil
}
