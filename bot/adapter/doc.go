// Package adapter holds the plumbing the chat adapters (discord, slack,
// console) share and the domain does not need: pacing and rate-limit
// retries, counting background work for shutdown, racing a request's
// handling against the platform's acknowledgement deadline, splitting
// Markdown into messages and trimming text to a field's limit.
//
// It imports only the standard library and golang.org/x/time/rate, and no
// platform SDK: each adapter translates its platform's errors and limits
// into these calls.
package adapter
