// Package console is prepbot's terminal adapter: a REPL on an io.Reader and
// an io.Writer that takes the commands as typed on Discord
// (/question category:postgres) and prints buttons as [N] label; typing N
// presses one. It needs no token, and the tests drive the whole bot
// through it on buffers.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// Options configures a console session.
type Options struct {
	Bot     *bot.Bot
	In      io.Reader
	Out     io.Writer
	User    string // the console user's name (and id)
	Group   string // default "console"
	Channel string // default "#study"
	// Tick runs the daily-question scheduler every interval in the
	// background; 0 runs it only before each command (deterministic, for
	// tests and scripts).
	Tick time.Duration
	// Banner is printed first (where the database is, say).
	Banner string
	// PictureDir is where pictures (/stats, /leaderboard chart:yes) are
	// saved; default: a prepbot folder in the temporary directory.
	PictureDir string
}

// Console is one session. Use Run.
type Console struct {
	opt     Options
	mu      sync.Mutex // guards out, buttons and state below
	out     *bufio.Writer
	buttons map[int]string // number -> action
	next    int
	typed   string // action of the last card answered by typing
	unsaved int    // answers and ratings that failed to be saved
	pending string // a text prompt is open for this action
}

// New returns a console session. Run drives it from Options.In; tests may
// call Exec line by line instead.
func New(opt Options) *Console {
	if opt.Group == "" {
		opt.Group = "console"
	}
	if opt.Channel == "" {
		opt.Channel = "#study"
	}
	if opt.User == "" {
		opt.User = "you"
	}
	c := &Console{opt: opt, out: bufio.NewWriter(opt.Out), buttons: map[int]string{}}
	opt.Bot.SetChat(c)
	return c
}

// Run prints the welcome and reads commands until the input ends, ctx is
// done or the user types /quit.
func Run(ctx context.Context, opt Options) error {
	c := New(opt)
	c.printf("prepbot console: you are %s in %s. Type /help for the commands, /question to draw a card,\na number to press a button, /quit to leave.\n", c.opt.User, c.opt.Channel)
	if opt.Banner != "" {
		c.printf("%s\n", opt.Banner)
	}
	c.flush()
	if err := opt.Bot.CloseRounds(ctx); err != nil { // a round left by a previous session
		c.say("(closing an old study round: %v)", err)
	}
	stopTicker := c.startTicker(ctx)
	defer stopTicker()
	lines := bufio.NewScanner(opt.In)
	lines.Buffer(make([]byte, 64*1024), 1<<20)
	for lines.Scan() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !c.Exec(ctx, lines.Text()) {
			break
		}
	}
	stopTicker() // nothing prints after the goodbye
	c.mu.Lock()
	unsaved := c.unsaved
	c.mu.Unlock()
	if unsaved > 0 {
		c.printf("Bye. %d of your presses could not be saved (the messages above say why); everything else is saved.\n", unsaved)
	} else {
		c.printf("Bye. Your answers are saved.\n")
	}
	c.flush()
	return lines.Err()
}

