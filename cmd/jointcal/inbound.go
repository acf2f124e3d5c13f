package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/notify"
	"github.com/jointcal/jointcal/scheduler"
	"github.com/jointcal/jointcal/storage"
	"github.com/prometheus/client_golang/prometheus"
)

// startInbound runs the doors of the iTIP replies the configuration
// opens: the SMTP listener when JOINTCAL_INBOUND_LISTEN names an address,
// the IMAP poller when JOINTCAL_INBOUND_IMAP_ADDR does; both hand their
// messages to one handler and count them in one counter. It returns the
// function that stops them. The listener's address is taken before
// returning, so a busy port stops the start.
func startInbound(cfg config.Config, store *storage.Store, log *slog.Logger, reg prometheus.Registerer, nudge func()) (func(), error) {
	if cfg.InboundListen == "" && !cfg.InboundIMAP.Enabled() {
		return func() {}, nil
	}
	counter := scheduler.NewInboundCounter(reg)
	outcome := func(result string) { counter.WithLabelValues(result).Inc() }
	handle := scheduler.InboundReplies(store, cfg.UIDHost(), nudge)
	log = log.With("job", "inbound")
	var stops []func()
	stopAll := func() {
		for _, stop := range stops {
			stop()
		}
	}
	if cfg.InboundListen != "" {
		stop, err := startListener(cfg.InboundListen, handle, log, outcome)
		if err != nil {
			return nil, err
		}
		stops = append(stops, stop)
	}
	if cfg.InboundIMAP.Enabled() {
		stops = append(stops, startIMAPPoller(cfg.InboundIMAP, handle, log, outcome))
	}
	return stopAll, nil
}

// startListener runs the SMTP listener on addr.
func startListener(addr string, handle notify.InboundHandler, log *slog.Logger, outcome func(string)) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("JOINTCAL_INBOUND_LISTEN=%s: %w", addr, err)
	}
	in := notify.NewInbound(addr, handle, log, outcome)
	go func() {
		if err := in.Serve(ln); err != nil {
			log.Error("inbound listener stopped", "error", err)
		}
	}()
	log.Info("inbound iTIP listener ready", "address", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := in.Shutdown(ctx); err != nil {
			log.Warn("inbound listener did not stop cleanly", "error", err)
		}
	}, nil
}

// startIMAPPoller polls the mailbox cfg names until stopped. Stopping
// interrupts the poll and waits for it to end: a message not yet marked
// \Seen stays unseen for the next start.
func startIMAPPoller(cfg config.InboundIMAP, handle notify.InboundHandler, log *slog.Logger, outcome func(string)) func() {
	p := notify.NewIMAPPoller(cfg, handle, log, outcome, nil)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.Run(ctx)
	}()
	log.Info("inbound IMAP poller running", "address", cfg.Addr, "username", cfg.Username, "mailbox", cfg.Mailbox, "tls", string(cfg.TLS), "interval", cfg.Interval.String())
	return func() {
		cancel()
		wg.Wait()
	}
}
