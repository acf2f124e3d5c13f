package api_test

import (
	"io"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/api"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// documented reads "path -> methods" from the OpenAPI document: paths are
// the two-space-indented keys under "paths:", methods the four-space ones.
func documented(doc string) map[string]bool {
	out := map[string]bool{}
	inPaths, path := false, ""
	for _, line := range strings.Split(doc, "\n") {
		switch {
		case line == "paths:":
			inPaths = true
		case inPaths && len(line) > 0 && line[0] != ' ':
			inPaths = false
		case inPaths && strings.HasPrefix(line, "  /"):
			path = strings.TrimSuffix(strings.TrimSpace(line), ":")
		case inPaths && regexp.MustCompile(`^    (get|post|patch|put|delete|head):`).MatchString(line):
			out[strings.ToUpper(strings.TrimSuffix(strings.TrimSpace(line), ":"))+" "+path] = true
		}
	}
	return out
}

// TestOpenAPIMatchesRoutes keeps the document in step with the router.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	cfg, _ := config.Load(func(string) string { return "" })
	s := api.New(storagetest.Open(t), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	doc := documented(string(api.OpenAPI()))
	registered := map[string]bool{}
	param := regexp.MustCompile(`:([a-z_]+)`)
	for _, r := range s.Routes() {
		if strings.HasPrefix(r.Name, "github.com/labstack/echo") || r.Method == "echo_route_any" {
			continue
		}
		registered[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	var missing, extra []string
	for k := range registered {
		if !doc[k] {
			missing = append(missing, k)
		}
	}
	for k := range doc {
		if !registered[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("OpenAPI out of step with the router:\n undocumented routes: %v\n documented but not routed: %v", missing, extra)
	}
	if len(registered) < 30 {
		t.Fatalf("only %d routes seen; the parser is broken", len(registered))
	}
}
