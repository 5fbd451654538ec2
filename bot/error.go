package bot

import (
	"errors"
	"fmt"
)

// Error codes. Users see an Error's Message; logs see the wrapped cause.
const (
	EInvalid   = "invalid"   // the user asked for something malformed
	ENotFound  = "not_found" // what the user referred to does not exist
	EForbidden = "forbidden" // the user may not do this
	EConflict  = "conflict"  // already done (answered twice, rated twice)
	EBusy      = "busy"      // something already under way here (a study round in the channel)
	ETooMany   = "too_many"  // slow down (the per-user cooldown)
	EInternal  = "internal"  // our fault
)

// Error is an error with a message fit to show the user.
type Error struct {
	Code    string
	Message string
	Err     error // the cause, for logs
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted user message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an *Error in err's chain, or EInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user message of an *Error in err's chain, or a
// generic message for internal errors.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side and nothing was changed. Please try again in a moment."
}

// Sentinel errors a Store returns.
var (
	ErrNotFound        = errors.New("not found")
	ErrAlreadyAnswered = errors.New("already answered")
)

// invalid turns an error about the user's input (an unknown category, a
// bad option) into an EInvalid error that shows its message as a sentence
// and keeps it as the cause.
func invalid(err error) *Error {
	return &Error{Code: EInvalid, Message: capitalize(err.Error()) + ".", Err: err}
}
