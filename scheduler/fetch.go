package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Fetcher downloads external calendars safely: only http and https, a
// bounded size, bounded redirects, connect and total timeouts, and no
// connection to private, loopback, link-local or otherwise internal
// addresses unless the configuration allows them. The address check runs
// on the resolved IP at connect time, so DNS tricks and redirects to an
// internal host are refused alike.
type Fetcher struct {
	client   *http.Client
	maxBytes int64
	allow    []netip.Prefix
}

// FetchResult is one conditional GET's outcome.
type FetchResult struct {
	Body         []byte
	ETag         string
	LastModified string
	NotModified  bool
}

// ErrAddressRefused is returned for a destination in a refused range.
var ErrAddressRefused = errors.New("destination address is not allowed (private, loopback or link-local; see JOINTCAL_FETCH_ALLOW)")

// NewFetcher builds a fetcher. allow lists the internal prefixes that may
// nevertheless be reached (tests allow loopback).
func NewFetcher(timeout time.Duration, maxBytes int64, maxRedirects int, allow []netip.Prefix) *Fetcher {
	f := &Fetcher{maxBytes: maxBytes, allow: allow}
	dialer := &net.Dialer{Timeout: min(timeout, 10*time.Second), Control: f.control}
	transport := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          10,
		IdleConnTimeout:       30 * time.Second,
		Proxy:                 nil, // a proxy would hide the real destination from the check
	}
	f.client = &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("more than %d redirects", maxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to a %s: URL refused", req.URL.Scheme)
			}
			return nil
		},
	}
	return f
}

// control vets the address a connection is about to reach.
func (f *Fetcher) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("unexpected address %q: %w", address, err)
	}
	if refused(ap.Addr().Unmap()) {
		for _, p := range f.allow {
			if p.Contains(ap.Addr().Unmap()) {
				return nil
			}
		}
		return fmt.Errorf("%s: %w", ap.Addr(), ErrAddressRefused)
	}
	return nil
}

// refused reports addresses an external calendar must not point at.
func refused(a netip.Addr) bool {
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsUnspecified() || a.IsMulticast() || a.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range internalRanges {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// internalRanges are further ranges that are not the public Internet.
var internalRanges = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),  // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),   // reserved
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 can reach IPv4 internals
}

// ValidateURL checks a subscription URL before it is stored.
func ValidateURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New("want an absolute http(s) URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "webcal" {
		return fmt.Errorf("scheme %q is not allowed: use http, https or webcal", u.Scheme)
	}
	if u.User != nil {
		return errors.New("credentials in the URL are not accepted")
	}
	return nil
}

// Fetch performs a conditional GET (If-None-Match / If-Modified-Since).
func (f *Fetcher) Fetch(ctx context.Context, rawURL, etag, lastModified string) (*FetchResult, error) {
	if err := ValidateURL(rawURL); err != nil {
		return nil, err
	}
	if strings.HasPrefix(rawURL, "webcal://") {
		rawURL = "https://" + strings.TrimPrefix(rawURL, "webcal://")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/calendar, */*;q=0.5")
	req.Header.Set("User-Agent", "jointcal (external calendar sync)")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	res, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotModified:
		return &FetchResult{NotModified: true, ETag: etag, LastModified: lastModified}, nil
	case res.StatusCode != http.StatusOK:
		// The code and its standard text only: the reason phrase is the
		// remote server's own words.
		return nil, fmt.Errorf("the server answered %d %s", res.StatusCode, http.StatusText(res.StatusCode))
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, f.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the calendar: %w", err)
	}
	if int64(len(body)) > f.maxBytes {
		return nil, fmt.Errorf("the calendar is larger than %d bytes", f.maxBytes)
	}
	return &FetchResult{Body: body, ETag: res.Header.Get("ETag"), LastModified: res.Header.Get("Last-Modified")}, nil
}
