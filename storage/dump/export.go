package dump

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// Format is the version of the document WriteExport writes.
const Format = 1

// sections are the export's lists, in order, and the kind of record each
// holds. Delivery ids are left out: they are a guard against redeliveries
// kept two days, not data.
var sections = []struct{ name, kind string }{
	{"groups", KindGroup}, {"posts", KindPost}, {"bags", KindBag}, {"answers", KindAnswer},
	{"members", KindMember}, {"reviews", KindReview}, {"activity", KindActivity}, {"scores", KindScore},
	{"peeks", KindPeek}, {"schedules", KindSchedule}, {"rounds", KindRound},
}

// WriteExport writes every record of src, but delivery ids, as one JSON
// document:
//
//	{
//	  "format": 1,
//	  "groups": [
//	    {"id":"discord:1","time_zone":"Europe/Berlin"}
//	  ],
//	  "posts": [...], "bags": [...], "answers": [...], "members": [...],
//	  "reviews": [...], "activity": [...], "scores": [...], "peeks": [...],
//	  "schedules": [...], "rounds": [...]
//	}
//
// one record a line, in the order src gives them (see Source). Each record
// is encoded with encoding/json from its value, never copied from what a
// backend stored, and every time is in UTC, so that the same data gives
// the same bytes whichever backend holds it. The claims' expiry times
// (Schedule.DailyUntil and DigestUntil) are written to the microsecond,
// which is what PostgreSQL keeps of them.
func WriteExport(ctx context.Context, w io.Writer, src Source) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("{\n  \"format\": " + fmt.Sprint(Format))
	sec, n := -1, 0 // the section open, and how many records it holds
	openUpTo := func(i int) {
		for ; sec < i; sec++ {
			closeSection(bw, sec, n)
			fmt.Fprintf(bw, ",\n  %q: [", sections[sec+1].name)
			n = 0
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := src.Dump(ctx, func(r Record) error {
		if err := r.Check(); err != nil {
			return err
		}
		if r.Kind == KindDelivery {
			return nil
		}
		i := sectionOf(r.Kind)
		if i < sec {
			return fmt.Errorf("the records came out of order: a %s after the %s (a Source gives them in the order of dump.Kinds)", r.Kind, sections[sec].name)
		}
		openUpTo(i)
		buf.Reset()
		if err := enc.Encode(inUTC(r.Value)); err != nil {
			return err
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		bw.WriteString("\n    ")
		_, err := bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return err
	})
	if err != nil {
		return err
	}
	openUpTo(len(sections) - 1)
	closeSection(bw, sec, n)
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// closeSection ends section i (none when i < 0), which holds n records.
func closeSection(bw *bufio.Writer, i, n int) {
	switch {
	case i < 0:
	case n > 0:
		bw.WriteString("\n  ]")
	default:
		bw.WriteString("]")
	}
}

// sectionOf is the index of the section a kind of record is written in.
func sectionOf(kind string) int {
	for i, s := range sections {
		if s.kind == kind {
			return i
		}
	}
	return -1 // never: Check knows every kind, and deliveries are skipped
}

// inUTC is a record's value with its times in UTC (and the claims' to the
// microsecond), as WriteExport writes them.
func inUTC(v any) any {
	switch v := v.(type) {
	case bot.Post:
		v.At = v.At.UTC()
		return snakeCase{v}
	case bot.Answer:
		v.At = v.At.UTC()
		return v
	case Score:
		v.ReachedAt = v.ReachedAt.UTC()
		return v
	case bot.Schedule:
		v.DailyUntil = v.DailyUntil.UTC().Truncate(time.Microsecond)
		v.DigestUntil = v.DigestUntil.UTC().Truncate(time.Microsecond)
		return v
	case bot.Round:
		v.Deadline, v.Lease = v.Deadline.UTC(), v.Lease.UTC()
		return v
	}
	return v
}
