package main

import (
	"context"
	"encoding/json"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify/notifytest"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestTwoServeProcessesShareSessions: a person signs in through one serve
// process with a link mailed over SMTP, and the session works on the
// other process too (sessions live in the database); signing out on the
// second ends it on the first.
func TestTwoServeProcessesShareSessions(t *testing.T) {
	bin := binaryForTest(t)
	t.Parallel()
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			s := storeWithEU(t, dsn)
			if _, err := s.CreatePerson(context.Background(), models.System(), models.PersonInput{Name: "Claire Dumont", Email: "claire@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
				t.Fatal(err)
			}
			smtp := notifytest.Start(t)
			var urls []string
			for i := 0; i < 2; i++ {
				urls = append(urls, listenURL(t, startServe(t, bin, dsn, smtp, "session-"+string(rune('a'+i)), "JOINTCAL_SCHEDULER=off")))
			}
			res, err := http.Post(urls[0]+"/api/v1/auth/signin-links", "application/json", strings.NewReader(`{"email":"claire@eeas.example"}`))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusAccepted {
				t.Fatalf("ask for a link: %d", res.StatusCode)
			}
			msgs := smtp.WaitFor(1, 30*time.Second)
			if len(msgs) != 1 || msgs[0].To != "claire@eeas.example" {
				t.Fatalf("mailed: %d messages", len(msgs))
			}
			link := linkIn(t, msgs[0].Data)
			if !strings.HasPrefix(link, urls[0]+"/signin/link?token=") {
				t.Fatalf("the link %q does not name the server that sent it (%s)", link, urls[0])
			}
			u, _ := url.Parse(link)
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err = client.PostForm(urls[0]+"/signin/link", url.Values{"token": {u.Query().Get("token")}})
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			cookies := res.Cookies()
			if res.StatusCode != http.StatusSeeOther || len(cookies) != 2 {
				t.Fatalf("sign-in: %d, %d cookies", res.StatusCode, len(cookies))
			}
			call := func(method, url, csrf string) (int, map[string]any) {
				req, _ := http.NewRequest(method, url, nil)
				for _, c := range cookies {
					req.AddCookie(c)
				}
				if csrf != "" {
					req.Header.Set("X-CSRF-Token", csrf)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				var m map[string]any
				_ = json.NewDecoder(res.Body).Decode(&m)
				return res.StatusCode, m
			}
			status, me := call("GET", urls[1]+"/api/v1/me", "")
			if status != 200 || me["person"].(map[string]any)["email"] != "claire@eeas.example" {
				t.Fatalf("the other process: %d %v", status, me)
			}
			if status, _ := call("POST", urls[1]+"/api/v1/me/signout", me["csrf_token"].(string)); status != http.StatusNoContent {
				t.Fatalf("sign out on the other process: %d", status)
			}
			if status, _ := call("GET", urls[0]+"/api/v1/me", ""); status != http.StatusUnauthorized {
				t.Fatalf("the first process still knows the session: %d", status)
			}
		})
	}
}

// linkIn finds the sign-in link in a mailed message.
func linkIn(t *testing.T, raw []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`https?://\S+/signin/link\?token=\S+`).FindString(string(body))
	if link == "" {
		t.Fatalf("no link in:\n%s", body)
	}
	return link
}
