package bankfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank"
)

// Content checks for the python and fastapi cards of the built-in bank:
// each case guards a fault a review found, so that it cannot come back.

var pythonBlockRE = regexp.MustCompile("(?s)```python\n(.*?)```")

// pythonCode returns the card's first Python code block, or "".
func pythonCode(c *questionbank.Card) string {
	if m := pythonBlockRE.FindStringSubmatch(c.Answer); m != nil {
		return m[1]
	}
	return ""
}

// standAlone is what a quick check can lean on: the prompt and the quick
// check itself, never the model answer (hidden until the member reveals it).
func standAlone(c *questionbank.Card) string {
	return c.Prompt + "\n" + c.QuickCheck.Question
}

func containsAll(s string, subs ...string) []string {
	var missing []string
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			missing = append(missing, sub)
		}
	}
	return missing
}

// classBases maps each class defined in Python code to its first base.
var classRE = regexp.MustCompile(`(?m)^\s*class (\w+)\((\w+)[^)]*\):`)

func TestPythonFastAPICardsFixed(t *testing.T) {
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id    string
		check func(c *questionbank.Card) []string // the faults found, none when fine
	}{
		{"python-metaclasses", func(c *questionbank.Card) []string {
			// the question must say what PluginMeta does, not point at code in the answer
			var out []string
			if m := containsAll(standAlone(c), "PluginMeta", "__new__", "registry", "CsvExporter(Plugin)"); m != nil {
				out = append(out, "the quick check does not describe PluginMeta and CsvExporter itself, missing "+strings.Join(m, ", "))
			}
			return out
		}},
		{"python-mro", func(c *questionbank.Card) []string {
			if m := containsAll(standAlone(c), "class D(B, C)", "super().save()"); m != nil {
				return []string{"the quick check does not define the diamond it asks about, missing " + strings.Join(m, ", ")}
			}
			return nil
		}},
		{"python-abc", func(c *questionbank.Card) []string {
			s := standAlone(c)
			if m := containsAll(s, "PaymentGateway", "charge", "abstract"); m != nil {
				return []string{"PaymentGateway and its abstract charge method are defined only in the answer, missing " + strings.Join(m, ", ")}
			}
			return nil
		}},
		{"fastapi-websockets", func(c *questionbank.Card) []string {
			var out []string
			code := pythonCode(c)
			if regexp.MustCompile(`\{\s*"from"[^}]*\*\*msg`).MatchString(code) ||
				!regexp.MustCompile(`\{\s*\*\*msg\s*,\s*"from"\s*:`).MatchString(code) {
				out = append(out, `the client's message must be merged first ({**msg, "from": ...}) so it cannot overwrite "from"`)
			}
			i := strings.Index(code, "finally:")
			if i < 0 || !regexp.MustCompile(`leave\(|discard\(|remove\(`).MatchString(code[i:]) {
				out = append(out, "the connection must leave the registry in a finally block, not only on WebSocketDisconnect")
			}
			for _, sentence := range regexp.MustCompile(`[.;]\s`).Split(c.Answer, -1) {
				low := strings.ToLower(sentence)
				if (strings.Contains(low, "first message") || strings.Contains(low, "first-message")) && !strings.Contains(low, "after") {
					out = append(out, "a token sent as the first message is offered as if it could be checked before accept(): "+strings.TrimSpace(sentence))
				}
			}
			return out
		}},
		{"fastapi-nested-validation", func(c *questionbank.Card) []string {
			var out []string
			code := pythonCode(c)
			bases := map[string]string{}
			forbids := map[string]bool{}
			locs := classRE.FindAllStringSubmatchIndex(code, -1)
			for k, loc := range locs {
				name, base := code[loc[2]:loc[3]], code[loc[4]:loc[5]]
				end := len(code)
				if k+1 < len(locs) {
					end = locs[k+1][0]
				}
				bases[name] = base
				forbids[name] = strings.Contains(code[loc[1]:end], `extra="forbid"`)
			}
			for name := range bases {
				ok := false
				for n, seen := name, 0; n != "" && seen < 10; n, seen = bases[n], seen+1 {
					ok = ok || forbids[n]
				}
				if !ok {
					out = append(out, name+` does not forbid extra keys: extra="forbid" on Order alone lets nested models drop unknown keys silently`)
				}
			}
			if len(bases) < 3 {
				out = append(out, "the answer's code should keep its nested models")
			}
			if !strings.Contains(c.Answer, `"ignore"`) {
				out = append(out, `the answer should say that other models keep the default extra="ignore"`)
			}
			return out
		}},
		{"python-asyncio", func(c *questionbank.Card) []string {
			code := pythonCode(c)
			if !strings.Contains(code, "asyncio.Semaphore(") && !strings.Contains(code, "asyncio.Queue(") {
				return []string{"the example starts one request per URL with no bound: cap it with a Semaphore or a worker pool"}
			}
			return nil
		}},
		{"python-decorators", func(c *questionbank.Card) []string {
			if !regexp.MustCompile(`times\s*(<\s*1|<=\s*0)|not times`).MatchString(pythonCode(c)) {
				return []string{"retry(times=0) never calls the function and returns None: the factory must refuse times < 1"}
			}
			return nil
		}},
		{"python-memory-management", func(c *questionbank.Card) []string {
			var out []string
			if m := containsAll(c.Answer, "gc.get_referrers", "memray", "RSS", "tracemalloc", "native", "type(o)"); m != nil {
				out = append(out, "the leak investigation does not cover what the key concepts promise, missing "+strings.Join(m, ", "))
			}
			if !strings.Contains(c.Answer, "get_traced_memory") {
				out = append(out, "the answer should compare RSS with tracemalloc's traced memory")
			}
			return out
		}},
		{"fastapi-pydantic-v2", func(c *questionbank.Card) []string {
			var out []string
			if m := containsAll(c.Answer, `"type": "missing"`, `"input"`, "value_error.missing"); m != nil {
				out = append(out, "the migration omits the changed 422 body, missing "+strings.Join(m, ", "))
			}
			if m := containsAll(c.Answer, "validate_by_name", "2.11"); m != nil {
				out = append(out, "populate_by_name is superseded by validate_by_name since Pydantic 2.11, missing "+strings.Join(m, ", "))
			}
			return out
		}},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			c, ok := b.Card(tc.id)
			if !ok {
				t.Fatalf("no card %s", tc.id)
			}
			for _, fault := range tc.check(c) {
				t.Error(fault)
			}
		})
	}
}

