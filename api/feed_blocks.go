package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// maxPendingBlockBytes bounds the rendered blocks waiting to be written to
// the database. Rendering a cold feed outpaces the writer only when the
// database is slow; the blocks past the bound are not kept (and counted
// and logged), so that memory stays within the feed cache's budget, and
// are rendered and offered again the next time a feed needs them.
const maxPendingBlockBytes = 32 << 20

// blockKeeper writes rendered feed blocks to the database in the
// background, so that they outlive the process and the feed cache: the
// request that rendered them never waits for the writes, and never for
// SQLite's single writer (it only appends to a list under a mutex, so it
// cannot deadlock with a write it holds or waits for).
type blockKeeper struct {
	store   *storage.Store
	log     *slog.Logger
	mu      sync.Mutex
	pending []keptBlock
	bytes   int64
	limit   int64 // bytes pending at most (maxPendingBlockBytes)
	// heads are feed heads to store (feed_heads), the latest per feed.
	heads map[int64]storage.FeedHead
	// writing is held while a batch is taken and written, so flush returns
	// only once everything added before it is in the database.
	writing sync.Mutex
	kick    chan struct{} // a batch was queued
	writer  *flusher
	// stored, dropped and failed count blocks written, left out for
	// want of room, and lost to a failed write (each failure is logged).
	stored, dropped, failed atomic.Int64
}

// keptBlock is a rendered block with the key it is stored under.
type keptBlock struct {
	id      int64
	version int
	tag     string
	block   *calendar.EventBlock
}

func newBlockKeeper(store *storage.Store, log *slog.Logger) *blockKeeper {
	k := &blockKeeper{store: store, log: log, limit: maxPendingBlockBytes, kick: make(chan struct{}, 1)}
	k.writer = startFlusher(0, k.kick, k.flush)
	return k
}

// add queues blocks for writing; it never blocks on the database.
func (k *blockKeeper) add(blocks []keptBlock) {
	var size int64
	for _, b := range blocks {
		size += int64(b.block.Size())
	}
	k.mu.Lock()
	full := k.bytes+size > k.limit
	if !full {
		k.pending = append(k.pending, blocks...)
		k.bytes += size
	}
	k.mu.Unlock()
	if full {
		k.dropped.Add(int64(len(blocks)))
		k.log.Warn("rendered feed blocks not stored: the writer is behind", "blocks", len(blocks), "pending_bytes_limit", k.limit)
		return
	}
	select {
	case k.kick <- struct{}{}:
	default: // a flush is due already
	}
}

// addHead queues a feed's head (a few kilobytes) for writing, replacing
// one queued for the same feed; it never blocks on the database.
func (k *blockKeeper) addHead(h storage.FeedHead) {
	k.mu.Lock()
	if k.heads == nil {
		k.heads = map[int64]storage.FeedHead{}
	}
	k.heads[h.FeedID] = h
	k.mu.Unlock()
	select {
	case k.kick <- struct{}{}:
	default:
	}
}

// flush writes everything queued so far.
func (k *blockKeeper) flush() {
	k.writing.Lock()
	defer k.writing.Unlock()
	k.mu.Lock()
	batch, heads := k.pending, k.heads
	k.pending, k.bytes, k.heads = nil, 0, nil
	k.mu.Unlock()
	k.flushBlocks(batch)
	if len(heads) > 0 {
		if err := k.store.SaveFeedHeads(context.Background(), slices.Collect(maps.Values(heads))); err != nil {
			k.log.Warn("could not store feed heads", "feeds", len(heads), "error", err)
		}
	}
}

// flushBlocks encodes and writes a batch of blocks.
func (k *blockKeeper) flushBlocks(batch []keptBlock) {
	if len(batch) == 0 {
		return
	}
	codec := calendar.NewBlockCodec()
	rows := make([]storage.StoredBlock, 0, len(batch))
	for _, b := range batch {
		data, err := codec.AppendEncoded(nil, b.block)
		if err != nil {
			k.failed.Add(1)
			k.log.Warn("could not encode a rendered feed block", "activity", b.id, "error", err)
			continue
		}
		rows = append(rows, storage.StoredBlock{ActivityID: b.id, Version: b.version, Tag: b.tag, Data: data})
	}
	stored, err := k.store.SaveFeedBlocks(context.Background(), rows)
	k.stored.Add(int64(stored))
	if err != nil {
		// Counted as lost: the blocks of the batches whose write failed
		// (some may have been of activities purged meanwhile).
		k.failed.Add(int64(len(rows) - stored))
		k.log.Warn("could not store rendered feed blocks", "blocks", len(rows), "stored", stored, "error", err)
	}
}

