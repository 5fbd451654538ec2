package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/storage/dump"
)

var (
	_ dump.Source = (*DB)(nil)
	_ dump.Sink   = (*DB)(nil)
)

// Export writes every record as the JSON document of dump.WriteExport:
// the same bytes as the export of the same data in a bbolt file.
func (d *DB) Export(ctx context.Context, w io.Writer) error {
	return dump.WriteExport(ctx, w, d)
}

// Dump implements dump.Source: every record, read in one read-only
// repeatable-read transaction (one committed state, while replicas go on
// writing), each table in the order of its key columns, whose C collation
// orders ids byte by byte, as bbolt's keys.
func (d *DB) Dump(ctx context.Context, fn func(dump.Record) error) error {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	return pgx.BeginTxFunc(ctx, d.pool, opts, func(tx pgx.Tx) error {
		emit := func(kind string, v any) error { return fn(dump.Record{Kind: kind, Value: v}) }
		var grp, usr, key string
		var data []byte
		steps := []func() error{
			func() error {
				return eachRow(ctx, tx, "SELECT data FROM groups ORDER BY id", []any{&data}, func() error {
					return decodeEmit(data, "groups", func(g bot.Group) error { return emit(dump.KindGroup, g) })
				})
			},
			func() error {
				return eachNumbered(ctx, tx, "posts", "id", func(p bot.Post, id uint64) error { p.ID = id; return emit(dump.KindPost, p) })
			},
			func() error {
				return eachRow(ctx, tx, "SELECT key, data FROM bags ORDER BY key", []any{&key, &data}, func() error {
					return decodeEmit(data, "bags", func(st questionbank.BagState) error {
						return emit(dump.KindBag, dump.Bag{Key: key, State: st})
					})
				})
			},
			func() error {
				return eachNumbered(ctx, tx, "answers", "seq", func(a bot.Answer, seq uint64) error { a.Seq = seq; return emit(dump.KindAnswer, a) })
			},
			func() error {
				return eachRow(ctx, tx, "SELECT grp, usr, data FROM members ORDER BY grp, usr", []any{&grp, &usr, &data}, func() error {
					return decodeEmit(data, "members", func(m bot.Member) error {
						m.Group, m.User = grp, usr // the key's, as bbolt's Dump gives them
						return emit(dump.KindMember, m)
					})
				})
			},
			func() error {
				return eachRow(ctx, tx, "SELECT grp, usr, card, data FROM reviews ORDER BY grp, usr, card", []any{&grp, &usr, &key, &data}, func() error {
					return decodeEmit(data, "reviews", func(r bot.Review) error {
						r.Card = key
						return emit(dump.KindReview, dump.Review{Group: grp, User: usr, Review: r})
					})
				})
			},
			func() error {
				var n int
				return eachRow(ctx, tx, "SELECT grp, usr, day, n FROM activity ORDER BY grp, usr, day", []any{&grp, &usr, &key, &n}, func() error {
					return emit(dump.KindActivity, dump.Activity{Group: grp, User: usr, Day: key, Count: n})
				})
			},
			func() error {
				var period string
				return eachRow(ctx, tx, "SELECT grp, usr, period, category, data FROM scores ORDER BY grp, usr, period, category",
					[]any{&grp, &usr, &period, &key, &data}, func() error {
						return decodeEmit(data, "scores", func(s bot.Score) error {
							s.User = usr
							return emit(dump.KindScore, dump.Score{Group: grp, Period: period, Category: key, Score: s})
						})
					})
			},
			func() error {
				return eachRow(ctx, tx, "SELECT grp, usr, card, data FROM peeks ORDER BY grp, usr, card", []any{&grp, &usr, &key, &data}, func() error {
					return decodeEmit(data, "peeks", func(p bot.Peek) error {
						return emit(dump.KindPeek, dump.Peek{Group: grp, User: usr, Card: key, Peek: p})
					})
				})
			},
			func() error {
				all, err := d.schedules(ctx, tx, "ORDER BY grp, channel")
				for _, s := range all {
					if err := emit(dump.KindSchedule, s); err != nil {
						return err
					}
				}
				return err
			},
			func() error {
				return eachRow(ctx, tx, "SELECT data FROM rounds ORDER BY grp, channel", []any{&data}, func() error {
					return decodeEmit(data, "rounds", func(r bot.Round) error { return emit(dump.KindRound, r) })
				})
			},
			func() error {
				var at time.Time
				return eachRow(ctx, tx, "SELECT id, seen_at FROM deliveries ORDER BY id", []any{&key, &at}, func() error {
					return emit(dump.KindDelivery, dump.Delivery{ID: key, At: at.UTC()})
				})
			},
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
}

// eachRow runs a query in tx and calls fn after scanning each row into
// dest.
func eachRow(ctx context.Context, tx pgx.Tx, sql string, dest []any, fn func() error) error {
	rows, err := tx.Query(ctx, sql)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, dest, fn)
	return err
}

// eachNumbered calls fn with each record of a table keyed by an identity
// column (posts' id, answers' seq), in its order, and with its number,
// which the column holds instead of the record.
func eachNumbered[T any](ctx context.Context, tx pgx.Tx, table, column string, fn func(v T, n uint64) error) error {
	var n int64
	var data []byte
	return eachRow(ctx, tx, "SELECT "+column+", data FROM "+table+" ORDER BY "+column, []any{&n, &data}, func() error {
		return decodeEmit(data, table, func(v T) error { return fn(v, uint64(n)) })
	})
}

// decodeEmit decodes a record of table and hands it to fn.
func decodeEmit[T any](data []byte, table string, fn func(T) error) error {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return damaged(table, err)
	}
	return fn(v)
}

// tables are the tables Load fills, in the order it fills them, and their
// columns.
var tables = []struct {
	name    string
	columns []string
}{
	{"groups", []string{"id", "data"}},
	{"posts", []string{"id", "data"}},
	{"bags", []string{"key", "data"}},
	{"answers", []string{"seq", "grp", "usr", "kind", "post_id", "data"}},
	{"members", []string{"grp", "usr", "data"}},
	{"reviews", []string{"grp", "usr", "card", "data"}},
	{"activity", []string{"grp", "usr", "day", "n"}},
	{"scores", []string{"grp", "period", "category", "usr", "points", "accuracy", "reached", "answered", "correct", "data"}},
	{"peeks", []string{"grp", "usr", "card", "data"}},
	{"schedules", []string{"grp", "channel", "data", "last_day", "daily_until", "last_digest", "digest_until"}},
	{"rounds", []string{"grp", "channel", "data"}},
	{"deliveries", []string{"id", "seen_at"}},
}

// Load implements dump.Sink: it copies the records into the tables, which
// must be empty, in transactions of dump.BatchSize records (COPY, a table
// at a time), each row as the backend's own methods write it: posts and
// answers with their ids and seqs, whose identity sequences then move past
// the highest, the scores with the columns the leaderboards order by, the
// schedules with their claims in columns of their own.
func (d *DB) Load(ctx context.Context, next func() (dump.Record, error)) error {
	b := &pgx.Batch{}
	var holding []string
	for _, t := range tables {
		b.Queue("SELECT EXISTS (SELECT 1 FROM " + pgx.Identifier{t.name}.Sanitize() + ")").QueryRow(func(row pgx.Row) error {
			var found bool
			if err := row.Scan(&found); err != nil {
				return err
			}
			if found {
				holding = append(holding, t.name)
			}
			return nil
		})
	}
	if err := d.pool.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	if len(holding) > 0 {
		var schema string
		d.pool.QueryRow(ctx, "SELECT current_schema()").Scan(&schema)
		return dump.NotEmpty("the PostgreSQL schema "+schema, "rows in "+strings.Join(holding, ", "))
	}
	_, err := dump.LoadBatches(ctx, next, dump.BatchSize, func(batch []dump.Record) error {
		return d.loadBatch(ctx, batch)
	})
	return err
}

// loadBatch copies a batch of records in one transaction.
func (d *DB) loadBatch(ctx context.Context, batch []dump.Record) error {
	rows := map[string][][]any{}
	for _, r := range batch {
		table, row, err := rowOf(r.Value)
		if err != nil {
			return err
		}
		rows[table] = append(rows[table], row)
	}
	return pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		for _, t := range tables {
			if len(rows[t.name]) == 0 {
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(rows[t.name])); err != nil {
				return err
			}
		}
		// new posts and answers are numbered after the highest copied
		for _, seq := range []struct{ table, column string }{{"posts", "id"}, {"answers", "seq"}} {
			if len(rows[seq.table]) == 0 {
				continue
			}
			_, err := tx.Exec(ctx, "SELECT setval(pg_get_serial_sequence($1, $2), (SELECT max("+seq.column+") FROM "+seq.table+"))",
				seq.table, seq.column)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// rowOf is the table a record (a dump.Record's Value) goes to and its row
// there, in the order of the table's columns in tables.
func rowOf(v any) (string, []any, error) {
	switch v := v.(type) {
	case bot.Group:
		data, err := json.Marshal(v)
		return "groups", []any{v.ID, data}, err
	case bot.Post:
		rec := v
		rec.ID = 0 // the id column holds it
		data, err := json.Marshal(rec)
		return "posts", []any{int64(v.ID), data}, err
	case dump.Bag:
		data, err := json.Marshal(v.State)
		return "bags", []any{v.Key, data}, err
	case bot.Answer:
		rec := v
		rec.Seq = 0 // the seq column holds it
		data, err := json.Marshal(rec)
		return "answers", []any{int64(v.Seq), v.Group, v.User, string(v.Kind), int64(v.PostID), string(data)}, err
	case bot.Member:
		data, err := json.Marshal(v)
		return "members", []any{v.Group, v.User, data}, err
	case dump.Review:
		data, err := json.Marshal(v.Review)
		return "reviews", []any{v.Group, v.User, v.Card, data}, err
	case dump.Activity:
		return "activity", []any{v.Group, v.User, v.Day, int32(v.Count)}, nil
	case dump.Score:
		s := v.Score
		data, err := json.Marshal(s)
		return "scores", []any{v.Group, v.Period, v.Category, s.User, int64(max(s.Points, 0)), accuracyKey(s), nanos(s.ReachedAt),
			int32(s.Answered), int32(s.Correct), data}, err
	case dump.Peek:
		data, err := json.Marshal(v.Peek)
		return "peeks", []any{v.Group, v.User, v.Card, data}, err
	case bot.Schedule:
		data, err := scheduleData(v)
		return "schedules", []any{v.Group, v.Channel, data, v.LastDay, orNull(v.DailyUntil), v.LastDigest, orNull(v.DigestUntil)}, err
	case bot.Round:
		data, err := json.Marshal(v)
		return "rounds", []any{v.Group, v.Channel, data}, err
	case dump.Delivery:
		return "deliveries", []any{v.ID, v.At}, nil
	}
	return "", nil, fmt.Errorf("a record of type %T cannot be loaded", v) // never: dump.LoadBatches checked it
}
