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
	defer func() { s.releaseCompressor(zc) }()
	for i, p := range parts {
		var err error
		if joined[i], err = s.compressedPart(p, &zc); err != nil {
			return nil, err
		}
	}
	return gzipjoin.Append(make([]byte, 0, gzipjoin.Size(joined)), joined), nil
}

// compressedPart returns a feed part compressed: from the cache, or
// compressed with *zc (taken from the pool when nil; the caller gives it
// back, releaseCompressor) and cached. Answers compressing the same part
// at once (streams from one layout) share one compression.
func (s *Server) compressedPart(p calendar.Part, zc **gzipjoin.Compressor) (gzipjoin.Part, error) {
	key := cacheKey{kind: cachedPart, tag: string(p.Key[:])}
	if v, ok := s.feedCache.get(key); ok {
		return v.part, nil
	}
	v, err, _ := s.partFlights.Do(key.tag, func() (any, error) {
		if v, ok := s.feedCache.get(key); ok {
			return v.part, nil
		}
		if *zc == nil {
			var err error
			if *zc, err = s.compressor(); err != nil {
				return nil, err
			}
		}
		part, err := (*zc).Compress(func(w io.Writer) error { _, err := p.WriteTo(w); return err })
		if err != nil {
			return nil, fmt.Errorf("feed: %w", err)
		}
		s.feedCache.put(key, cacheValue{part: part}, part.Footprint())
		s.feedCache.compressedParts.Add(1)
		return part, nil
	})
	if err != nil {
		return gzipjoin.Part{}, err
	}
	return v.(gzipjoin.Part), nil
}

// compressor returns a part compressor from the server's pool (its state
// is about a megabyte, worth reusing from one version to the next).
func (s *Server) compressor() (*gzipjoin.Compressor, error) {
	if zc, ok := s.compressors.Get().(*gzipjoin.Compressor); ok {
		return zc, nil
	}
	return gzipjoin.NewCompressor(flate.BestSpeed)
}

// releaseCompressor gives a compressor back to the pool (nil: none was
// taken).
func (s *Server) releaseCompressor(zc *gzipjoin.Compressor) {
	if zc != nil {
		s.compressors.Put(zc)
	}
}
