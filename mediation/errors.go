package mediation

import "github.com/punto-totem/punto/editorial"

// Mediation refuses with editorial's kinds, for errors.Is, so the portal
// maps one set of refusals to answers; the error's text says why.
var (
	// ErrForbidden: the account may not see or do this.
	ErrForbidden = editorial.ErrForbidden
	// ErrNotFound: no such mediator, body, budget or request.
	ErrNotFound = editorial.ErrNotFound
	// ErrConflict: the change does not fit the record's state.
	ErrConflict = editorial.ErrConflict
)

// FieldError is bad input: the field at fault and why.
type FieldError = editorial.FieldError

func forbidden(msg string) error { return editorial.Refuse(ErrForbidden, msg) }
func notFound(msg string) error  { return editorial.Refuse(ErrNotFound, msg) }
func conflict(msg string) error  { return editorial.Refuse(ErrConflict, msg) }

func invalid(field, reason string) error { return editorial.Invalid(field, reason) }