// A quick check stands on its own: it never points at code "above" or in
// the answer, which the member has not seen when answering.
func TestPythonFastAPIQuickChecksStandAlone(t *testing.T) {
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	leans := regexp.MustCompile(`(?i)\babove\b|\bshown\b|the answer|the example|the snippet|this card`)
	for _, c := range b.Cards() {
		if c.Category != "python" && c.Category != "fastapi" || c.QuickCheck == nil {
			continue
		}
		if m := leans.FindString(c.QuickCheck.Question); m != "" {
			t.Errorf("%s: the quick check refers to %q, which the member cannot see: %s", c.ID, m, c.QuickCheck.Question)
		}
	}
}

// The fixed code runs and behaves as its card says. Each harness gets the
// card's Python block in the file named by CARD_CODE.
func TestPythonFastAPICodeBehaves(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the python and fastapi cards' code was not run (install python3 to run it)")
	}
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id, harness string
		needs       string // a module the harness needs, skipped when absent
	}{
		{"python-decorators", `
import os
exec(open(os.environ["CARD_CODE"]).read())
calls = []
try:
    @retry(times=0)
    def f():
        calls.append(1)
        return "ran"
    r = f()
except ValueError:
    print("ok: times=0 refused")
else:
    assert r == "ran" and calls, f"retry(times=0) returned {r!r} without calling the function"
    print("ok")
`, ""},
		{"python-asyncio", `
import asyncio, os
exec(open(os.environ["CARD_CODE"]).read())
class Client:
    cur = peak = 0
    async def get(self, url):
        Client.cur += 1
        Client.peak = max(Client.peak, Client.cur)
        await asyncio.sleep(0.01)
        Client.cur -= 1
        return url
urls = [f"https://example.test/{i}" for i in range(300)]
out = asyncio.run(fetch_all(Client(), urls))
assert list(out) == urls, "results lost or reordered"
assert Client.peak <= 100, f"{Client.peak} requests in flight at once: concurrency is not bounded"
print("ok", Client.peak)
`, ""},
		{"fastapi-websockets", `
import asyncio, json, os
from collections import defaultdict
class WebSocketDisconnect(Exception): pass
class WebSocket:
    def __init__(self, incoming):
        self.incoming = list(incoming)
    async def accept(self): pass
    async def receive_json(self):
        if not self.incoming:
            raise WebSocketDisconnect()
        m = self.incoming.pop(0)
        if isinstance(m, Exception):
            raise m
        return m
    async def send_json(self, m): pass
class App:
    def websocket(self, path): return lambda f: f
app = App()
def Depends(dep): return None
class User: id = "alice"
def ws_user(): return User
published = []
class Redis:
    async def publish(self, channel, data): published.append(json.loads(data))
redis = Redis()
exec(open(os.environ["CARD_CODE"]).read())
hub = Hub()
async def main():
    await ws_endpoint(WebSocket([{"text": "hi", "from": "mallory"}]), "r1", User)
    assert published and published[0]["from"] == "alice", f"client overwrote from: {published}"
    try:
        await ws_endpoint(WebSocket([ValueError("bad frame")]), "r2", User)
    except ValueError:
        pass
    live = sum(len(v) for v in hub.rooms.values())
    assert live == 0, f"{live} closed sockets left in the registry: {dict(hub.rooms)}"
asyncio.run(main())
print("ok")
`, ""},
		{"fastapi-nested-validation", `
import os
from datetime import date
from typing import Annotated, Literal
try:
    from typing import Self
except ImportError:
    from typing_extensions import Self
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
exec(open(os.environ["CARD_CODE"]).read())
good = {"lines": [{"sku": "a", "qty": 1}], "payment": {"type": "card", "token": "t"}}
Order.model_validate(good)
for where, bad in [
    ("a line", {"lines": [{"sku": "a", "qty": 1, "price": 0}], "payment": good["payment"]}),
    ("the payment", {"lines": good["lines"], "payment": {"type": "card", "token": "t", "is_admin": True}}),
    ("the order", {**good, "coupon": "FREE"}),
]:
    try:
        Order.model_validate(bad)
    except ValidationError as e:
        assert any(err["type"] == "extra_forbidden" for err in e.errors()), e
    else:
        raise AssertionError(f"an unknown key in {where} was silently accepted")
print("ok")
`, "pydantic"},
	}
	dir := t.TempDir()
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			if tc.needs != "" {
				if err := exec.Command(python, "-c", "import "+tc.needs).Run(); err != nil {
					t.Skipf("python3 has no %s module: %s's code was not run", tc.needs, tc.id)
				}
			}
			c, ok := b.Card(tc.id)
			if !ok {
				t.Fatalf("no card %s", tc.id)
			}
			code := pythonCode(c)
			if code == "" {
				t.Fatalf("%s has no python code block", tc.id)
			}
			file := filepath.Join(dir, tc.id+".py")
			if err := os.WriteFile(file, []byte(code), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(python, "-c", tc.harness)
			cmd.Env = append(os.Environ(), "CARD_CODE="+file)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("%s's code does not behave as the card says: %v\n%s", tc.id, err, out)
			}
		})
	}
}
