package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/auth"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestReplyLinks: opening an answer link shows the answer and a button
// and records nothing; pressing it records the answer (channel link),
// again changes nothing; the page is in the person's language with the
// strict headers; a forged, altered or expired link records nothing; a
// person the activity no longer reaches cannot answer.
func TestReplyLinks(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		chloe, err := s.GetPerson(ctx, "chloe@eeas.example")
		if err != nil {
			t.Fatal(err)
		}
		fr := "fr"
		if _, err := s.UpdateMe(ctx, models.Actor{PersonID: chloe.ID, Name: "chloe"}, models.MeInput{Language: &fr}); err != nil {
			t.Fatal(err)
		}
		ben, err := s.GetPerson(ctx, "ben@nato.example")
		if err != nil {
			t.Fatal(err)
		}
		id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", meeting("EU", "Cross-briefing <hybrid>", "2031-03-04T10:00:00+01:00", "2031-03-04T12:00:00+01:00",
			person("chloe@eeas.example", true), person("ben@nato.example", false))), 201))
		key, err := s.ServerKey(ctx, models.ReplyLinkKey)
		if err != nil {
			t.Fatal(err)
		}
		until := time.Date(2031, 3, 4, 11, 0, 0, 0, time.UTC)
		link := func(person int64, ps string, until time.Time) string {
			return "/reply/" + auth.SignReplyLink(key, auth.ReplyClaim{Person: person, Activity: id, PartStat: ps, Until: until})
		}
		b := newBrowser(e)
		replies := func() map[string]any {
			t.Helper()
			list := e.expect(e.do("GET", fmt.Sprintf("/api/v1/activities/%d/replies", id), "eu_planner", nil), 200).json(t)
			return list["summary"].(map[string]any)
		}

		decline := link(chloe.ID, "declined", until)
		page := e.expect(b.do("GET", decline, nil, ""), 200)
		body := string(page.Body)
		for _, want := range []string{`<html lang="fr">`, "Votre réponse", "Cross-briefing &lt;hybrid&gt;", "Refuser", `<form method="post" action="` + decline + `">`} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q:\n%s", want, body)
			}
		}
		if h := page.Header; h.Get("Cache-Control") != "no-store" || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") || h.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("headers %v", h)
		}
		if sum := replies(); sum["declined"] != 0.0 {
			t.Fatalf("opening the link recorded an answer: %v", sum)
		}
		e.expect(b.do("POST", decline, url.Values{"comment": {"en mission"}}, ""), 200)
		e.expect(b.do("POST", decline, url.Values{"comment": {"en mission"}}, ""), 200)
		if sum := replies(); sum["declined"] != 1.0 {
			t.Fatalf("after the button: %v", sum)
		}
		list := e.expect(e.do("GET", fmt.Sprintf("/api/v1/activities/%d/replies", id), "eu_planner", nil), 200).json(t)
		for _, it := range list["items"].([]any) {
			r := it.(map[string]any)
			if r["person"].(map[string]any)["email"] == "chloe@eeas.example" && (r["channel"] != "link" || r["comment"] != "en mission") {
				t.Errorf("Chloé's reply %v", r)
			}
		}

		// Forged, altered, expired.
		forged := "/reply/" + auth.SignReplyLink([]byte(strings.Repeat("x", 32)), auth.ReplyClaim{Person: ben.ID, Activity: id, PartStat: "accepted", Until: until})
		e.expect(b.do("POST", forged, nil, ""), 400)
		e.expect(b.do("POST", strings.Replace(decline, ".declined.", ".accepted.", 1), nil, ""), 400)
		e.expect(b.do("POST", link(ben.ID, "accepted", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)), nil, ""), 410)
		if sum := replies(); sum["accepted"] != 0.0 {
			t.Fatalf("a bad link recorded an answer: %v", sum)
		}
		// Ben is taken off the activity: his link no longer answers it.
		benAccept := link(ben.ID, "accepted", until)
		e.expect(e.do("PATCH", fmt.Sprintf("/api/v1/activities/%d", id), "eu_planner", map[string]any{"participants": []any{person("chloe@eeas.example", true)}}), 200)
		e.expect(b.do("POST", benAccept, nil, ""), 403)
	})
}

// TestReplyLinkRefusedInTheBrowsersLanguage: a link that is not valid is
// explained in the browser's language, since nobody is known from it, and
// in plain words rather than an error's.
func TestReplyLinkRefusedInTheBrowsersLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	for _, tc := range []struct{ lang, want string }{
		{"fr-BE,fr;q=0.9", "Ce lien de réponse n&#39;est pas valide : copiez le lien entier depuis le courriel."},
		{"en-GB", "This answer link is not valid: copy the whole link from the e-mail."},
		{"", "This answer link is not valid"},
	} {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/reply/not-a-link", nil)
		if tc.lang != "" {
			req.Header.Set("Accept-Language", tc.lang)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(raw), tc.want) {
			t.Errorf("Accept-Language %q: %d\n%s\nwant 400 with %q", tc.lang, res.StatusCode, raw, tc.want)
		}
	}
}
