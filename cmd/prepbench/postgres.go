package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/storage/postgres"
)

// Measurement 7 runs measurements 1, 2 and 3 on the PostgreSQL backend:
// durable answers from 64 clients (group commit against a transaction per
// answer, and three replicas on one database against one), the top 10 of
// 100,000 members against a scan of the answers in SQL, and signed
// interactions answered by a bot on PostgreSQL.

// pgEnv names the database measurement 7 uses.
const pgEnv = "PREPBOT_BENCH_POSTGRES"

// pgDefaultURL is where measurement 7 looks when pgEnv is not set.
const pgDefaultURL = "postgres://127.0.0.1:5432/test?sslmode=disable"

// pgServer is the PostgreSQL server a run measures and the schemas it made
// there: each phase of the run works in a schema of its own,
// prepbench_<random>_<phase>, dropped when the phase ends; Close drops any
// left, as does an interrupt (a run that fails still returns through
// Close).
type pgServer struct {
	base string // the server's URL, as given
	name string // prepbench_<random>: the prefix of this run's schemas

	mu       sync.Mutex
	schemas  map[string]bool // made and not dropped yet
	stop     chan os.Signal
	stopOnce sync.Once
}

// pgURL is the database URL measurement 7 uses.
func pgURL() string {
	if u := os.Getenv(pgEnv); u != "" {
		return u
	}
	return pgDefaultURL
}

// openPostgres connects to PostgreSQL at base once to see that it
// answers; why says why not when it does not (then s is nil).
func openPostgres(ctx context.Context, base string) (s *pgServer, why string) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		return nil, oneLine(err.Error())
	}
	c.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	s = &pgServer{base: base, name: "prepbench_" + hex.EncodeToString(b), schemas: map[string]bool{}, stop: make(chan os.Signal, 1)}
	// an interrupted run drops its schemas too
	signal.Notify(s.stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-s.stop; ok {
			progress("interrupted: dropping schemas %s_*", s.name)
			s.Close()
			os.Exit(1)
		}
	}()
	return s, ""
}

// oneLine is a message of several lines (pgx says why each address it
// tried failed) on one, each line once.
func oneLine(msg string) string {
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, " ")
}

// redacted is a URL without its password, for messages.
func redacted(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the URL in " + pgEnv
	}
	return u.Redacted()
}

// exec runs one statement on a connection of its own.
func (s *pgServer) exec(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, s.base)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, sql)
	return err
}

