package api

import (
	"compress/flate"
	"fmt"
	"io"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/gzipjoin"
)

// gzipLayout is a feed's calendar gzip-compressed, made of its parts
// (calendar.Assembly.Parts: the head, chunks of some 256 events, the end),
// each compressed alone and cached by a digest of its bytes. A part the
// cache holds, from this version of any feed or an earlier one, is not
// compressed again: after one activity changes, a feed of 10,000 events
// compresses one chunk of some 256 events instead of 10 MB. The parts
// are joined into one gzip member (package gzipjoin), which gzipped
// caches for the version.
func (s *Server) gzipLayout(layout *calendar.Assembly) ([]byte, error) {
	parts := layout.Parts()
	joined := make([]gzipjoin.Part, len(parts))
	var zc *gzipjoin.Compressor
	defer func() {
		if zc != nil {
			s.compressors.Put(zc)
		}
	}()
	for i, p := range parts {
		key := cacheKey{kind: cachedPart, tag: string(p.Key[:])}
		if v, ok := s.feedCache.get(key); ok {
			joined[i] = v.part
			continue
		}
		if zc == nil {
			var err error
			if zc, err = s.compressor(); err != nil {
				return nil, err
			}
		}
		part, err := zc.Compress(func(w io.Writer) error { _, err := p.WriteTo(w); return err })
		if err != nil {
			return nil, fmt.Errorf("feed: %w", err)
		}
		s.feedCache.put(key, cacheValue{part: part}, part.Footprint())
		s.feedCache.compressedParts.Add(1)
		joined[i] = part
	}
	return gzipjoin.Append(make([]byte, 0, gzipjoin.Size(joined)), joined), nil
}

// compressor returns a part compressor from the server's pool (its state
// is about a megabyte, worth reusing from one version to the next).
func (s *Server) compressor() (*gzipjoin.Compressor, error) {
	if zc, ok := s.compressors.Get().(*gzipjoin.Compressor); ok {
		return zc, nil
	}
	return gzipjoin.NewCompressor(flate.BestSpeed)
}
