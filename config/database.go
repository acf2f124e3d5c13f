package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// schemeRE recognises a URL scheme ("mysql://…"), as opposed to a file path.
var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// checkDatabaseURL refuses a JOINTCAL_DATABASE_URL that cannot work, before
// anything connects: the SQLite driver reports a foreign scheme or a missing
// directory only as "out of memory (14)", and a PostgreSQL URL without a
// database name silently lands in the server's default database.
func checkDatabaseURL(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("must not be empty")
	}
	if m := schemeRE.FindString(v); m != "" {
		scheme := strings.ToLower(strings.TrimSuffix(m, "://"))
		if scheme != "postgres" && scheme != "postgresql" {
			return fmt.Errorf("unsupported database %q: want a postgres://… URL or a SQLite file path", scheme)
		}
		u, err := url.Parse(v)
		if err != nil {
			return fmt.Errorf("not a valid PostgreSQL URL: %w", redactURLError(err))
		}
		if u.Host == "" {
			return errors.New("the PostgreSQL URL names no host, as in postgres://user@host:5432/jointcal")
		}
		if strings.Trim(u.Path, "/") == "" {
			return errors.New("the PostgreSQL URL names no database: add it to the path, as in postgres://user@host:5432/jointcal")
		}
		return nil
	}
	path := strings.TrimPrefix(strings.TrimPrefix(v, "sqlite:"), "file:")
	path, _, _ = strings.Cut(path, "?")
	if path == "" {
		return errors.New("the SQLite URL names no file")
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory; want the path of a SQLite file", path)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("directory %s does not exist (create it, or choose another path for the SQLite file)", dir)
	case err != nil:
		return fmt.Errorf("directory %s: %w", dir, err)
	case !st.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}

// redactURLError keeps a password out of the message: url.Error quotes
// the whole URL it failed on.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
