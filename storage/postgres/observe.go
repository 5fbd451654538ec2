package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// What the backend reports for metrics: each statement's verb and time
// (Options.Statements), each answer group's commit (OnCommit, OnGroup).

// OnCommit sets a function told how long each answer group's transaction
// took, commit included. Call it before the first Record.
func (d *DB) OnCommit(fn func(time.Duration)) { d.onCommit = fn }

// OnGroup sets a function told how many answers each transaction recorded.
// Call it before the first Record.
func (d *DB) OnGroup(fn func(answers int)) { d.onGroup = fn }

// tracer times statements for Options.Statements; a batch counts as one
// statement of verb "BATCH".
type tracer struct {
	observe func(verb string, took time.Duration, failed bool)
}

type traceStart struct{}

type started struct {
	verb string
	at   time.Time
}

func (t *tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	return context.WithValue(ctx, traceStart{}, started{verb(data.SQL), time.Now()})
}

func (t *tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	if s, ok := ctx.Value(traceStart{}).(started); ok {
		t.observe(s.verb, time.Since(s.at), data.Err != nil)
	}
}

func (t *tracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return context.WithValue(ctx, traceStart{}, started{"BATCH", time.Now()})
}

func (t *tracer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (t *tracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchEndData) {
	if s, ok := ctx.Value(traceStart{}).(started); ok {
		t.observe(s.verb, time.Since(s.at), data.Err != nil)
	}
}

// verbs are the statement kinds metrics label: a closed set.
var verbs = []string{"SELECT", "INSERT", "UPDATE", "DELETE", "BEGIN", "COMMIT", "ROLLBACK"}

// verb is a statement's first keyword, when it is one of verbs; "OTHER"
// else.
func verb(sql string) string {
	sql = strings.TrimSpace(sql)
	end := strings.IndexFunc(sql, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == ';' })
	if end < 0 {
		end = len(sql)
	}
	w := strings.ToUpper(sql[:end])
	for _, v := range verbs {
		if w == v {
			return v
		}
	}
	return "OTHER"
}
