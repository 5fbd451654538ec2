package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prepbot/prepbot/storage"
)

// server runs the real prepbot binary with Discord's HTTP interactions
// endpoint enabled and a temporary database.
type server struct {
	t      *testing.T
	bin    string
	dir    string
	db     string
	addr   string
	priv   ed25519.PrivateKey
	cmd    *exec.Cmd
	exited chan error
	stderr *bytes.Buffer
}

var buildOnce sync.Once
var builtBin string
var buildErr error

func buildBinary(t *testing.T) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "prepbot-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "prepbot")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func newServer(t *testing.T) *server {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, bin: buildBinary(t), dir: t.TempDir(), addr: freePort(t), priv: priv}
	s.db = filepath.Join(s.dir, "prepbot.db")
	cfg := fmt.Sprintf("db: %s\nhttp:\n  addr: %q\nlog:\n  level: warn\ndiscord:\n  public_key: %s\n", s.db, s.addr, hex.EncodeToString(pub))
	if err := os.WriteFile(filepath.Join(s.dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// start runs the binary and waits until /readyz answers 200.
func (s *server) start() {
	s.t.Helper()
	s.stderr = &bytes.Buffer{}
	s.cmd = exec.Command(s.bin, "serve", "--config", filepath.Join(s.dir, "config.yaml"))
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.exited = make(chan error, 1)
	go func() { s.exited <- s.cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + s.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case err := <-s.exited:
			s.t.Fatalf("prepbot serve exited at start: %v\n%s", err, s.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	s.t.Fatalf("prepbot serve not ready in 20s\n%s", s.stderr)
}

func (s *server) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

var interactionSeq atomic.Int64

// interact sends a signed interaction and returns the status and body.
func (s *server) interact(client *http.Client, user, channel string, data string, typ int) (int, []byte, error) {
	return signedInteraction(client, s.addr, s.priv, strconv.FormatInt(interactionSeq.Add(1), 10), user, channel, typ, data)
}

var optionButton = regexp.MustCompile(`"custom_id":"(a:(\d+):\d+)"`)

type ack struct {
	user string
	post string
}

// load runs eight clients answering in round n until stop is closed.
func (s *server) load(n int, stop <-chan struct{}, acks chan<- ack) *sync.WaitGroup {
	var wg sync.WaitGroup
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			s.answerLoop(c, n, stop, acks)
		}(c)
	}
	return &wg
}

// answerLoop draws cards and answers them as fresh members until stop is
// closed, sending every acknowledged answer to acks.
func (s *server) answerLoop(client, n int, stop <-chan struct{}, acks chan<- ack) {
	hc := &http.Client{Timeout: 5 * time.Second}
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		user := fmt.Sprintf("u%d-%d-%d", n, client, i)
		code, body, err := s.interact(hc, user, fmt.Sprintf("c%d", client), `{"id":"q","name":"question","type":1}`, 2)
		if err != nil || code != 200 {
			time.Sleep(5 * time.Millisecond) // the server is down: a poll interval, not a timing assumption
			continue
		}
		m := optionButton.FindSubmatch(body)
		if m == nil {
			continue
		}
		code, body, err = s.interact(hc, user, fmt.Sprintf("c%d", client), fmt.Sprintf(`{"custom_id":%q,"component_type":2}`, m[1]), 3)
		if err == nil && code == 200 && (bytes.Contains(body, []byte("Correct!")) || bytes.Contains(body, []byte("Not quite"))) {
			acks <- ack{user, string(m[2])}
		}
	}
}

// exported reads `prepbot export` and counts answers by user and post.
func (s *server) exported() map[ack]int {
	s.t.Helper()
	out, err := exec.Command(s.bin, "export", "--db", s.db).Output()
	if err != nil {
		s.t.Fatalf("prepbot export: %v", err)
	}
	var dump struct {
		Answers []struct {
			Kind   string `json:"kind"`
			User   string `json:"user"`
			PostID uint64 `json:"post_id"`
		} `json:"answers"`
	}
	if err := json.Unmarshal(out, &dump); err != nil {
		s.t.Fatalf("export is not JSON: %v", err)
	}
	got := map[ack]int{}
	for _, a := range dump.Answers {
		if a.Kind == "answer" {
			got[ack{a.User, strconv.FormatUint(a.PostID, 10)}]++
		}
	}
	return got
}

func (s *server) checkDB() {
	s.t.Helper()
	db, err := storage.Open(s.db, storage.Options{})
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		s.t.Fatalf("bbolt consistency check: %v", err)
	}
}

