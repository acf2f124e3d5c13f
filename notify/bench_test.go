package notify

import (
	"context"
	"strconv"
	"testing"
)

// benchBatch is the burst size of the benchmarks: the target is
// 10,000 reminders in one minute; 1,000 per batch is the dispatcher's scale.
const benchBatch = 1000

// benchNotices builds the notices of one burst: distinct keys and
// recipients, alternating recipient zones.
func benchNotices(b *testing.B) []Notice {
	zones := []string{"Europe/Brussels", "America/New_York", "Europe/Warsaw", ""}
	ns := make([]Notice, benchBatch)
	for i := range ns {
		n := sampleNotice(b)
		n.Key += ";n=" + strconv.Itoa(i)
		n.To = Recipient{Name: "Person " + strconv.Itoa(i), Email: "person" + strconv.Itoa(i) + "@example.org", TimeZone: zones[i%len(zones)]}
		ns[i] = n
	}
	return ns
}

// BenchmarkCompose measures composing one reminder.
func BenchmarkCompose(b *testing.B) {
	n := sampleNotice(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compose(n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComposeAndSend1000 composes 1,000 reminders and sends them over
// one connection to an emersion/go-smtp server on loopback, as the dispatch
// job does with a claimed batch. msgs/s is the end-to-end rate.
func BenchmarkComposeAndSend1000(b *testing.B) {
	srv := startServer(b, serverOptions{discard: true})
	snd := senderFor(b, srv, nil)
	ns := benchNotices(b)
	msgs := make([]*Message, len(ns))
	b.ReportAllocs()
	for b.Loop() {
		for i := range ns {
			m, err := Compose(ns[i])
			if err != nil {
				b.Fatal(err)
			}
			msgs[i] = m
		}
		for i, err := range snd.Send(context.Background(), msgs) {
			if err != nil {
				b.Fatalf("message %d: %v", i, err)
			}
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkSend1000 sends 1,000 composed messages, isolating SMTP cost.
func BenchmarkSend1000(b *testing.B) {
	srv := startServer(b, serverOptions{discard: true})
	snd := senderFor(b, srv, nil)
	ns := benchNotices(b)
	msgs := make([]*Message, len(ns))
	for i := range ns {
		msgs[i] = compose(b, ns[i])
	}
	b.ReportAllocs()
	for b.Loop() {
		for i, err := range snd.Send(context.Background(), msgs) {
			if err != nil {
				b.Fatalf("message %d: %v", i, err)
			}
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "msgs/s")
}
