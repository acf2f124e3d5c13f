package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"time"

	"github.com/jointcal/jointcal/api"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/demo"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify"
	"github.com/jointcal/jointcal/storage"
)

// signInMailer sends sign-in links through the configured mail path (SMTP,
// or the .eml directory of the demo), in the person's language and zone.
func signInMailer(cfg config.Config, sender notify.Sender) (api.SignInMailer, error) {
	from, err := mail.ParseAddress(cfg.SMTPFrom)
	if err != nil {
		return nil, fmt.Errorf("JOINTCAL_SMTP_FROM: %w", err)
	}
	return func(ctx context.Context, p *models.Person, link string, expires time.Time) error {
		zone, err := time.LoadLocation(p.TimeZone)
		if err != nil {
			zone = time.UTC
		}
		msg, err := notify.ComposeSignIn(notify.SignInMail{From: from, To: &mail.Address{Name: p.Name, Address: p.Email}, URL: link, Expires: expires, Zone: zone, Language: p.Language, Now: time.Now()})
		if err != nil {
			return err
		}
		var sendErr error
		sender.SendEach(ctx, []*notify.Message{msg}, func(_ int, err error) { sendErr = err })
		return sendErr
	}, nil
}

// wireSignIn gives the server its way of mailing sign-in links.
func wireSignIn(cfg config.Config, srv *api.Server, log *slog.Logger) error {
	sender, err := newSender(cfg, log)
	if err != nil {
		return err
	}
	mailer, err := signInMailer(cfg, sender)
	if err != nil {
		return err
	}
	srv.SetSignInMailer(mailer)
	return nil
}

// demoLinkLifetime bounds the one-click links of the demo, like its token.
const demoLinkLifetime = 24 * time.Hour

// printDemoSignInLinks prints a one-click sign-in link for each demo
// account, on the terminal only (never in the log): each works once, for
// 24 hours.
func printDemoSignInLinks(ctx context.Context, env *environment, store *storage.Store, base string) error {
	fmt.Fprintln(env.stdout, "one-click sign-in (each link works once, for 24 hours):")
	for _, acc := range demo.Accounts {
		secret, err := store.CreateDemoSignInLink(ctx, string(acc.Person), demoLinkLifetime)
		if err != nil {
			return err
		}
		who := string(acc.Role)
		if acc.Organization != "" {
			who += " " + string(acc.Organization)
		}
		fmt.Fprintf(env.stdout, "  %-12s %s/signin/link?token=%s  (%s)\n", who, base, url.QueryEscape(secret), acc.Person)
	}
	return nil
}