func verify(t *testing.T, acked []ack, got map[ack]int) (lost, doubled int) {
	for _, a := range acked {
		if got[a] == 0 {
			lost++
			if lost <= 5 {
				t.Errorf("acknowledged answer lost: user %s, post %s", a.user, a.post)
			}
		}
	}
	for k, n := range got {
		if n > 1 {
			doubled++
			t.Errorf("answer recorded %d times: user %s, post %s", n, k.user, k.post)
		}
	}
	return lost, doubled
}

// TestCrashSafety kills the real server with SIGKILL at random moments while
// clients answer, restarts it, and checks that every answer it acknowledged
// survived, once. PREPBOT_CRASH_ROUNDS sets the rounds (default 20).
func TestCrashSafety(t *testing.T) {
	rounds := 20
	if v, err := strconv.Atoi(os.Getenv("PREPBOT_CRASH_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	s := newServer(t)
	acks := make(chan ack, 1<<16)
	var acked []ack
	var mu sync.Mutex
	collect := make(chan struct{})
	go func() {
		for a := range acks {
			mu.Lock()
			acked = append(acked, a)
			mu.Unlock()
		}
		close(collect)
	}()
	kills := 0
	for round := 0; round < rounds; round++ {
		s.start()
		stop := make(chan struct{})
		wg := s.load(round, stop, acks)
		time.Sleep(time.Duration(50+rand.IntN(250)) * time.Millisecond) // a random moment to crash at
		s.kill()
		kills++
		close(stop)
		wg.Wait()
	}
	close(acks)
	<-collect
	s.checkDB()
	lost, doubled := verify(t, acked, s.exported())
	t.Logf("crash harness: %d rounds, %d answers acknowledged, %d kills (SIGKILL), %d lost, %d doubled", rounds, len(acked), kills, lost, doubled)
	fmt.Printf("crash harness: %d rounds, %d answers acknowledged, %d kills (SIGKILL), %d lost, %d doubled\n", rounds, len(acked), kills, lost, doubled)
	if len(acked) < rounds {
		t.Fatalf("only %d answers acknowledged in %d rounds: the harness did not load the server", len(acked), rounds)
	}
}

// TestGracefulShutdown sends SIGTERM under load: the server finishes what
// is in flight, closes the database and exits 0, and keeps every answer it
// acknowledged.
func TestGracefulShutdown(t *testing.T) {
	s := newServer(t)
	s.start()
	acks := make(chan ack, 1<<16)
	stop := make(chan struct{})
	wg := s.load(0, stop, acks)
	for len(acks) < 50 {
		time.Sleep(10 * time.Millisecond) // polling for load to build up
	}
	if out, err := exec.Command(s.bin, "healthcheck", "--url", "http://"+s.addr+"/healthz").CombinedOutput(); err != nil || string(out) != "healthy\n" {
		t.Fatalf("healthcheck under load: %v %s", err, out)
	}
	// a backup while serving, under load, opens and passes the check
	copyPath := filepath.Join(s.dir, "copy.db")
	if out, err := exec.Command(s.bin, "backup", "--db", s.db, copyPath).CombinedOutput(); err != nil || !strings.Contains(string(out), "backed up") {
		t.Fatalf("backup while serving: %v %s", err, out)
	}
	if out, err := exec.Command(s.bin, "export", "--db", copyPath).CombinedOutput(); err != nil || !strings.Contains(string(out), `"answers"`) {
		t.Fatalf("the backup does not open: %v %s", err, out)
	}
	sent := time.Now()
	s.cmd.Process.Signal(syscall.SIGTERM)
	var exitErr error
	select {
	case exitErr = <-s.exited:
	case <-time.After(30 * time.Second):
		s.kill()
		t.Fatalf("did not exit within 30s of SIGTERM\n%s", s.stderr)
	}
	took := time.Since(sent)
	close(stop)
	wg.Wait()
	close(acks)
	if exitErr != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", exitErr, s.stderr)
	}
	var acked []ack
	for a := range acks {
		acked = append(acked, a)
	}
	s.checkDB()
	lost, doubled := verify(t, acked, s.exported())
	t.Logf("graceful shutdown: exited 0 in %v with %d answers acknowledged, %d lost, %d doubled", took.Round(time.Millisecond), len(acked), lost, doubled)
}
