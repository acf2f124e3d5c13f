package models

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotFound is returned for an entity that does not exist or that the
// actor may not see: the two are deliberately indistinguishable.
var ErrNotFound = errors.New("not found")

// ErrStale is returned when a write names a version (If-Match) that is no
// longer current.
var ErrStale = errors.New("the entity was changed since that version")

// ErrAgendaBusy is returned for a conflicts agenda that found every
// computation slot taken (Settings.AgendaComputes) for the whole wait:
// the caller should ask again in a few seconds.
var ErrAgendaBusy = errors.New("too many conflicts agendas are being computed just now; ask again in a few seconds")

// FieldError names one invalid input field and says what is wrong with it.
//
// Message is the English text the API's problem documents carry. Format and
// Args are what it was made of (Message is fmt.Sprintf(Format, Args...)):
// the English format is the key under which a page finds the message in the
// reader's language, gettext style. They stay out of the JSON so that the
// API's documents do not change; a FieldError without a Format is said in
// English everywhere.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Format  string `json:"-"`
	Args    []any  `json:"-"`
}

// Prefixed is f for a field nested under prefix ("entries[2]." + "title"),
// keeping what a translation needs.
func (f FieldError) Prefixed(prefix string) FieldError {
	f.Field = prefix + f.Field
	return f
}

// ValidationError collects every invalid field of one input, so that a
// client can fix them all in one round.
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, f := range e.Errors {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records one problem; it keeps validation code flat.
func (e *ValidationError) Add(field, format string, args ...any) {
	e.Errors = append(e.Errors, FieldError{Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args})
}

// OrNil returns e when it holds any error, so callers can `return v.orNil()`.
func (e *ValidationError) OrNil() error {
	if len(e.Errors) == 0 {
		return nil
	}
	return e
}

// DuplicateError reports that a unique value (a code, an e-mail) is taken.
type DuplicateError struct {
	Field, Value string
}

func (e *DuplicateError) Error() string { return e.FieldError().Message }

// FieldError is e as the problem of its field, for a page that marks the
// field in the reader's language.
func (e *DuplicateError) FieldError() FieldError {
	f := FieldError{Field: e.Field, Format: "%s %q is already in use", Args: []any{e.Field, e.Value}}
	f.Message = fmt.Sprintf(f.Format, f.Args...)
	return f
}

// InUseError reports a delete refused because other data still refers to
// the entity.
type InUseError struct {
	Entity string
	By     string
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("%s is still referred to by %s", e.Entity, e.By)
}

// ForbiddenError reports an action the actor's role does not allow.
type ForbiddenError struct {
	Reason string
}

func (e *ForbiddenError) Error() string { return "forbidden: " + e.Reason }

// ConflictError carries the hard conflicts that stopped a booking.
type ConflictError struct {
	Conflicts []ConflictView
	Warnings  []ConflictView
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("booking refused: %d hard conflict(s)", len(e.Conflicts))
}
