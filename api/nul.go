package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"
)

// NUL bytes are refused at the door: PostgreSQL cannot store them in text
// (it failed with a 500), SQLite would store what PostgreSQL refuses, and
// no calendar text needs them. A path or query carrying one is a 400
// naming the parameter; a JSON body, a 422-style validation problem
// naming the field (see decode).

// refuseNUL answers 400 to a request whose path or query holds a NUL.
func refuseNUL(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := c.Request().URL
		if strings.ContainsRune(u.Path, 0) {
			return problem(http.StatusBadRequest, "bad-request", "the path contains a NUL byte")
		}
		if strings.Contains(u.RawQuery, "%00") || strings.ContainsRune(u.RawQuery, 0) {
			q := u.Query()
			names := make([]string, 0, len(q))
			for name := range q {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				for _, v := range q[name] {
					if strings.ContainsRune(name, 0) || strings.ContainsRune(v, 0) {
						return invalid(name, "contains a NUL byte")
					}
				}
			}
		}
		return next(c)
	}
}

// nulField names the first string in a JSON body that holds a NUL
// (written \u0000), as a field path such as participants[0].id_or_code;
// "" when there is none. It decodes only bodies that may hold one.
func nulField(body []byte) string {
	if !bytes.Contains(body, []byte(`\u0000`)) {
		return ""
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return findNUL(v, "")
}

func findNUL(v any, path string) string {
	switch x := v.(type) {
	case string:
		if strings.ContainsRune(x, 0) {
			if path == "" {
				return "body"
			}
			return path
		}
	case []any:
		for i, e := range x {
			if f := findNUL(e, fmt.Sprintf("%s[%d]", path, i)); f != "" {
				return f
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if strings.ContainsRune(k, 0) {
				return p
			}
			if f := findNUL(x[k], p); f != "" {
				return f
			}
		}
	}
	return ""
}