// schema makes the schema of a phase and returns a URL whose connections
// use it, named after the run (application_name) so that their server
// processes can be told from others'.
func (s *pgServer) schema(ctx context.Context, phase string) (string, error) {
	name := s.name + "_" + phase
	s.mu.Lock()
	s.schemas[name] = true
	s.mu.Unlock()
	if err := s.exec(ctx, "CREATE SCHEMA "+name); err != nil {
		return "", err
	}
	u, err := url.Parse(s.base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", name)
	q.Set("application_name", s.name)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// drop drops the schema of a phase, with all it holds.
func (s *pgServer) drop(phase string) error {
	return s.dropSchema(s.name + "_" + phase)
}

func (s *pgServer) dropSchema(name string) error {
	s.mu.Lock()
	made := s.schemas[name]
	delete(s.schemas, name)
	s.mu.Unlock()
	if !made {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := s.exec(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE")
	if err != nil {
		progress("could not drop schema %s (%v): drop it by hand", name, err)
	}
	return err
}

// Close drops every schema the run made and has not dropped yet.
func (s *pgServer) Close() {
	s.stopOnce.Do(func() {
		signal.Stop(s.stop)
		close(s.stop)
	})
	s.mu.Lock()
	var left []string
	for name := range s.schemas {
		left = append(left, name)
	}
	s.mu.Unlock()
	for _, name := range left {
		s.dropSchema(name)
	}
}

// benchPostgres is measurement 7: measurements 1, 2 and 3 on PostgreSQL.
func benchPostgres(_ string, _ map[int]float64) ([]row, float64, error) {
	ctx := context.Background()
	base := pgURL()
	s, why := openPostgres(ctx, base)
	if s == nil {
		progress("no PostgreSQL at %s (%s): skipped", redacted(base), why)
		return []row{{7, fmt.Sprintf("PostgreSQL: skipped, nothing answers at %s (%s); set %s to a database URL to measure it",
			redacted(base), why, pgEnv), "", "", "", "-", true}}, 0, nil
	}
	defer s.Close()
	progress("PostgreSQL at %s, schemas %s_*", redacted(base), s.name)
	rows, durable, err := recordRows(ctx, s)
	if err != nil {
		return nil, 0, err
	}
	board, err := boardRows(ctx, s)
	if err != nil {
		return nil, 0, err
	}
	rows = append(rows, board...)
	chat, err := chatRows(ctx, s)
	if err != nil {
		return nil, 0, err
	}
	return append(rows, chat...), durable, nil
}

// pgLoad is what a run of recording clients did.
type pgLoad struct {
	n       int // answers recorded in the measured time
	took    time.Duration
	commits int64         // the transactions that recorded them
	grouped int64         // the answers those transactions recorded
	commit  time.Duration // those transactions' time, in all
	pgCPU   time.Duration // PostgreSQL's CPU time meanwhile (-1: not seen from here)
	ownCPU  time.Duration // prepbench's
}

func (l pgLoad) rate() float64 { return rate(l.n, l.took) }

// perCommit is how many answers a transaction recorded, and its mean time.
func (l pgLoad) perCommit() string {
	if l.commits == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f, %s", float64(l.grouped)/float64(l.commits), ms(l.commit/time.Duration(l.commits)))
}

// cpu is the CPU time PostgreSQL and prepbench spent, and per answer, of
// the machine's (its cores for the time measured).
func (l pgLoad) cpu() string {
	pg := "not seen from here"
	if l.pgCPU >= 0 {
		pg = fmt.Sprintf("%.1f s (%.0f µs/answer)", l.pgCPU.Seconds(), float64(l.pgCPU.Microseconds())/float64(max(l.n, 1)))
	}
	return fmt.Sprintf("%s / %.1f s (%.0f µs/answer) of %.0f s", pg, l.ownCPU.Seconds(), float64(l.ownCPU.Microseconds())/float64(max(l.n, 1)),
		l.took.Seconds()*float64(runtime.NumCPU()))
}

// recording is one way of recording measured: replicas databases opened
// with opt on a schema of its own, and what they did in all its rounds.
type recording struct {
	phase    string
	replicas int
	opt      postgres.Options
	url      string
	load     pgLoad
	acked    int // answers Record acknowledged, warm-ups included
	analyzed bool
}

// round records new members' answers (as measurement 1 does) from
// recordWorkers clients spread over the recording's replicas for d, after
// a short warm-up that opens the writers' connections, and adds what they
// did to r.load. The databases are opened for the round and closed after
// it, so that the recordings measured in turn do not hold connections
// meanwhile.
func (r *recording) round(ctx context.Context, app string, seq *atomic.Uint64, d time.Duration) error {
	var commits, grouped, commitNs atomic.Int64
	dbs := make([]*postgres.DB, r.replicas)
	for i := range dbs {
		db, err := postgres.Open(ctx, r.url, r.opt)
		if err != nil {
			return err
		}
		defer db.Close()
		db.OnCommit(func(d time.Duration) { commits.Add(1); commitNs.Add(int64(d)) })
		db.OnGroup(func(n int) { grouped.Add(int64(n)) })
		dbs[i] = db
	}
	warm, err := recordEach(ctx, dbs, seq, 300*time.Millisecond)
	r.acked += warm
	if err != nil {
		return err
	}
	if !r.analyzed {
		if err := analyze(ctx, dbs[0].Pool()); err != nil {
			return err
		}
		r.analyzed = true
	}
	c0, g0, t0 := commits.Load(), grouped.Load(), commitNs.Load()
	meter := startCPU()
	start := time.Now()
	n, err := recordEach(ctx, dbs, seq, d)
	r.acked += n
	if err != nil {
		return err
	}
	took := time.Since(start)
	pg, own := meter.stop(ctx, dbs[0].Pool(), app)
	l := &r.load
	l.n += n
	l.took += took
	l.commits += commits.Load() - c0
	l.grouped += grouped.Load() - g0
	l.commit += time.Duration(commitNs.Load() - t0)
	l.ownCPU += own
	if pg < 0 || l.pgCPU < 0 {
		l.pgCPU = -1
	} else {
		l.pgCPU += pg
	}
	return nil
}

// check fails unless every answer Record acknowledged is in the database.
func (r *recording) check(ctx context.Context) error {
	c, err := pgx.Connect(ctx, r.url)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	var recorded int
	if err := c.QueryRow(ctx, "SELECT count(*) FROM answers").Scan(&recorded); err != nil {
		return err
	}
	if recorded != r.acked {
		return fmt.Errorf("%s: %d answers recorded, %d acknowledged", r.phase, recorded, r.acked)
	}
	return nil
}

// checkpoint asks PostgreSQL for a checkpoint, which needs a superuser or
// the pg_checkpoint role; without either, the measurement runs on and
// says so.
func checkpoint(ctx context.Context, pool *pgxpool.Pool) {
	if _, err := pool.Exec(ctx, "CHECKPOINT"); err != nil {
		progress("no checkpoint before the measurement (%v): pages dirtied before it may be written while it runs", err)
	}
}

// analyze has PostgreSQL gather statistics on the tables answers change,
// as autovacuum does on a database in use (the server measured may run
// without it). A table never analyzed is planned from default estimates,
// with which the planner could read a member's scores through another
// index than the primary key (as it did when the leaderboard index began
// with the primary key's first three columns): every answer would then
// scan the scores of every member of its group for each of its periods.
func analyze(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, "ANALYZE answers, members, reviews, activity, scores")
	return err
}

// recordEach records answers from recordWorkers clients for d, client w on
// dbs[w % len(dbs)], and returns how many; the first error stops them all.
func recordEach(ctx context.Context, dbs []*postgres.DB, seq *atomic.Uint64, d time.Duration) (int, error) {
	var n atomic.Int64
	var once sync.Once
	var first error
	var failed atomic.Bool
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range recordWorkers {
		wg.Go(func() {
			db := dbs[w%len(dbs)]
			for !failed.Load() && time.Now().Before(deadline) {
				if _, err := db.Record(ctx, newMemberAnswer(seq.Add(1), time.Now())); err != nil {
					once.Do(func() { first = err })
					failed.Store(true)
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return int(n.Load()), first
}

// recordRows measures durable answers on PostgreSQL: group commit with
// the default options against a transaction per answer (as many writers
// as clients), and three replicas on one database against one, each on a
// schema of its own. They are measured in turn, a round each, four times
// over, so that what else the machine does weighs on each alike.
func recordRows(ctx context.Context, s *pgServer) ([]row, float64, error) {
	const rounds, d = 4, 1500 * time.Millisecond
	one := &recording{phase: "record", replicas: 1}
	each := &recording{phase: "each", replicas: 1, opt: postgres.Options{MaxGroup: 1, Writers: recordWorkers}}
	three := &recording{phase: "replicas", replicas: 3}
	all := []*recording{one, each, three}
	for _, r := range all {
		u, err := s.schema(ctx, r.phase)
		if err != nil {
			return nil, 0, err
		}
		defer s.drop(r.phase)
		r.url = u
	}
	progress("PostgreSQL: recording answers from %d members at once, in %d rounds of %v each:", recordWorkers, rounds, d)
	progress("  group commit with the default options; the baseline, a transaction per answer (MaxGroup 1, %d writers); 3 replicas on one database", recordWorkers)
	var seq atomic.Uint64
	for i := range rounds {
		var rates []string
		for _, r := range all {
			before := r.load
			if err := r.round(ctx, s.name, &seq, d); err != nil {
				return nil, 0, fmt.Errorf("recording (%s): %w", r.phase, err)
			}
			rates = append(rates, fmt.Sprintf("%.0f/s", rate(r.load.n-before.n, r.load.took-before.took)))
		}
		progress("  round %d: %s", i+1, strings.Join(rates, ", "))
	}
	for _, r := range all {
		if err := r.check(ctx); err != nil {
			return nil, 0, err
		}
		progress("  %s: %.0f/s; answers per commit, mean commit: %s; CPU PostgreSQL / prepbench: %s", r.phase, r.load.rate(), r.load.perCommit(), r.load.cpu())
	}
	a, b, c := one.load, each.load, three.load
	perSec := func(l pgLoad) string { return fmt.Sprintf("%.0f/s", l.rate()) }
	return []row{
		{7, "PostgreSQL durable answers/s (64 clients) vs a transaction each", perSec(a), perSec(b), ratio(a.rate(), b.rate()), ">= 3x", a.rate() >= 3*b.rate()},
		{7, "PostgreSQL answers/s, 3 replicas on one database vs 1", perSec(c), perSec(a), ratio(c.rate(), a.rate()), ">= 0.9x", c.rate() >= 0.9*a.rate()},
		{7, "  answers per commit, mean commit: 1 replica vs a transaction each", a.perCommit(), b.perCommit(), "", "-", true},
		{7, "  answers per commit, mean commit: 3 replicas vs 1", c.perCommit(), a.perCommit(), "", "-", true},
		{7, "  CPU PostgreSQL / prepbench: 1 replica vs a transaction each", a.cpu(), b.cpu(), "", "-", true},
		{7, "  CPU PostgreSQL / prepbench: 3 replicas vs 1", c.cpu(), a.cpu(), "", "-", true},
	}, a.rate(), nil
}

// clockTicks is the unit of /proc/<pid>/stat's CPU times (USER_HZ, 100 on
// Linux everywhere).
const clockTicks = 100

// cpuMeter measures the CPU time PostgreSQL's server processes and this
// process spend.
type cpuMeter struct {
	pg  map[int]int64 // ticks of each postgres process at the start
	own time.Duration
}

func startCPU() cpuMeter { return cpuMeter{pg: postgresTicks(), own: ownCPU()} }

// stop returns the CPU time spent since startCPU by PostgreSQL's processes
// that serve connections named app or do the server's own work (WAL
// writer, checkpointer, ...; -1 when none is a process of this machine),
// and by this process.
func (m cpuMeter) stop(ctx context.Context, pool *pgxpool.Pool, app string) (pg, own time.Duration) {
	own = ownCPU() - m.own
	now := postgresTicks()
	rows, err := pool.Query(ctx, "SELECT pid FROM pg_stat_activity WHERE application_name = $1 OR backend_type <> 'client backend'", app)
	if err != nil {
		return -1, own
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return -1, own
	}
	var ticks int64
	seen := false
	for _, pid := range pids {
		if t, ok := now[int(pid)]; ok {
			ticks += t - m.pg[int(pid)] // a process started since counts from 0
			seen = true
		}
	}
	if !seen {
		return -1, own
	}
	return time.Duration(ticks) * time.Second / clockTicks, own
}

// postgresTicks is the user and system CPU time, in clock ticks, of every
// process of this machine named postgres.
func postgresTicks() map[int]int64 {
	out := map[int]int64{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: utime and stime are fields 14 and 15
		open, end := strings.IndexByte(string(stat), '('), strings.LastIndexByte(string(stat), ')')
		if open < 0 || end < open || string(stat[open+1:end]) != "postgres" {
			continue
		}
		f := strings.Fields(string(stat[end+1:]))
		if len(f) < 13 {
			continue
		}
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		out[pid] = utime + stime
	}
	return out
}

// ownCPU is this process's user and system CPU time so far.
func ownCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// scanQuery is the baseline: a top 10 computed from the answers, as an
// implementation without the scores table would.
const scanQuery = `SELECT usr, points, answered, correct FROM (
		SELECT usr, sum((data->>'points')::bigint) AS points,
			count(*) FILTER (WHERE kind = 'answer') AS answered,
			count(*) FILTER (WHERE kind = 'answer' AND (data->>'correct')::boolean) AS correct
		FROM answers
		WHERE grp = $1 AND (data->'periods')::jsonb ? $2 AND ($3 = '' OR data->>'category' = $3)
		GROUP BY usr) AS per
	ORDER BY points DESC, correct::float8 / greatest(answered, 1) DESC, usr
	LIMIT 10`

// boardRows is measurement 3 on PostgreSQL: the top 10 of 100,000 members
// after 1,000,000 answers, loaded with COPY, against a scan of the answers.
func boardRows(ctx context.Context, s *pgServer) ([]row, error) {
	u, err := s.schema(ctx, "board")
	if err != nil {
		return nil, err
	}
	defer s.drop("board")
	db, err := postgres.Open(ctx, u, postgres.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	now := time.Now().UTC()
	progress("PostgreSQL: loading 1,000,000 answers from 100,000 members with COPY (setup, not measured)")
	start := time.Now()
	if err := loadPostgres(ctx, db.Pool(), history(100_000, 1_000_000, now)); err != nil {
		return nil, fmt.Errorf("loading the answers: %w", err)
	}
	progress("  loaded in %v", time.Since(start).Round(time.Second))
	var rows []row
	for _, q := range []struct{ name, period, category string }{
		{"week", bot.PeriodKey("week", now, time.UTC), ""},
		{"month", bot.PeriodKey("month", now, time.UTC), ""},
		{"all time", bot.PeriodAll, ""},
		{"all time, postgres", bot.PeriodAll, "postgres"},
	} {
		plan, err := explain(ctx, db.Pool(), q.period, q.category)
		if err != nil {
			return nil, err
		}
		progress("  %s: EXPLAIN: %s", q.name, strings.Join(plan, " / "))
		if len(plan) == 0 || !strings.Contains(strings.Join(plan, "\n"), "scores_board_rank") {
			return nil, fmt.Errorf("the top 10 of %s does not read the scores_board_rank index: %s", q.name, strings.Join(plan, " / "))
		}
		var top []bot.Score
		var berr error
		r := testing.Benchmark(func(b *testing.B) {
			for b.Loop() {
				top, berr = db.Leaderboard(ctx, "discord:bench", q.period, q.category, 10)
				if berr == nil && len(top) != 10 {
					berr = fmt.Errorf("a top 10 of %d", len(top))
				}
				if berr != nil {
					b.FailNow()
				}
			}
		})
		if berr != nil {
			return nil, fmt.Errorf("top 10, %s: %w", q.name, berr)
		}
		ours := time.Duration(r.NsPerOp())
		start := time.Now()
		scan, err := scanTopSQL(ctx, db.Pool(), q.period, q.category)
		if err != nil {
			return nil, err
		}
		took := time.Since(start)
		if err := sameStandings(top, scan); err != nil {
			return nil, fmt.Errorf("top 10, %s: %w", q.name, err)
		}
		progress("  %s: %v (scan %v)", q.name, ours, took)
		rows = append(rows, row{7, "PostgreSQL top 10, " + q.name + " (1M answers)", fmt.Sprintf("%.1f µs", float64(ours)/1e3), "SQL scan " + ms(took),
			fmt.Sprintf("%.0fx faster", float64(took)/float64(ours)), "< 5 ms, >= 100x", ours < 5*time.Millisecond && took >= 100*ours})
	}
	return rows, nil
}

// explain is the plan of the leaderboard query, a line per node.
func explain(ctx context.Context, pool *pgxpool.Pool, period, category string) ([]string, error) {
	rows, err := pool.Query(ctx, "EXPLAIN "+postgres.LeaderboardSQL, "discord:bench", period, category, int64(10))
	if err != nil {
		return nil, err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	for i, l := range lines {
		lines[i] = strings.TrimLeft(strings.TrimSpace(l), "-> ")
	}
	return lines, err
}

// standing is a place in a top 10: its points and accuracy in millionths.
type standing struct {
	points   int64
	accuracy int32
}

// scanTopSQL is the baseline's top 10.
func scanTopSQL(ctx context.Context, pool *pgxpool.Pool, period, category string) ([]standing, error) {
	rows, err := pool.Query(ctx, scanQuery, "discord:bench", period, category)
	if err != nil {
		return nil, err
	}
	var out []standing
	var usr string
	var points, answered, correct int64
	_, err = pgx.ForEachRow(rows, []any{&usr, &points, &answered, &correct}, func() error {
		out = append(out, standing{max(points, 0), accuracyKey(bot.Tally{Answered: int(answered), Correct: int(correct)})})
		return nil
	})
	return out, err
}

// sameStandings checks that the index and the scan agree on the top 10's
// points and accuracies (members tied on both may come in another order).
func sameStandings(top []bot.Score, scan []standing) error {
	if len(top) != len(scan) {
		return fmt.Errorf("%d places, the scan finds %d", len(top), len(scan))
	}
	for i, s := range top {
		if got := (standing{int64(max(s.Points, 0)), accuracyKey(s.Tally)}); got != scan[i] {
			return fmt.Errorf("place %d is %+v, the scan finds %+v", i+1, got, scan[i])
		}
	}
	return nil
}

// accuracyKey is an accuracy in millionths, as the scores table keeps it.
func accuracyKey(t bot.Tally) int32 { return int32(math.Round(t.Accuracy() * 1e6)) }

// loadPostgres writes answers to a new database as Record would have
// written them one by one, in their order, with bot.StandardRules: the
// answers, and each member's record, reviews, activity and scores,
// computed here and copied in with COPY.
func loadPostgres(ctx context.Context, pool *pgxpool.Pool, all []*bot.Answer) error {
	i := 0
	n, err := pool.CopyFrom(ctx, pgx.Identifier{"answers"}, []string{"seq", "grp", "usr", "kind", "post_id", "data"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(all) {
				return nil, nil
			}
			a := *all[i]
			i++
			a.Seq = 0 // the seq column holds it
			v, err := json.Marshal(a)
			return []any{int64(i), a.Group, a.User, string(a.Kind), int64(a.PostID), string(v)}, err
		}))
	if err != nil {
		return err
	}
	progress("  %d answers", n)
	if _, err := pool.Exec(ctx, "SELECT setval(pg_get_serial_sequence('answers', 'seq'), $1)", int64(len(all))); err != nil {
		return err
	}
	// each member's answers, in order
	type key struct{ group, user string }
	byMember := map[key][]int32{}
	var order []key
	for i, a := range all {
		k := key{a.Group, a.User}
		if _, ok := byMember[k]; !ok {
			order = append(order, k)
		}
		byMember[k] = append(byMember[k], int32(i))
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  func(*memberRecords) ([][]any, error)
	}{
		{"members", []string{"grp", "usr", "data"}, (*memberRecords).memberRows},
		{"reviews", []string{"grp", "usr", "card", "data"}, (*memberRecords).reviewRows},
		{"activity", []string{"grp", "usr", "day", "n"}, (*memberRecords).activityRows},
		{"scores", []string{"grp", "period", "category", "usr", "points", "accuracy", "reached", "answered", "correct", "data"}, (*memberRecords).scoreRows},
	} {
		// each member's records are computed again for each table: that
		// takes less time and far less memory than keeping them
		next := 0
		var pending [][]any
		n, err := pool.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromFunc(func() ([]any, error) {
			for len(pending) == 0 {
				if next == len(order) {
					return nil, nil
				}
				var err error
				pending, err = t.rows(applyAnswers(all, byMember[order[next]]))
				if err != nil {
					return nil, err
				}
				next++
			}
			r := pending[0]
			pending = pending[1:]
			return r, nil
		}))
		if err != nil {
			return fmt.Errorf("%s: %w", t.table, err)
		}
		progress("  %d %s", n, t.table)
	}
	_, err = pool.Exec(ctx, "ANALYZE answers, members, reviews, activity, scores")
	return err
}

// memberRecords are what one member's answers made of the member's
// records, each kind in the order Record first wrote it.
type memberRecords struct {
	group, user string
	member      bot.Member
	reviews     []*bot.Review
	days        []string
	activity    map[string]int
	scores      []scoreRecord
}

type scoreRecord struct {
	period, category string
	score            *bot.Score
}

// applyAnswers applies answers all[i] for i in idx, one member's, in
// order, with their sequence numbers (their place in all, from 1), as
// Record does.
func applyAnswers(all []*bot.Answer, idx []int32) *memberRecords {
	rules := bot.StandardRules()
	first := all[idx[0]]
	m := &memberRecords{group: first.Group, user: first.User, activity: map[string]int{}}
	reviews := map[string]*bot.Review{}
	scores := map[[2]string]*bot.Score{}
	for _, i := range idx {
		a := *all[i]
		a.Seq = uint64(i) + 1
		rules.Member(&m.member, &a)
		if a.Day != "" {
			if _, ok := m.activity[a.Day]; !ok {
				m.days = append(m.days, a.Day)
			}
			m.activity[a.Day]++
		}
		r, ok := reviews[a.CardID]
		if !ok {
			r = &bot.Review{Card: a.CardID, Category: a.Category}
			reviews[a.CardID] = r
			m.reviews = append(m.reviews, r)
		}
		rules.Review(r, &a)
		cats := []string{""}
		if a.Category != "" {
			cats = append(cats, a.Category)
		}
		for _, period := range a.Periods {
			for _, cat := range cats {
				s, ok := scores[[2]string{period, cat}]
				if !ok {
					s = &bot.Score{}
					scores[[2]string{period, cat}] = s
					m.scores = append(m.scores, scoreRecord{period, cat, s})
				}
				rules.Score(s, &a)
			}
		}
	}
	return m
}

func (m *memberRecords) memberRows() ([][]any, error) {
	v, err := json.Marshal(m.member)
	return [][]any{{m.group, m.user, v}}, err
}

func (m *memberRecords) reviewRows() ([][]any, error) {
	var out [][]any
	for _, r := range m.reviews {
		v, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		out = append(out, []any{m.group, m.user, r.Card, v})
	}
	return out, nil
}

func (m *memberRecords) activityRows() ([][]any, error) {
	var out [][]any
	for _, day := range m.days {
		out = append(out, []any{m.group, m.user, day, int32(m.activity[day])})
	}
	return out, nil
}

// scoreRows are the member's scores with the columns the leaderboard
// orders by, as Record writes them: points never below 0, accuracy in
// millionths, the moment reached in Unix nanoseconds never below 0.
func (m *memberRecords) scoreRows() ([][]any, error) {
	var out [][]any
	for _, s := range m.scores {
		v, err := json.Marshal(s.score)
		if err != nil {
			return nil, err
		}
		out = append(out, []any{m.group, s.period, s.category, m.user, int64(max(s.score.Points, 0)), accuracyKey(s.score.Tally),
			max(s.score.ReachedAt.UnixNano(), 0), int32(s.score.Answered), int32(s.score.Correct), v})
	}
	return out, nil
}

// chatRows is measurement 2 on PostgreSQL: signed Discord interactions
// and Slack button presses from 64 clients, answered by a bot on
// PostgreSQL, against a handler that only verifies the signature.
func chatRows(ctx context.Context, s *pgServer) ([]row, error) {
	const d = 5 * time.Second
	u, err := s.schema(ctx, "chat")
	if err != nil {
		return nil, err
	}
	defer s.drop("chat")
	db, err := postgres.Open(ctx, u, postgres.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	countAnswers := func() (int, error) {
		var n int
		err := db.Pool().QueryRow(ctx, "SELECT count(*) FROM answers").Scan(&n)
		return n, err
	}
	c := chatBench{
		label: "PostgreSQL ",
		newBot: func() (*bot.Bot, func() (int, error), error) {
			b, err := newBot(db)
			return b, countAnswers, err
		},
		// a database in use: members and their scores, and statistics;
		// then a checkpoint, so that the pages the measurements before
		// this one dirtied (a million answers) are not written out while
		// this one runs
		warm: func() error {
			var seq0 atomic.Uint64
			if _, err := recordEach(ctx, []*postgres.DB{db}, &seq0, time.Second); err != nil {
				return err
			}
			if err := analyze(ctx, db.Pool()); err != nil {
				return err
			}
			checkpoint(ctx, db.Pool())
			return nil
		},
	}
	ours, base, err := c.discord(ctx, d)
	if err != nil {
		return nil, err
	}
	rows := pgInteractionRows("Discord", ours, base)
	c.warm = nil // warmed once
	sours, sbase, err := c.slack(ctx, d)
	if err != nil {
		return nil, err
	}
	return append(rows, pgInteractionRows("Slack", sours, sbase)...), nil
}

func pgInteractionRows(platform string, ours, base load) []row {
	return []row{
		{7, "PostgreSQL " + platform + " answers/s (64 clients), vs verify-only handler", fmt.Sprintf("%.0f/s", ours.rate()), fmt.Sprintf("%.0f/s", base.rate()), ratio(ours.rate(), base.rate()), "-", true},
		{7, "PostgreSQL " + platform + " p50 / p99 latency", ms(ours.p50) + " / " + ms(ours.p99), ms(base.p50) + " / " + ms(base.p99), ratio(float64(ours.p99), float64(base.p99)), "p99 < 50 ms", ours.p99 < 50*time.Millisecond},
	}
}
