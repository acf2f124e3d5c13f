package api

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// fullConflict sets every field of a ConflictView, so that a field added
// to it (or to what it holds) without being written here fails
// TestCheckReportJSONIsEncodingJSON.
func fullConflict(title string, at time.Time) models.ConflictView {
	start, end := at.Add(time.Hour), at.Add(90*time.Minute+123456789)
	return models.ConflictView{
		Rule: "person_double_booked", Severity: "hard",
		Resource:   models.ResourceView{Type: "person", ID: 42, Code: "ana@eeas.example", Name: title},
		Occurrence: models.SpanView{Start: at, End: at.Add(2 * time.Hour)},
		Other: models.OtherView{ActivityID: 7, BlackoutID: 8, ExternalCalendarID: 9, Title: title, Start: &start, End: &end,
			Restricted: true, Note: "proposed by EU, awaiting NATO"},
		Overlap: models.SpanView{Start: start, End: end},
	}
}

// nonZero fails when a field of v, at any depth of structs, is its zero value.
func nonZero(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	if v.Kind() == reflect.Struct && v.Type() != reflect.TypeOf(time.Time{}) {
		for i := range v.NumField() {
			nonZero(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
		return
	}
	if v.IsZero() {
		t.Fatalf("%s is not set in fullConflict: write it in appendConflictView and set it here", path)
	}
}

// TestCheckReportJSONIsEncodingJSON: the hand-written report is byte for
// byte what c.JSON's encoder writes, for every field, empty or not, for
// strings that need escaping and for times in any zone; where
// encoding/json refuses a time, the hand-written one declines too.
func TestCheckReportJSONIsEncodingJSON(t *testing.T) {
	t.Parallel()
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2027, 3, 28, 1, 30, 0, 0, brussels)
	nonZero(t, reflect.ValueOf(fullConflict("x", at)), "ConflictView")
	strs := []string{"", "Plain title", `quote " and \ back`, "<b>&amp;</b>", "tab\tnew\nline\x00\x1f", "Zürich – 東京 😀",
		"line\u2028para\u2029", "bad \xff utf-8", "\x7f del"}
	times := []time.Time{at, at.UTC(), at.Add(123456789), time.Date(2027, 1, 1, 0, 0, 0, 1, time.FixedZone("", -(9*3600+30*60))),
		time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("odd", 3600+30))}
	refused := []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("far", 24*3600))}
	var reports []models.CheckReport
	reports = append(reports, models.CheckReport{}, models.CheckReport{Conflicts: []models.ConflictView{}, Warnings: []models.ConflictView{}})
	for _, s := range strs {
		for _, tm := range append(times, refused...) {
			full := fullConflict(s, tm)
			bare := models.ConflictView{Rule: s, Severity: "warning", Resource: models.ResourceView{Type: "venue", Name: s},
				Occurrence: models.SpanView{Start: tm, End: tm}, Overlap: models.SpanView{Start: tm, End: tm}}
			reports = append(reports, models.CheckReport{Conflicts: []models.ConflictView{full, bare}, Warnings: []models.ConflictView{bare}},
				models.CheckReport{Warnings: []models.ConflictView{full}})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		v := fullConflict(randomString(rng), times[rng.IntN(len(times))])
		v.Other.ActivityID, v.Other.BlackoutID, v.Other.ExternalCalendarID = rng.Int64N(3), rng.Int64N(3), rng.Int64N(3)
		v.Other.Restricted = rng.IntN(2) == 0
		if rng.IntN(2) == 0 {
			v.Other.Start, v.Other.End, v.Other.Title, v.Other.Note = nil, nil, "", ""
		}
		reports = append(reports, models.CheckReport{Conflicts: []models.ConflictView{v}})
	}
	for i, r := range reports {
		var want bytes.Buffer
		wantErr := json.NewEncoder(&want).Encode(r)
		got, ok := appendCheckReport(nil, r)
		switch {
		case wantErr != nil && ok:
			t.Fatalf("report %d: encoding/json refuses it (%v), the hand-written one wrote %s", i, wantErr, got)
		case wantErr == nil && !ok:
			t.Fatalf("report %d: declined, encoding/json writes %s", i, want.Bytes())
		case ok && !bytes.Equal(append(got, '\n'), want.Bytes()):
			t.Fatalf("report %d:\n got %s\nwant %s", i, got, want.Bytes())
		}
	}
}

func randomString(rng *rand.Rand) string {
	const pool = "aZ09 <>&\"\\\t\n\x01\x7f\xc3\xa9\xe2\x80\xa8\xff/'"
	var b strings.Builder
	for range rng.IntN(12) {
		b.WriteByte(pool[rng.IntN(len(pool))])
	}
	return b.String()
}

// TestWriteCheckReportAnswersAsJSON: status, headers and body are those
// of c.JSON, with and without ?pretty.
func TestWriteCheckReportAnswersAsJSON(t *testing.T) {
	t.Parallel()
	r := models.CheckReport{Conflicts: []models.ConflictView{fullConflict("<Title>", time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC))}, Warnings: []models.ConflictView{}}
	e := echo.New()
	for _, target := range []string{"/api/v1/conflicts/check", "/api/v1/conflicts/check?pretty"} {
		answer := func(write func(c echo.Context) error) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			if err := write(e.NewContext(httptest.NewRequest(http.MethodPost, target, nil), rec)); err != nil {
				t.Fatal(err)
			}
			return rec
		}
		got := answer(func(c echo.Context) error { return writeCheckReport(c, r) })
		want := answer(func(c echo.Context) error { return c.JSON(http.StatusOK, r) })
		if got.Code != want.Code || !reflect.DeepEqual(got.Header(), want.Header()) || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
			t.Fatalf("%s:\n got %d %v %s\nwant %d %v %s", target, got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
		}
	}
}
