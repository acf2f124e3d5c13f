package models

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The package says what the data is and keeps none of it: a query here
// would bring back the package that was the whole application. Column
// types may implement database/sql/driver's Valuer and Scanner; nothing
// may reach a database, HTTP or the store.
func TestModelsHoldsNoQueries(t *testing.T) {
	t.Parallel()
	forbidden := []string{"gorm.io/", "database/sql", "github.com/glebarez/", "github.com/libtnb/", "modernc.org/", "github.com/jackc/", "net/http", "github.com/labstack/",
		"github.com/jointcal/jointcal/storage", "github.com/jointcal/jointcal/api", "github.com/jointcal/jointcal/web", "github.com/jointcal/jointcal/notify", "github.com/jointcal/jointcal/scheduler"}
	allowed := map[string]bool{"database/sql/driver": true}
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sources: %v", err)
	}
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if strings.HasPrefix(path, bad) && !allowed[path] {
					t.Errorf("%s imports %s: queries belong in package storage", name, path)
				}
			}
		}
	}
}
