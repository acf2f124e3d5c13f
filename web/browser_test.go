package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's Chromium. They skip when it is
// missing, unless JOINTCAL_TEST_BROWSER=required (as in .ci/run), which
// makes a missing browser a failure; JOINTCAL_TEST_BROWSER=skip skips
// them (.ci/run's second pass, under -race, where they would only
// double its time: the pages' handlers are raced by the HTTP tests).
const (
	envBrowserTests = "JOINTCAL_TEST_BROWSER"
	envChromium     = "JOINTCAL_TEST_CHROMIUM"
	// envScreenshots names the directory the tests write a screenshot of
	// every page to (default: a jointcal-screenshots directory in the
	// system's temporary directory). scripts/screenshots.sh points it at
	// docs/screenshots.
	envScreenshots = "JOINTCAL_TEST_SCREENSHOTS"
)

func chromiumPath(t testing.TB) string {
	t.Helper()
	if os.Getenv(envBrowserTests) == "skip" {
		t.Skipf("browser test skipped: %s=skip (.ci/run runs them once, without -race)", envBrowserTests)
	}
	if p := os.Getenv(envChromium); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(envBrowserTests) == "required" {
		t.Fatalf("no Chromium found and %s=required: apt-get install chromium, or set %s", envBrowserTests, envChromium)
	}
	t.Skipf("browser test skipped: no Chromium (apt-get install chromium, or set %s)", envChromium)
	return ""
}

// browser is one headless Chromium tab on the site, which records what
// the page's console and the browser's log report (CSP violations,
// script errors) so that a test can fail on them.
type browser struct {
	t    testing.TB
	site *site
	ctx  context.Context
	mu   sync.Mutex
	logs []string
}

// browserTimeout bounds one flow; a flow that hangs fails with what the
// page shows instead of holding the suite. It is generous: CI runs the
// flows under -race on two cores.
const browserTimeout = 240 * time.Second

// browserSlots bounds the Chromiums running at once: each flow waits for
// a slot before its browser starts (and its clock with it), so that a
// dozen parallel flows on two cores do not all time out together.
var browserSlots = make(chan struct{}, 2)

func (s *site) browser(t testing.TB) *browser {
	t.Helper()
	path := chromiumPath(t)
	browserSlots <- struct{}{}
	t.Cleanup(func() { <-browserSlots })
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	// The first Run starts the browser and must not carry the flow's
	// deadline (it would stop the browser); later ones do.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	b := &browser{t: t, site: s}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException && m.Type != chromedp.ConsoleWarning {
				continue
			}
			b.mu.Lock()
			b.logs = append(b.logs, fmt.Sprintf("%s %s: %s (%s)", m.Type, m.Source, m.Text, m.URL))
			b.mu.Unlock()
		}
	}()
	var cancelTime context.CancelFunc
	b.ctx, cancelTime = context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(cancelTime)
	return b
}

// run runs actions, failing the test with the page's address and
// problems when one fails.
func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		url, _ := chromedp.Run(context.WithoutCancel(b.ctx), chromedp.Location())
		b.t.Fatalf("%s: %v (at %s; browser said: %v)", what, err, url, b.problems())
	}
}

// eval evaluates a script expression in the page.
func eval[T any](b *browser, what, expr string, opts ...chromedp.EvaluateOption) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		b.t.Fatalf("%s: %v (browser said: %v)", what, err, b.problems())
	}
	return v
}

// problems are the errors the page and the browser reported so far;
// a CSP violation is one of them.
func (b *browser) problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.logs...)
}

// clean fails the test if the page reported an error (a script error, a
// refused resource, a Content-Security-Policy violation).
func (b *browser) clean() {
	b.t.Helper()
	var bad []string
	for _, l := range b.problems() {
		// The favicon is not served: browsers ask for it anyway.
		if strings.Contains(l, "favicon.ico") {
			continue
		}
		bad = append(bad, l)
	}
	if len(bad) > 0 {
		b.t.Errorf("the browser reported problems:\n  %s", strings.Join(bad, "\n  "))
	}
}

// signIn opens a demo account's sign-in link and presses its button, as
// a person does from the e-mail or the terminal of `serve --demo`.
func (b *browser) signIn(email string) {
	b.t.Helper()
	b.run("sign in as "+email,
		chromedp.Navigate(b.site.link(email)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signin/link"] button`)),
		chromedp.Click(chromedp.CSS(`form[action="/signin/link"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#main h1`)),
	)
}

// screenshot writes the page as PNG, named for the flow and step.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv(envScreenshots)
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "jointcal-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// axe runs axe-core (web/testdata, injected for the test only) on the
// page and fails on any serious or critical WCAG 2.2 A/AA violation.
func (b *browser) axe(page string) {
	b.t.Helper()
	src, err := os.ReadFile("testdata/axe.min.js")
	if err != nil {
		b.t.Fatal(err)
	}
	eval[bool](b, "inject axe-core", string(src)+";true")
	out := eval[string](b, "axe-core on "+page, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}, resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map(n => n.target.join(" ") + " " + n.failureSummary)}))))`, chromedp.EvalAwaitPromise)
	var violations []struct {
		ID, Impact, Help string
		Nodes            []string
	}
	if err := json.Unmarshal([]byte(out), &violations); err != nil {
		b.t.Fatalf("axe-core answer %q: %v", out, err)
	}
	for _, v := range violations {
		b.t.Errorf("%s: %s accessibility violation %s (%s):\n    %s", page, v.Impact, v.ID, v.Help, strings.Join(v.Nodes, "\n    "))
	}
}

// text is the visible text of the first element matching sel.
//
// It is read in the page itself, waiting for the element to be there and
// shown: a node id taken by one DevTools command can be gone by the next
// when htmx settles a swapped fragment in between (Chromium then answers
// "No node with given id found", which failed the import flow once).
func (b *browser) text(sel string) string {
	b.t.Helper()
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e && e.getClientRects().length > 0 ? {text: e.innerText} : null })()`, sel)
	got, err := chromedp.Run(b.ctx, chromedp.Poll[struct{ Text string }](expr, chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		b.t.Fatalf("read %s: %v (browser said: %v)", sel, err, b.problems())
	}
	return got.Text
}

// location is the page's address.
func (b *browser) location() string {
	b.t.Helper()
	u, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}
