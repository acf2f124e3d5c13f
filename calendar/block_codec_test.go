package calendar

import (
	"bytes"
	"testing"
)

// TestBlockCodecRoundTrip: blocks decoded from their encoding assemble into
// the same bytes as the blocks rendered, for the golden calendars and the
// generated one (zones, recurrence, overrides, attendees, all-day events).
func TestBlockCodecRoundTrip(t *testing.T) {
	t.Parallel()
	cases := map[string][]Event{"generated": genEvents(t, 2000)}
	for _, gc := range goldenCases(t) {
		cases[gc.name] = gc.events
	}
	for name, events := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			blocks, err := RenderEvents(events)
			if err != nil {
				t.Fatal(err)
			}
			enc, dec := NewBlockCodec(), NewBlockCodec()
			decoded := make([]*EventBlock, len(blocks))
			for i, b := range blocks {
				data, err := enc.AppendEncoded(nil, b)
				if err != nil {
					t.Fatalf("encode %s: %v", b.UID(), err)
				}
				if decoded[i], err = dec.Decode(data); err != nil {
					t.Fatalf("decode %s: %v", b.UID(), err)
				}
				if !decoded[i].LastModified().Equal(b.LastModified()) || decoded[i].Size() != b.Size() {
					t.Fatalf("%s: decoded block differs: modified %v/%v, size %d/%d", b.UID(), decoded[i].LastModified(), b.LastModified(), decoded[i].Size(), b.Size())
				}
			}
			cal := Calendar{Name: "feed", Stamp: fixtureStamp}
			want, err := Assemble(cal, blocks)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Assemble(cal, decoded)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(written(t, got), written(t, want)) {
				t.Fatal("calendar assembled from decoded blocks differs from the one assembled from rendered blocks")
			}
		})
	}
}

// TestBlockCodecRefusesDamage: every truncation of an encoding, another
// format byte and trailing bytes after the body are errors, never a block.
func TestBlockCodecRefusesDamage(t *testing.T) {
	t.Parallel()
	blocks, err := RenderEvents(genEvents(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	c := NewBlockCodec()
	data, err := c.AppendEncoded(nil, blocks[1])
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(data); n++ {
		if b, err := c.Decode(data[:n]); err == nil {
			t.Fatalf("the first %d of %d bytes decoded into %q", n, len(data), b.UID())
		}
	}
	other := append([]byte{blockFormat + 1}, data[1:]...)
	if _, err := c.Decode(other); err == nil {
		t.Error("another format byte decoded")
	}
	if _, err := c.Decode(append(bytes.Clone(data), 0x01, 0x02)); err == nil {
		t.Error("trailing bytes decoded")
	}
	if _, err := c.Decode(data); err != nil {
		t.Errorf("the intact encoding after damaged ones: %v", err)
	}
}

// BenchmarkBlockDecode is the cost of rebuilding one stored block.
func BenchmarkBlockDecode(b *testing.B) {
	blocks, err := RenderEvents(genEvents(b, 1000))
	if err != nil {
		b.Fatal(err)
	}
	c := NewBlockCodec()
	encoded := make([][]byte, len(blocks))
	var raw, packed int
	for i, bl := range blocks {
		if encoded[i], err = c.AppendEncoded(nil, bl); err != nil {
			b.Fatal(err)
		}
		raw, packed = raw+bl.Size(), packed+len(encoded[i])
	}
	b.ReportMetric(float64(packed)/float64(raw), "encoded/raw")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Decode(encoded[i%len(encoded)]); err != nil {
			b.Fatal(err)
		}
	}
}
