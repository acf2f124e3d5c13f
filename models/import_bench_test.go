package models_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/models/modelstest"
)

// benchCalendar parses a file of n one-hour events, each with an
// attendee, a category and a reminder, as exported calendars have.
func benchCalendar(b *testing.B, n int) *calendar.ImportResult {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n")
	start := time.Date(2031, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		s := start.Add(time.Duration(i) * 90 * time.Minute)
		fmt.Fprintf(&sb, "BEGIN:VEVENT\r\nUID:bench-%d\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Event %d\r\n"+
			"CATEGORIES:Meeting\r\nATTENDEE;CN=Ana:mailto:ana@eeas.example\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT1H\r\nEND:VALARM\r\nEND:VEVENT\r\n",
			i, s.Format("20060102T150405Z"), s.Add(time.Hour).Format("20060102T150405Z"), i)
	}
	sb.WriteString("END:VCALENDAR\r\n")
	res, err := calendar.ParseImport(strings.NewReader(sb.String()), calendar.ImportOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return res
}

func benchImportStore(b *testing.B) *models.Store {
	s := modelstest.Open(b)
	ctx := context.Background()
	sys := models.System()
	if _, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union"}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: "Ana", Email: "ana@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkImport measures a first import of 2,000 events on SQLite
// (events/s is the figure docs/PERFORMANCE.md records).
func BenchmarkImport(b *testing.B) {
	parsed := benchCalendar(b, 2000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := benchImportStore(b)
		b.StartTimer()
		if _, err := s.Import(ctx, models.System(), parsed, models.ImportOptions{Organization: "EU"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkReimportUnchanged measures importing the same 2,000 events
// again: nothing changes, nothing is written.
func BenchmarkReimportUnchanged(b *testing.B) {
	parsed := benchCalendar(b, 2000)
	ctx := context.Background()
	s := benchImportStore(b)
	if _, err := s.Import(ctx, models.System(), parsed, models.ImportOptions{Organization: "EU"}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := s.Import(ctx, models.System(), parsed, models.ImportOptions{Organization: "EU"})
		if err != nil || rep.Unchanged != 2000 {
			b.Fatalf("unchanged %d, %v", rep.Unchanged, err)
		}
	}
	b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "events/s")
}
