package mediation

import "errors"

// The kinds of refusal, for errors.Is; the error's text says why.
var (
	// ErrForbidden: the account may not see or do this.
	ErrForbidden = errors.New("mediation: forbidden")
	// ErrNotFound: no such mediator, body, budget or request.
	ErrNotFound = errors.New("mediation: not found")
	// ErrConflict: the change does not fit the record's state.
	ErrConflict = errors.New("mediation: conflict")
)

type refusal struct {
	kind error
	msg  string
}

func (e *refusal) Error() string { return e.msg }
func (e *refusal) Unwrap() error { return e.kind }

func forbidden(msg string) error { return &refusal{ErrForbidden, msg} }
func notFound(msg string) error  { return &refusal{ErrNotFound, msg} }
func conflict(msg string) error  { return &refusal{ErrConflict, msg} }

// FieldError is bad input: the field at fault and why.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

func invalid(field, reason string) error { return &FieldError{Field: field, Reason: reason} }
