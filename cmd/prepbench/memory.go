package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/prepbot/prepbot/questionbank/bankfile"
	"github.com/prepbot/prepbot/storage"
)

// rss starts `prepbot serve` with a bank and a database, waits until it is
// ready and idle, and reads its resident memory.
func rss(bin, dir, name string, banks []string, db string) (int64, error) {
	pub, _, _ := ed25519.GenerateKey(nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	addr := l.Addr().String()
	l.Close()
	cfg := filepath.Join(dir, name+".yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("db: %s\nbank:\n  paths: [%s]\nhttp:\n  addr: %q\nlog:\n  level: warn\ndiscord:\n  public_key: %s\n",
		db, strings.Join(banks, ", "), addr, hex.EncodeToString(pub))), 0o600)
	cmd := exec.Command(bin, "serve", "--config", cfg)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if i > 600 {
			return 0, fmt.Errorf("%s: not ready in a minute", name)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // idle: let start-up settle
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("reading resident memory needs Linux's /proc: %w", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS")
}

// benchMemory is measurement 6: resident memory of an idle server.
func benchMemory(dir string, _ map[int]float64) ([]row, float64, error) {
	bin := filepath.Join(dir, "prepbot")
	progress("building prepbot")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/prepbot").CombinedOutput(); err != nil {
		return nil, 0, fmt.Errorf("go build: %v\n%s", err, out)
	}
	small, err := rss(bin, dir, "small", []string{"default"}, filepath.Join(dir, "mem-small.db"))
	if err != nil {
		return nil, 0, err
	}
	progress("a bank of 100,000 cards and a database of 100,000 members")
	doc, _ := bankfile.ParseYAML("synthetic", strings.NewReader(bankfile.Synthetic(100_000)))
	f, _ := os.Create(filepath.Join(dir, "big.json"))
	bankfile.WriteJSON(f, doc)
	f.Close()
	db, err := storage.Open(filepath.Join(dir, "mem-big.db"), storage.Options{NoSync: true})
	if err != nil {
		return nil, 0, err
	}
	if err := fill(db, history(100_000, 100_000, time.Now().UTC())); err != nil {
		return nil, 0, err
	}
	db.Close()
	big, err := rss(bin, dir, "big", []string{filepath.Join(dir, "big.json")}, filepath.Join(dir, "mem-big.db"))
	if err != nil {
		return nil, 0, err
	}
	mb := func(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
	return []row{
		{6, "RSS idle, built-in bank", mb(small), "-", "-", "< 40 MB", small < 40e6},
		{6, "RSS idle, 100k cards + 100k members", mb(big), mb(small) + " (built-in)", ratio(float64(big), float64(small)), "< 300 MB", big < 300e6},
	}, 0, nil
}
