package api_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestSignInLinkPageSpeaksThePersonsLanguage: the page an e-mailed link
// opens is in the person's own language, else the browser's, like the
// rest of the sign-in; a link no longer valid is refused in the browser's.
func TestSignInLinkPageSpeaksThePersonsLanguage(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		link := func(email string) string {
			t.Helper()
			secret, err := s.CreateDemoSignInLink(ctx, email, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		page := func(method, path string, form url.Values, acceptLanguage string) (int, string) {
			t.Helper()
			var body io.Reader
			if form != nil {
				body = strings.NewReader(form.Encode())
			}
			req, _ := http.NewRequest(method, e.srv.URL+path, body)
			if form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if acceptLanguage != "" {
				req.Header.Set("Accept-Language", acceptLanguage)
			}
			res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(raw)
		}
		// Ana chose French; Ben chose nothing.
		ana, err := s.GetPerson(ctx, "ana@eeas.example")
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.ActorForPerson(ctx, ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		fr := "fr"
		if _, err := s.UpdateMe(ctx, a, models.MeInput{Language: &fr}); err != nil {
			t.Fatal(err)
		}
		anaLink, benLink := link("ana@eeas.example"), link("ben@nato.example")
		tests := []struct {
			name, path, acceptLanguage string
			status                     int
			want                       []string
		}{
			{"person's own", "/signin/link?token=" + anaLink, "en-GB", 200, []string{`<html lang="fr">`, "Appuyez sur le bouton pour vous connecter.", "Ce lien vous connecte en tant que <strong>a•••@eeas.example</strong>.", "Se connecter à jointcal"}},
			{"browser's", "/signin/link?token=" + benLink, "fr-BE, en;q=0.8", 200, []string{`<html lang="fr">`, "Se connecter à jointcal"}},
			{"English", "/signin/link?token=" + benLink, "", 200, []string{`<html lang="en">`, "Press the button to sign in. The link works once.", "This link signs in as <strong>b•••@nato.example</strong>.", "Sign in to jointcal"}},
			{"not valid", "/signin/link?token=nothing", "fr", 400, []string{"Lien de connexion non valide", "demandez-en un nouveau"}},
			{"incomplete", "/signin/link", "fr", 400, []string{"Lien de connexion incomplet"}},
		}
		for _, tt := range tests {
			status, body := page("GET", tt.path, nil, tt.acceptLanguage)
			if status != tt.status {
				t.Errorf("%s: status %d", tt.name, status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: the page lacks %q:\n%s", tt.name, w, body)
				}
			}
		}
		if status, body := page("POST", "/signin/link", url.Values{"token": {"used-or-made-up"}}, "fr"); status != 400 || !strings.Contains(body, "Ce lien de connexion n’est pas valide") {
			t.Errorf("redeeming a bad link in French: %d\n%s", status, body)
		}
		if status, _ := page("POST", "/signin/link", url.Values{"token": {anaLink}}, "en"); status != http.StatusSeeOther {
			t.Errorf("redeeming Ana's link: %d", status)
		}
	})
}
