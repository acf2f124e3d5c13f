package web_test

import (
	"bytes"
	"context"
	"html"
	"mime/multipart"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
)

// upload posts a multipart form: fields, and file (when not nil) as
// "file".
func (c *client) upload(path string, fields map[string]string, file []byte) answer {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", "plan.ics")
		fw.Write(file)
	}
	mw.Close()
	return c.do(http.MethodPost, path, &buf, map[string]string{"Content-Type": mw.FormDataContentType(), "Origin": c.site.URL})
}

var hiddenCalendar = regexp.MustCompile(`name="calendar" value="([^"]*)"`)

func countImported(t *testing.T, s *site, title string) int {
	t.Helper()
	page, err := s.Store.ListActivities(context.Background(), models.System(), models.ActivityFilter{Q: title})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}

func TestImportPreviewsThenImports(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(euPlannerEmail)
	file, err := os.ReadFile("../calendar/testdata/single_timed.ics")
	if err != nil {
		t.Fatal(err)
	}
	if r := c.get("/import"); r.status != http.StatusOK || !strings.Contains(r.body, `enctype="multipart/form-data"`) {
		t.Fatalf("import page: %d", r.status)
	}
	before := countImported(t, s, "NAC–PSC informal meeting")
	r := c.upload("/import", map[string]string{"csrf_token": c.csrf(), "organization": "EU"}, file)
	if r.status != http.StatusOK || !strings.Contains(r.body, `action="/import/confirm"`) {
		t.Fatalf("preview: %d\n%s", r.status, r.body)
	}
	if !strings.Contains(r.body, "<strong>1</strong> to create") {
		t.Errorf("the preview does not count one event to create")
	}
	title := "NAC–PSC informal meeting"
	if !strings.Contains(string(file), title) {
		t.Fatalf("fixture changed: no %q", title)
	}
	if n := countImported(t, s, title); n != before {
		t.Fatalf("the preview wrote %d activities", n)
	}
	m := hiddenCalendar.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("the preview does not carry the file to the confirmation")
	}
	r = c.upload("/import/confirm", map[string]string{"csrf_token": c.csrf(), "organization": "EU", "calendar": html.UnescapeString(m[1])}, nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "<strong>1</strong> to create") {
		t.Fatalf("confirm: %d\n%s", r.status, r.body)
	}
	if n := countImported(t, s, title); n != before+1 {
		t.Fatalf("after confirmation: %d activities", n)
	}
	// Again: unchanged.
	r = c.upload("/import/confirm", map[string]string{"csrf_token": c.csrf(), "organization": "EU", "calendar": html.UnescapeString(m[1])}, nil)
	if !strings.Contains(r.body, "<strong>1</strong> unchanged") {
		t.Errorf("a second import is not unchanged")
	}
}

func TestImportMarksBadInput(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(euPlannerEmail)
	broken, err := os.ReadFile("../calendar/testdata/import/broken_unclosed.ics")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		fields map[string]string
		file   []byte
		id     string
		want   string
	}{
		{"no file", map[string]string{"organization": "EU"}, nil, `id="import-file"`, "Choose an .ics file"},
		{"broken file", map[string]string{"organization": "EU"}, broken, `id="import-file"`, "Line "},
		{"bad zone", map[string]string{"organization": "EU", "timezone": "Mars/Olympus"}, broken, `id="import-zone"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fields["csrf_token"] = c.csrf()
			r := c.upload("/import", tt.fields, tt.file)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", r.status)
			}
			i := strings.Index(r.body, tt.id)
			if i < 0 || !strings.Contains(r.body[i:i+400], `aria-invalid="true"`) {
				t.Errorf("%s is not marked invalid", tt.id)
			}
			if !strings.Contains(r.body, tt.want) {
				t.Errorf("no %q in the answer", tt.want)
			}
		})
	}
	// Without the CSRF token nothing is read.
	if r := c.upload("/import", map[string]string{"organization": "EU"}, broken); r.status != http.StatusForbidden {
		t.Errorf("without CSRF: %d", r.status)
	}
	// A NATO planner may not import for the EU: the store refuses.
	nato := s.signedIn(natoPlannerEmail)
	file, _ := os.ReadFile("../calendar/testdata/single_timed.ics")
	if r := nato.upload("/import", map[string]string{"csrf_token": nato.csrf(), "organization": "EU"}, file); r.status != http.StatusForbidden {
		t.Errorf("NATO importing for the EU: %d", r.status)
	}
}

// A file above JOINTCAL_IMPORT_ASYNC_EVENTS is previewed and imported by
// background jobs whose page shows the progress, then the report.
func TestImportLargeFileRunsAsJobs(t *testing.T) {
	t.Parallel()
	s := newSiteWith(t, map[string]string{"JOINTCAL_IMPORT_ASYNC_EVENTS": "1"})
	c := s.signedIn(euPlannerEmail)
	file, err := os.ReadFile("../calendar/testdata/import/google_export.ics")
	if err != nil {
		t.Fatal(err)
	}
	r := c.upload("/import", map[string]string{"csrf_token": c.csrf(), "organization": "EU", "partial": "true"}, file)
	if r.status != http.StatusAccepted || !strings.Contains(r.body, `id="import-job"`) {
		t.Fatalf("large preview: %d\n%s", r.status, r.body)
	}
	job := regexp.MustCompile(`/import/jobs/(\d+)`).FindStringSubmatch(r.body)
	if job == nil {
		t.Fatal("no job to follow")
	}
	// The job page answers htmx with the fragment only, and ends with the
	// report.
	var frag answer
	for i := 0; i < 100; i++ {
		frag = c.do(http.MethodGet, "/import/jobs/"+job[1], nil, map[string]string{"HX-Request": "true"})
		if !strings.Contains(frag.body, "hx-trigger") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if frag.status != http.StatusOK || strings.Contains(frag.body, "<html") || !strings.Contains(frag.body, `class="report"`) {
		t.Fatalf("finished job fragment: %d\n%s", frag.status, frag.body)
	}
	m := hiddenCalendar.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("the preview does not carry the file")
	}
	r = c.upload("/import/confirm", map[string]string{"csrf_token": c.csrf(), "organization": "EU", "partial": "true", "calendar": html.UnescapeString(m[1])}, nil)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/import/jobs/") {
		t.Fatalf("large import: %d %s", r.status, r.header.Get("Location"))
	}
	// Someone else cannot follow it.
	other := s.signedIn(natoPlannerEmail)
	if r := other.get(r.header.Get("Location")); r.status != http.StatusNotFound {
		t.Errorf("another person's job: %d", r.status)
	}
}

// An upload above the bound is refused before anything reads it.
func TestImportRefusesAnOversizedBody(t *testing.T) {
	t.Parallel()
	s := newSiteWith(t, map[string]string{"JOINTCAL_IMPORT_MAX_BYTES": "1024"})
	c := s.signedIn(euPlannerEmail)
	big := bytes.Repeat([]byte("X"), 100000)
	if r := c.upload("/import", map[string]string{"csrf_token": c.csrf(), "organization": "EU"}, big); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("an oversized upload: %d", r.status)
	}
}