// startTicker runs the scheduler every Options.Tick in the background
// (when set), and returns the function that stops it and waits for it: a
// tick under way finishes first. Calling stop again does nothing.
func (c *Console) startTicker(ctx context.Context) (stop func()) {
	if c.opt.Tick <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(c.opt.Tick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				c.tick(ctx)
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// Exec runs one line of input: the due daily questions first, then the
// command or button press. It returns false when the user asked to quit.
func (c *Console) Exec(ctx context.Context, line string) bool {
	line = strings.TrimSpace(line)
	if line == "" {
		return true
	}
	if line == "/quit" || line == "/exit" {
		return false
	}
	c.tick(ctx)
	c.handle(ctx, line)
	return true
}

func (c *Console) tick(ctx context.Context) {
	if _, err := c.opt.Bot.Tick(ctx); err != nil {
		c.printf("(daily question: %v)\n", err)
		c.flush()
	}
	if err := c.opt.Bot.TickRounds(ctx); err != nil {
		c.printf("(study round: %v)\n", err)
		c.flush()
	}
}

func (c *Console) request() bot.Request {
	return bot.Request{Platform: "console", Group: c.opt.Group, Channel: c.opt.Channel,
		User: bot.User{ID: c.opt.User, Name: c.opt.User, Admin: true}}
}

func (c *Console) handle(ctx context.Context, line string) {
	req := c.request()
	c.mu.Lock()
	pending := c.pending
	c.mu.Unlock()
	switch {
	case isNumber(line):
		n, _ := strconv.Atoi(line)
		c.mu.Lock()
		action, ok := c.buttons[n]
		c.mu.Unlock()
		if !ok {
			c.say("There is no button [%s]. Press one of the numbers shown under a card.", line)
			return
		}
		req.Action = action
	case strings.HasPrefix(line, "/answer"):
		text := strings.TrimSpace(strings.TrimPrefix(line, "/answer"))
		c.mu.Lock()
		action := c.typed
		c.mu.Unlock()
		if action == "" {
			c.say("No card is waiting for a typed answer. Cards with options are answered by pressing their number.")
			return
		}
		if text == "" {
			c.say("Type your answer after the command: /answer YOUR ANSWER")
			return
		}
		req.Action, req.Text = action, text
	case strings.HasPrefix(line, "/"):
		words := bot.SplitWords(line[1:])
		name := strings.ToLower(words[0])
		cmd, ok := bot.FindCommand(name)
		if !ok {
			c.say("Unknown command /%s. Type /help to see every command.", name)
			return
		}
		args, err := bot.ParseArgs(cmd, words[1:])
		if err != nil {
			c.say("%s", bot.ErrorMessage(err))
			return
		}
		req.Command, req.Args = cmd.Name, args
	case pending != "":
		req.Action, req.Text = pending, line
	default:
		c.say("Commands start with a slash: type /help, or /question to draw a card.")
		return
	}
	c.mu.Lock()
	c.pending = ""
	c.mu.Unlock()
	reply, err := c.opt.Bot.Handle(ctx, req)
	if err != nil && req.Action != "" && bot.ErrorCode(err) == bot.EInternal {
		c.mu.Lock()
		c.unsaved++ // an answer or rating the database did not take
		c.mu.Unlock()
	}
	c.render(reply, "")
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// Post implements bot.Chat: the daily question appears in the console.
func (c *Console) Post(ctx context.Context, group, channel string, r bot.Reply) error {
	where := ""
	if channel != c.opt.Channel {
		where = "posted in " + channel
	}
	c.render(r, where)
	return nil
}

func (c *Console) say(format string, args ...any) {
	c.printf(format+"\n", args...)
	c.flush()
}

var bold = regexp.MustCompile(`\*\*(.+?)\*\*`)

// escaped is a Markdown backslash escape (bot.EscapeMarkdown): the terminal
// shows the character itself.
var escaped = regexp.MustCompile("\\\\([\\\\*_~`|<>\\[\\]()#])")

// render prints a reply as text, numbering its buttons.
func (c *Console) render(r bot.Reply, where string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.out.Flush()
	if r.Modal != nil {
		c.pending = r.Modal.Action
		c.typed = r.Modal.Action
		fmt.Fprintf(c.out, "%s: type your answer on the next line (or /answer YOUR ANSWER).\n", r.Modal.Title)
		return
	}
	title := r.Title
	if where != "" {
		title += " (" + where + ")"
	}
	if title != "" {
		fmt.Fprintf(c.out, "\n== %s ==\n", title)
	}
	if r.Text != "" {
		fmt.Fprintln(c.out, escaped.ReplaceAllString(bold.ReplaceAllString(r.Text, "$1"), "$1"))
	}
	var inline []string
	for i, f := range r.Fields {
		if f.Inline {
			inline = append(inline, f.Name+": "+f.Value)
		} else {
			fmt.Fprintf(c.out, "%s: %s\n", f.Name, f.Value)
		}
		if len(inline) > 0 && (i == len(r.Fields)-1 || !r.Fields[i+1].Inline) {
			fmt.Fprintln(c.out, strings.Join(inline, " | "))
			inline = nil
		}
	}
	if len(r.Buttons) > 0 {
		var labels []string
		for _, b := range r.Buttons {
			c.next++
			c.buttons[c.next] = b.ID
			labels = append(labels, fmt.Sprintf("[%d] %s", c.next, b.Label))
			if a, _ := bot.ParseAction(b.ID); a.Kind == bot.ActionType {
				c.typed = b.ID
			}
		}
		fmt.Fprintln(c.out, strings.Join(labels, "  "))
	}
	if r.Footer != "" {
		fmt.Fprintf(c.out, "(%s)\n", r.Footer)
	}
	for _, a := range r.Attachments {
		dir := c.opt.PictureDir
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "prepbot")
		}
		path := filepath.Join(dir, a.Name)
		err := os.MkdirAll(dir, 0o755)
		if err == nil {
			err = os.WriteFile(path, a.Data, 0o644)
		}
		if err != nil {
			fmt.Fprintf(c.out, "(the picture could not be saved: %v)\n", err)
			continue
		}
		fmt.Fprintf(c.out, "Picture: %s (%s)\n", path, a.Alt)
	}
}

func (c *Console) printf(format string, args ...any) {
	c.mu.Lock()
	fmt.Fprintf(c.out, format, args...)
	c.mu.Unlock()
}

func (c *Console) flush() {
	c.mu.Lock()
	c.out.Flush()
	c.mu.Unlock()
}
