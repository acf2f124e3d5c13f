package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify"
	"github.com/jointcal/jointcal/scheduler"
	"github.com/jointcal/jointcal/storage"
)

// benchReminders books one activity whose committee has --count members,
// all reminded in the same minute, and times how long the dispatchers
// (--instances of them, each with its own connection pool, as separate
// processes would have) take until a loopback SMTP server has accepted
// every message.
func benchReminders(args []string) error {
	fs := flag.NewFlagSet("reminders", flag.ContinueOnError)
	db := fs.String("db", "reminders.db", "a new SQLite file or an empty postgres:// database")
	count := fs.Int("count", 10000, "reminders falling due in the same minute")
	instances := fs.Int("instances", 1, "dispatchers sharing the outbox")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	open := func() (*storage.Store, error) {
		s, err := storage.Open(*db, models.DefaultSettings())
		if err != nil {
			return nil, err
		}
		_, err = s.Migrate(ctx)
		return s, err
	}
	store, err := open()
	if err != nil {
		return err
	}
	defer store.Close()
	sys := models.System()
	if _, err := store.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union"}); err != nil {
		return fmt.Errorf("the database must be empty: %w", err)
	}
	t0 := time.Now()
	members := make([]models.Ref, *count)
	for i := range members {
		email := fmt.Sprintf("member%d@eeas.example", i)
		if _, err := store.CreatePerson(ctx, sys, models.PersonInput{Name: fmt.Sprintf("Member %d", i), Email: email, TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
			return err
		}
		members[i] = models.Ref(email)
	}
	if _, err := store.CreateBody(ctx, sys, models.BodyInput{Code: "STAFF", Name: "All staff", Organization: "EU", Members: members}); err != nil {
		return err
	}
	start := time.Now().UTC().Add(time.Hour + 30*time.Second)
	if _, err := store.CreateActivity(ctx, sys, models.ActivityInput{Kind: string(models.KindMeeting), Title: "All-staff briefing", Start: start, End: start.Add(time.Hour),
		TimeZone: "Europe/Brussels", LeadOrganization: "EU", Reminders: []string{"PT1H"},
		Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "STAFF"}}}, storage.WriteOptions{}); err != nil {
		return err
	}
	fmt.Printf("seeded %d recipients in %s; the reminders fall due at %s\n", *count, time.Since(t0).Round(time.Millisecond), start.Add(-time.Hour).Format(time.TimeOnly))
	for time.Now().Before(start.Add(-time.Hour)) {
		time.Sleep(100 * time.Millisecond)
	}
	smtp, err := startSMTPSink()
	if err != nil {
		return err
	}
	defer smtp.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	began := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, *instances)
	for i := 0; i < *instances; i++ {
		s := store
		if i > 0 {
			if s, err = open(); err != nil {
				return err
			}
			defer s.Close()
		}
		sender, err := notify.NewSMTPSender(notify.SMTPConfig{Host: smtp.Host, Port: smtp.Port, TLS: notify.TLSNone, Timeout: 10 * time.Second})
		if err != nil {
			return err
		}
		d := &scheduler.Dispatcher{Store: s, Sender: sender, From: "jointcal <noreply@jointcal.example.org>", Host: "jointcal.example.org", BaseURL: "http://127.0.0.1:8080", Log: log}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- d.Tick(ctx)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	el := time.Since(began)
	got := smtp.Accepted()
	fmt.Printf("%s, %d dispatcher(s): %d of %d reminders accepted by the SMTP server in %s (%.0f/s)\n", store.Dialect(), *instances, got, *count, el.Round(time.Millisecond), float64(got)/el.Seconds())
	if got != *count {
		return fmt.Errorf("%d reminders missing", *count-got)
	}
	return nil
}
