package gzipjoin

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
)

// calendarLike is text that compresses as a feed does: repeated property
// names with varying values.
func calendarLike(r *rand.Rand, n int) []byte {
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString("BEGIN:VEVENT\r\nUID:")
		b.WriteString(strings.Repeat("7", 1+r.IntN(6)))
		b.WriteString("@example\r\nSUMMARY:Meeting ")
		for range r.IntN(40) {
			b.WriteByte(byte('a' + r.IntN(26)))
		}
		b.WriteString("\r\nEND:VEVENT\r\n")
	}
	return b.Bytes()[:n]
}

func TestCRC32Combine(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 8, 255, 4096, 100_003} {
		for _, m := range []int{0, 1, 3, 1000, 65_537} {
			a, b := calendarLike(r, n), calendarLike(r, m)
			want := crc32.ChecksumIEEE(append(bytes.Clone(a), b...))
			if got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(m)); got != want {
				t.Errorf("combine of %d and %d bytes: %08x, want %08x", n, m, got, want)
			}
		}
	}
}

// joined compresses the pieces as parts and joins them.
func joined(t *testing.T, level int, pieces ...[]byte) []byte {
	t.Helper()
	c, err := NewCompressor(level)
	if err != nil {
		t.Fatal(err)
	}
	var parts []Part
	for _, p := range pieces {
		part, err := c.Compress(func(w io.Writer) error { _, err := w.Write(p); return err })
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, part)
	}
	out := Append([]byte("prefix"), parts)[len("prefix"):]
	if int64(len(out)) != Size(parts) {
		t.Fatalf("Append wrote %d bytes, Size says %d", len(out), Size(parts))
	}
	// A Writer sends the same member part by part.
	var streamed bytes.Buffer
	jw := NewWriter(&streamed)
	var size int64
	for _, p := range parts {
		if err := jw.WritePart(p); err != nil {
			t.Fatal(err)
		}
		size += p.Size
	}
	if err := jw.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(streamed.Bytes(), out) || jw.Written() != int64(len(out)) || jw.Uncompressed() != size {
		t.Fatalf("the Writer wrote %d bytes (counted %d, %d uncompressed), unlike Append's %d (%d uncompressed)", streamed.Len(), jw.Written(), jw.Uncompressed(), len(out), size)
	}
	return out
}

// TestJoinedIsOneMember checks that joined parts read back, through Go's
// reader (which checks the CRC and the length) and, when the machine has
// it, through gzip(1), an independent inflater, as the pieces in order.
func TestJoinedIsOneMember(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	gunzip, _ := exec.LookPath("gzip")
	cases := []struct {
		name   string
		level  int
		pieces [][]byte
	}{
		{"none", flate.BestSpeed, nil},
		{"one empty", flate.BestSpeed, [][]byte{{}}},
		{"one", flate.BestSpeed, [][]byte{calendarLike(r, 5000)}},
		{"many, some empty", flate.BestSpeed, [][]byte{calendarLike(r, 70_000), {}, calendarLike(r, 1), calendarLike(r, 200_000), []byte("END:VCALENDAR\r\n")}},
		{"same piece twice", flate.BestCompression, [][]byte{[]byte("abcabcabc"), []byte("abcabcabc")}},
		{"stored", flate.NoCompression, [][]byte{calendarLike(r, 100_000), calendarLike(r, 10)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gz := joined(t, tc.level, tc.pieces...)
			want := bytes.Join(tc.pieces, nil)
			br := bytes.NewReader(gz)
			zr, err := gzip.NewReader(br)
			if err != nil {
				t.Fatal(err)
			}
			zr.Multistream(false)
			got, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("read back %d bytes (%v), want %d", len(got), err, len(want))
			}
			if br.Len() != 0 {
				t.Fatalf("%d bytes after the member", br.Len())
			}
			if gunzip == "" {
				return
			}
			cmd := exec.Command(gunzip, "-dc")
			cmd.Stdin = bytes.NewReader(gz)
			out, err := cmd.Output()
			if err != nil || !bytes.Equal(out, want) {
				t.Fatalf("gzip -dc: %d bytes (%v), want %d", len(out), err, len(want))
			}
		})
	}
}

// TestPartsAreIndependent checks that a part reads back alone: no
// back-reference reaches into the part before it, which is what lets a
// part compressed for one body be joined into another.
func TestPartsAreIndependent(t *testing.T) {
	t.Parallel()
	c, err := NewCompressor(flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	first := []byte(strings.Repeat("SUMMARY:joint exercise\r\n", 100))
	if _, err := c.Compress(func(w io.Writer) error { _, err := w.Write(first); return err }); err != nil {
		t.Fatal(err)
	}
	// The second part repeats the first's text; compressed alone it must
	// not refer to it.
	second, err := c.Compress(func(w io.Writer) error { _, err := w.Write(first[:500]); return err })
	if err != nil {
		t.Fatal(err)
	}
	gz := Append(nil, []Part{second})
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, first[:500]) {
		t.Fatalf("the second part alone: %q (%v)", got, err)
	}
}
