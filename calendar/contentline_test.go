package calendar

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emersion/go-ical"
)

func TestWriteFolded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string // physical lines without CRLF
	}{
		{"short", "SUMMARY:hi", []string{"SUMMARY:hi"}},
		{"exactly 75", strings.Repeat("a", 75), []string{strings.Repeat("a", 75)}},
		{"76", strings.Repeat("a", 76), []string{strings.Repeat("a", 75), " a"}},
		{"three lines", strings.Repeat("a", 75+74+3), []string{strings.Repeat("a", 75), " " + strings.Repeat("a", 74), " aaa"}},
		// é is 2 octets: the one that would straddle octet 75 moves down.
		{"no split of 2-octet", strings.Repeat("a", 74) + "éb", []string{strings.Repeat("a", 74), " éb"}},
		// 🇪 is 4 octets starting at octet 73.
		{"no split of 4-octet", strings.Repeat("a", 72) + "🇪🇺", []string{strings.Repeat("a", 72), " 🇪🇺"}},
		{"all 3-octet", strings.Repeat("—", 30), []string{strings.Repeat("—", 25), " " + strings.Repeat("—", 5)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			w := bufio.NewWriter(&buf)
			writeFolded(w, []byte(tc.in))
			w.Flush()
			want := strings.Join(tc.want, "\r\n") + "\r\n"
			if buf.String() != want {
				t.Fatalf("got %q, want %q", buf.String(), want)
			}
			for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n") {
				if len(l) > 75 || !utf8.ValidString(l) {
					t.Errorf("bad physical line %q", l)
				}
			}
		})
	}
}

func TestAppendText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`a,b;c\d`, `a\,b\;c\\d`},
		{"l1\nl2\r\nl3\rl4", `l1\nl2\nl3\nl4`},
		{"tab\tkept", "tab\tkept"},
		{"bell\x07 nul\x00 esc\x1b del\x7f gone", "bell nul esc del gone"},
		{"bad \xff\xfe utf8", "bad \uFFFD\uFFFD utf8"},
		{"truncated \xe2\x80", "truncated \uFFFD\uFFFD"},
		{"Réunion — 北大西洋 🇪🇺", "Réunion — 北大西洋 🇪🇺"},
		{"\uFFFD stays", "\uFFFD stays"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			if got := string(appendText(nil, tc.in)); got != tc.want {
				t.Errorf("appendText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestAppendParamValue(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Jane Doe", "Jane Doe"},
		{"Doe, Jane", `"Doe, Jane"`},
		{"a:b", `"a:b"`},
		{"a;b", `"a;b"`},
		{`say "hi"`, "say ^'hi^'"},
		{"x^y", "x^^y"},
		{"two\nlines\r\nthree", "two^nlines^nthree"},
		{"ctl\x01 \xff", "ctl \uFFFD"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			if got := string(appendParamValue(nil, tc.in)); got != tc.want {
				t.Errorf("appendParamValue(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWriteComponentRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		prop ical.Prop
		want string
	}{
		{"CR in value", ical.Prop{Name: "X-A", Params: ical.Params{}, Value: "a\rb"}, "CR, LF"},
		{"quote in param", ical.Prop{Name: "X-A", Params: ical.Params{"CN": {`a"b`}}, Value: "v"}, "double quote"},
		{"bad UTF-8", ical.Prop{Name: "X-A", Params: ical.Params{}, Value: "\xff"}, "invalid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := ical.NewComponent("X-TEST")
			c.Props.Add(&tc.prop)
			lw := &lineWriter{w: bufio.NewWriter(&bytes.Buffer{})}
			if err := lw.writeComponent(c); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	// And a well-formed component is written with quoting and folding.
	c := ical.NewComponent("X-TEST")
	p := ical.NewProp("X-LONG")
	p.Params.Set("X-P", "a,b")
	p.Value = strings.Repeat("z", 100)
	c.Props.Add(p)
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	lw := &lineWriter{w: w}
	if err := lw.writeComponent(c); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	want := "BEGIN:X-TEST\r\nX-LONG;X-P=\"a,b\":" + strings.Repeat("z", 58) + "\r\n " + strings.Repeat("z", 42) + "\r\nEND:X-TEST\r\n"
	if buf.String() != want {
		t.Fatalf("got %q, want %q", buf.String(), want)
	}
}
