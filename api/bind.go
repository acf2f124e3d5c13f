package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// decode reads a JSON body strictly into dst: bounded size, valid UTF-8
// (the decoder would silently replace bad bytes), no unknown fields, one
// value only. dst may already hold values (a PATCH decodes onto the
// current state), which absent fields keep.
func (s *Server) decode(c echo.Context, dst any) error {
	req := c.Request()
	if ct := req.Header.Get(echo.HeaderContentType); ct != "" && !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/merge-patch+json") {
		return problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "send application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return problem(http.StatusRequestEntityTooLarge, "body-too-large", fmt.Sprintf("the request body is larger than %d bytes", s.cfg.MaxBodyBytes))
		}
		return problem(http.StatusBadRequest, "bad-request", "could not read the request body")
	}
	if !utf8.Valid(body) {
		return invalid("body", "the request body is not valid UTF-8")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return invalid("body", "a JSON object is required")
	}
	if field := nulField(body); field != "" {
		return &models.ValidationError{Errors: []models.FieldError{{Field: field, Message: "contains a NUL byte"}}}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonProblem(err, body)
	}
	if dec.More() {
		return invalid("body", "one JSON value expected, found more after it")
	}
	return nil
}

// jsonProblem turns a decoding error into a problem naming the field.
func jsonProblem(err error, body []byte) *Problem {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		tpe *time.ParseError
	)
	switch {
	case errors.As(err, &syn):
		return invalid("body", fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn))
	case errors.As(err, &typ):
		return invalid(jsonField(typ.Field), fmt.Sprintf("want %s, got JSON %s", typ.Type, typ.Value))
	case errors.As(err, &tpe):
		return invalid(badTimeField(body), "want an RFC 3339 time with offset, such as 2021-03-10T10:00:00+01:00")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalid(field, "unknown field")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("body", "malformed JSON: unexpected end of input")
	}
	return invalid("body", err.Error())
}

// badTimeField finds the top-level field holding an unparsable time: the
// JSON decoder does not name the field when time.Time rejects a value.
func badTimeField(body []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return "body"
	}
	for _, field := range []string{"start", "end", "exdates", "rdates", "from", "to"} {
		raw, ok := top[field]
		if !ok {
			continue
		}
		var one time.Time
		var many []time.Time
		if json.Unmarshal(raw, &one) != nil && json.Unmarshal(raw, &many) != nil {
			return field
		}
	}
	return "body"
}

// ifVersion reads If-Match ("*", or the quoted version an ETag carried).
func ifVersion(c echo.Context) (int, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	h = strings.TrimPrefix(h, "W/")
	v, err := strconv.Atoi(strings.TrimPrefix(strings.Trim(h, `"`), "v"))
	if err != nil || v <= 0 {
		return 0, problem(http.StatusPreconditionFailed, "stale-version", "If-Match must be an ETag this service issued")
	}
	return v, nil
}

// current loads what a PATCH changes and holds it to If-Match: a stale
// version is answered before the body is read, and the caller decodes the
// body onto the current input, so that absent fields keep their values.
// The store checks the version again inside its transaction.
func current[T any](c echo.Context, load func() (*T, error), version func(*T) int) (*T, error) {
	want, err := ifVersion(c)
	if err != nil {
		return nil, err
	}
	cur, err := load()
	if err != nil {
		return nil, err
	}
	if want != 0 && want != version(cur) {
		return nil, models.ErrStale
	}
	return cur, nil
}

// setETag marks a representation with its version.
func setETag(c echo.Context, version int) {
	c.Response().Header().Set("ETag", `"v`+strconv.Itoa(version)+`"`)
}

// listOptions reads limit and cursor. A limit that is not a number is a
// 400; one outside 1..MaxLimit, negative or too large alike, is refused
// with the same 422 rather than silently clamped, so a client never gets
// a page size it did not ask for.
func listOptions(c echo.Context) (models.ListOptions, error) {
	o := models.ListOptions{Cursor: c.QueryParam("cursor")}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return o, invalid("limit", "want an integer")
		}
		if n < 1 || n > models.MaxLimit {
			return o, unprocessable("limit", fmt.Sprintf("want 1 to %d", models.MaxLimit))
		}
		o.Limit = n
	}
	return o, nil
}

// timeParam reads an optional RFC 3339 query parameter.
func timeParam(c echo.Context, name string) (time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, invalid(name, "want an RFC 3339 time such as 2021-01-01T00:00:00Z")
	}
	return t, nil
}

// idParam reads the numeric :id path parameter.
func idParam(c echo.Context) (int64, error) {
	return idFrom(c.Param("id"))
}

// idFrom parses a positive integer path id. Anything else is a malformed
// request (400), not a resource that does not exist (404).
func idFrom(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid("id", "want a positive integer id")
	}
	return id, nil
}

// jsonField drops the Go struct names the decoder puts before a field of
// an embedded struct ("ActivityInput.all_day" becomes "all_day").
func jsonField(path string) string {
	parts := strings.Split(path, ".")
	for len(parts) > 1 && parts[0] != "" && parts[0][0] >= 'A' && parts[0][0] <= 'Z' {
		parts = parts[1:]
	}
	return strings.Join(parts, ".")
}

// window reads the optional ?from= and ?to= of lists and reports.
func window(c echo.Context) (from, to time.Time, err error) {
	if from, err = timeParam(c, "from"); err != nil {
		return from, to, err
	}
	to, err = timeParam(c, "to")
	return from, to, err
}

// listWindow reads the pagination and the from/to window of a list.
func listWindow(c echo.Context) (models.ListOptions, time.Time, time.Time, error) {
	opts, err := listOptions(c)
	if err != nil {
		return opts, time.Time{}, time.Time{}, err
	}
	from, to, err := window(c)
	return opts, from, to, err
}