// close writes what is queued and stops the writer.
func (k *blockKeeper) close() { k.writer.close() }

// loadStored returns the stored blocks of items under tag, by activity id
// (a map the caller may add to),
// and only at the versions items list (storage.StoredFeedBlocks). A read
// or decoding failure is logged and the blocks concerned are left out: the
// feed then reads and renders them, as it would without the table.
func (s *Server) loadStored(ctx context.Context, codec *calendar.BlockCodec, tag string, items []models.FeedItem) map[int64]*calendar.EventBlock {
	stored, err := s.store.StoredFeedBlocks(ctx, tag, items)
	if err != nil {
		s.log.Warn("could not read stored feed blocks; rendering them", "blocks", len(items), "error", err)
		return map[int64]*calendar.EventBlock{}
	}
	out := make(map[int64]*calendar.EventBlock, len(stored))
	for id, data := range stored {
		b, err := codec.Decode(data)
		if err != nil {
			s.log.Warn("could not decode a stored feed block; rendering it", "activity", id, "error", err)
			continue
		}
		out[id] = b
	}
	s.feedCache.loaded.Add(int64(len(out)))
	return out
}

// runningExecutable is the path to this process's own executable file.
// On Linux that is /proc/self/exe, which stays this program's file when a
// deployment replaces the one on disk (os.Executable would then name the
// new build's, and blocks rendered by this one would be stored under its
// identity); elsewhere it is os.Executable.
func runningExecutable() (string, error) {
	const self = "/proc/self/exe"
	if _, err := os.Stat(self); err == nil {
		return self, nil
	}
	return os.Executable()
}

// renderIdentity names the program that rendered a block, so that a new
// build, which may render differently, never serves an older build's
// blocks. Stored blocks are keyed by it (renderTag); it is worked out once,
// at the first feed layout. It is the executable's Go build ID, whose last
// part the go command derives from the binary's content: read from the ELF
// note, a few hundred bytes, where digesting the whole 45 MB executable
// cost 40–100 ms of a cold process's first feed request. Without a build
// ID (not ELF, or linked with an empty -buildid) it is that digest.
var renderIdentity = sync.OnceValue(func() string {
	exe, err := runningExecutable()
	if err == nil {
		if id, err := goBuildID(exe); err == nil {
			return "go-build-id:" + id
		}
	}
	h := sha256.New()
	if err == nil {
		err = digestFile(h, exe)
	}
	if err != nil {
		// Without the digest no stored block can be trusted to be this
		// build's: a per-process identity keeps them all unused.
		io.WriteString(h, rand.Text())
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
})

// errNoBuildID: the executable carries no Go build ID note.
var errNoBuildID = errors.New("no Go build ID note")

// goBuildIDNote is the ELF note type the Go linker writes the build ID
// under, in a note named "Go\x00\x00".
const goBuildIDNote = 4

// goBuildID reads the Go build ID from an ELF executable's
// .note.go.buildid section, without reading the rest of the file.
func goBuildID(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	sec := f.Section(".note.go.buildid")
	if sec == nil {
		return "", errNoBuildID
	}
	data, err := sec.Data()
	if err != nil {
		return "", fmt.Errorf("read the build ID of %s: %w", path, err)
	}
	// An ELF note: name size, descriptor size, type, then the name and
	// the descriptor, each padded to four bytes.
	if len(data) < 16 {
		return "", errNoBuildID
	}
	nameSize, descSize := f.ByteOrder.Uint32(data[0:4]), f.ByteOrder.Uint32(data[4:8])
	if f.ByteOrder.Uint32(data[8:12]) != goBuildIDNote || nameSize != 4 {
		return "", errNoBuildID
	}
	start := 12 + 4
	if string(data[12:start]) != "Go\x00\x00" || descSize == 0 || uint64(start)+uint64(descSize) > uint64(len(data)) {
		return "", errNoBuildID
	}
	return string(data[start : start+int(descSize)]), nil
}

// digestFile writes the file's bytes into w.
func digestFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// renderTag is the part of stored blocks' tag that is fixed for a
// server: renderIdentity and the URLs its events carry.
func renderTag(cfg config.Config) string {
	h := sha256.Sum256([]byte(renderIdentity() + "|" + cfg.PublicURL() + "|" + cfg.UIDHost()))
	return hex.EncodeToString(h[:8])
}
