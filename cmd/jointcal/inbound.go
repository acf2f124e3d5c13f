package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify"
	"github.com/jointcal/jointcal/scheduler"
	"github.com/prometheus/client_golang/prometheus"
)

// startInbound runs the iTIP reply listener when JOINTCAL_INBOUND_LISTEN
// names an address; it returns the function that stops it. The address
// is taken before returning, so a busy port stops the start.
func startInbound(cfg config.Config, store *models.Store, log *slog.Logger, reg prometheus.Registerer) (func(), error) {
	if cfg.InboundListen == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.InboundListen)
	if err != nil {
		return nil, fmt.Errorf("JOINTCAL_INBOUND_LISTEN=%s: %w", cfg.InboundListen, err)
	}
	counter := scheduler.NewInboundCounter(reg)
	log = log.With("job", "inbound")
	in := notify.NewInbound(cfg.InboundListen, scheduler.InboundReplies(store, cfg.UIDHost()), log, func(result string) {
		counter.WithLabelValues(result).Inc()
	})
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
