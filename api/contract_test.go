package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/jointcal/jointcal/api"
)

// contract is the OpenAPI document loaded once for the whole test binary,
// with a router that finds the operation of a request.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

// loadContract parses and validates the served document; a document that
// does not load fails every test that talks to the API.
var loadContract = sync.OnceValues(func() (*contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI())
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &contract{doc: doc, router: router}, nil
})

// isJSON tells whether a content type carries JSON (plain or problem).
func isJSON(contentType string) bool {
	ct, _, _ := strings.Cut(contentType, ";")
	ct = strings.TrimSpace(ct)
	return ct == "application/json" || strings.HasSuffix(ct, "+json")
}

// checkContract validates one exchange of the test suite against the
// OpenAPI document, so that the document cannot drift from the server:
//   - every request is routed to a documented operation;
//   - a JSON request the server accepted (status below 400) must satisfy
//     the document: a document stricter than the server is wrong;
//   - every response must have a documented status and, when it is JSON,
//     match its schema, whatever the request was.
//
// Requests the server refused may break the document on purpose (the
// tests send malformed bodies to see them refused), so they are not held
// to it.
func checkContract(t testing.TB, req *http.Request, sent []byte, r response) {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatalf("OpenAPI document does not load: %v", err)
		return
	}
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		if r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed {
			return // a request to a route that does not exist, on purpose
		}
		t.Fatalf("OpenAPI: %s %s is not documented (%v) yet answered %d", req.Method, req.URL.Path, err, r.Status)
		return
	}
	// The router hands path parameters over still percent-encoded; the
	// document describes their decoded values, as the server reads them.
	for k, v := range params {
		if u, err := url.PathUnescape(v); err == nil {
			params[k] = u
		}
	}
	ctx := context.Background()
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true,
	}
	in := &openapi3filter.RequestValidationInput{Request: req.Clone(ctx), PathParams: params, Route: route, Options: opts}
	in.Request.Body = io.NopCloser(bytes.NewReader(sent))
	if r.Status < 400 {
		if !isJSON(req.Header.Get("Content-Type")) {
			opts.ExcludeRequestBody = true
		}
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("OpenAPI: %s %s was accepted (%d) but breaks the document:\n%v\nbody: %s", req.Method, req.URL.RequestURI(), r.Status, err, sent)
		}
	}
	ropts := *opts
	ropts.ExcludeRequestBody = false
	if !isJSON(r.Header.Get("Content-Type")) {
		ropts.ExcludeResponseBody = true
	}
	in.Options = &ropts
	// A gzip answer is checked as the document describes it: inflated.
	respBody := r.Body
	if r.Header.Get("Content-Encoding") == "gzip" && !ropts.ExcludeResponseBody {
		zr, err := gzip.NewReader(bytes.NewReader(r.Body))
		if err == nil {
			respBody, err = io.ReadAll(zr)
		}
		if err != nil {
			t.Errorf("OpenAPI: the gzip answer %d to %s %s does not inflate: %v", r.Status, req.Method, req.URL.RequestURI(), err)
			return
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.Status, Header: r.Header, Body: io.NopCloser(bytes.NewReader(respBody)), Options: &ropts}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("OpenAPI: the answer %d to %s %s breaks the document:\n%v\nbody: %s", r.Status, req.Method, req.URL.RequestURI(), err, truncate(r.Body))
	}
}

// truncate keeps failure messages readable.
func truncate(b []byte) []byte {
	if len(b) > 2000 {
		return append(b[:2000:2000], "…"...)
	}
	return b
}

// recorder is a testing.TB that keeps the failures instead of failing.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Errorf(f string, args ...any) { r.failures = append(r.failures, f) }
func (r *recorder) Fatalf(f string, args ...any) { r.failures = append(r.failures, f) }

// TestContractCatchesDrift shows that the check fails when the server
// answers what the document does not describe, and passes when it does.
func TestContractCatchesDrift(t *testing.T) {
	t.Parallel()
	problemHeader := http.Header{"Content-Type": {"application/problem+json"}}
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	for _, tc := range []struct {
		name, method, path string
		sent               string
		status             int
		header             http.Header
		body               string
		fails              bool
	}{
		{"documented problem", "GET", "/api/v1/activities/7", "", 404, problemHeader, `{"type":"urn:jointcal:problem:not-found","title":"Not found","status":404}`, false},
		{"problem without status", "GET", "/api/v1/activities/7", "", 404, problemHeader, `{"type":"urn:jointcal:problem:not-found","title":"Not found"}`, true},
		{"undocumented field", "GET", "/api/v1/jobs", "", 200, jsonHeader, `{"items":[],"extra":1}`, true},
		{"wrong item type", "GET", "/api/v1/audit", "", 200, jsonHeader, `{"items":[{"id":"one"}],"next_cursor":null,"total":1}`, true},
		{"good page", "GET", "/api/v1/audit", "", 200, jsonHeader, `{"items":[],"next_cursor":null,"total":0}`, false},
		{"accepted request breaking the document", "POST", "/api/v1/conflicts/check", `{"activity":"seven"}`, 200, jsonHeader, `{"conflicts":[],"warnings":[]}`, true},
		{"refused request breaking the document", "POST", "/api/v1/conflicts/check", `{"activity":"seven"}`, 400, problemHeader, `{"type":"urn:jointcal:problem:bad-request","title":"Bad request","status":400}`, false},
		{"undocumented route answering", "GET", "/api/v1/nowhere", "", 200, jsonHeader, `{}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(tc.method, "http://127.0.0.1"+tc.path, strings.NewReader(tc.sent))
			if err != nil {
				t.Fatal(err)
			}
			if tc.sent != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := &recorder{TB: t}
			checkContract(rec, req, []byte(tc.sent), response{Status: tc.status, Header: tc.header, Body: []byte(tc.body)})
			if failed := len(rec.failures) > 0; failed != tc.fails {
				t.Fatalf("check failed=%v, want %v (%v)", failed, tc.fails, rec.failures)
			}
		})
	}
}
