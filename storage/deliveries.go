package storage

import (
	"context"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FirstDelivery implements bot.DeliveryStore: it records a platform's
// delivery id (an interaction or envelope id) and reports whether it was
// new. Ids are checked in memory and on disk, and written to disk within a
// second, in the background: marking a delivery costs no fsync of its own.
// A crash can forget the last second's marks; answers stay exactly-once all
// the same, through their own key in the commit that records them. ctx is
// checked once, before the id is claimed: a ctx already done claims nothing.
func (d *DB) FirstDelivery(ctx context.Context, id string, at time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	d.delivMu.Lock()
	if _, ok := d.seen[id]; ok {
		d.delivMu.Unlock()
		return false, nil
	}
	d.seen[id] = at // claimed: a concurrent redelivery sees it
	d.delivMu.Unlock()
	onDisk := false
	err := d.db.View(func(tx *bolt.Tx) error {
		onDisk = tx.Bucket(bDeliveries).Get([]byte(id)) != nil // seen before a restart
		return nil
	})
	if err != nil || onDisk {
		return false, err
	}
	d.delivMu.Lock()
	d.pending[id] = at
	d.delivMu.Unlock()
	return true, nil
}

// flushLoop writes new delivery ids every second until Close.
func (d *DB) flushLoop() {
	defer close(d.flushed)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
			d.flushDeliveries()
		}
	}
}

// flushDeliveries writes the delivery ids seen since the last flush and
// forgets, in memory, those older than two days.
func (d *DB) flushDeliveries() error {
	d.delivMu.Lock()
	pending := d.pending
	d.pending = map[string]time.Time{}
	if len(d.seen) > 100_000 {
		for id, at := range d.seen {
			if time.Since(at) > 48*time.Hour {
				delete(d.seen, id)
			}
		}
	}
	d.delivMu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	return d.update(context.Background(), func(tx *bolt.Tx) error {
		b := tx.Bucket(bDeliveries)
		for id, at := range pending {
			if err := b.Put([]byte(id), binary.BigEndian.AppendUint64(nil, uint64(at.Unix()))); err != nil {
				return err
			}
		}
		return nil
	})
}

// PurgeDeliveries implements bot.DeliveryStore: it forgets delivery ids
// recorded before a moment, in memory too (also those not written yet). It
// forgets them in memory within its transaction, so that a ctx that ends
// before the transaction starts leaves every id remembered.
func (d *DB) PurgeDeliveries(ctx context.Context, before time.Time) (int, error) {
	purged := map[string]bool{}
	err := d.update(ctx, func(tx *bolt.Tx) error {
		d.delivMu.Lock()
		for id, at := range d.seen {
			if at.Before(before) {
				delete(d.seen, id)
				delete(d.pending, id)
				purged[id] = true
			}
		}
		d.delivMu.Unlock()
		c := tx.Bucket(bDeliveries).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(v) == 8 && time.Unix(int64(binary.BigEndian.Uint64(v)), 0).Before(before) {
				if err := c.Delete(); err != nil {
					return err
				}
				purged[string(k)] = true
			}
		}
		return nil
	})
	return len(purged), err
}
