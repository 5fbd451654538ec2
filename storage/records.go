package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
)

// Records are JSON values (except the counters of tagActivity and the
// delivery times). These helpers read and write them, so that each query
// says only which bucket and key it reads.

// Every query takes the caller's ctx and honours it: view and update do
// not start a transaction once ctx is done, and each (so scan and list) and
// forEachMember stop between records when it ends, returning ctx's error.

// view runs fn in a read transaction and returns what fn returned; when
// ctx is done before it starts, it returns ctx's error and reads nothing.
func view[T any](ctx context.Context, d *DB, fn func(tx *bolt.Tx) (T, error)) (T, error) {
	var v T
	if err := ctx.Err(); err != nil {
		return v, err
	}
	err := d.db.View(func(tx *bolt.Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v, err
}

// get decodes the record at k into v and reports whether there was one;
// when there is none, v keeps what it held (a default).
func get[T any](b *bolt.Bucket, k []byte, v *T) (bool, error) {
	data := b.Get(k)
	if data == nil {
		return false, nil
	}
	return true, decode(k, data, v)
}

// getOr returns the record at k, or v when there is none. v is also what
// the record is decoded into: fields the record lacks keep v's values.
func getOr[T any](b *bolt.Bucket, k []byte, v T) (T, error) {
	_, err := get(b, k, &v)
	return v, err
}

// find returns the record at k, or bot.ErrNotFound when there is none.
func find[T any](b *bolt.Bucket, k []byte) (T, error) {
	var v T
	ok, err := get(b, k, &v)
	if err == nil && !ok {
		err = bot.ErrNotFound
	}
	return v, err
}

// put stores v at k.
func put(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

// decode decodes the record data found at k into v.
func decode[T any](k, data []byte, v *T) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("damaged record %q: %w", k, err)
	}
	return nil
}

// errStop ends each or scan early, without an error.
var errStop = errors.New("stop")

// each calls fn with every key in b that starts with prefix, and its
// value, in key order, until fn returns an error (errStop: none) or ctx
// ends (ctx's error).
func each(ctx context.Context, b *bolt.Bucket, prefix []byte, fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(k, v); err != nil {
			if errors.Is(err, errStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// scan is each with the records decoded.
func scan[T any](ctx context.Context, b *bolt.Bucket, prefix []byte, fn func(k []byte, v T) error) error {
	return each(ctx, b, prefix, func(k, data []byte) error {
		var v T
		if err := decode(k, data, &v); err != nil {
			return err
		}
		return fn(k, v)
	})
}

// list returns the first limit records whose keys start with prefix, in
// key order (all of them for limit all).
func list[T any](ctx context.Context, b *bolt.Bucket, prefix []byte, limit int) ([]T, error) {
	var out []T
	if limit <= 0 {
		return out, nil
	}
	err := scan(ctx, b, prefix, func(_ []byte, v T) error {
		out = append(out, v)
		if len(out) == limit {
			return errStop
		}
		return nil
	})
	return out, err
}

// all is list's limit for every record.
const all = math.MaxInt

// key joins parts with 0 bytes: group 0 channel, group 0 user 0 tag ...
// A last part "" makes a prefix that matches whole parts only.
func key(parts ...string) []byte {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(p)
	}
	return b.Bytes()
}

// u64 is v as 8 big-endian bytes, so that numeric keys sort in order.
func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}
