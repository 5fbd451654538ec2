// Package console is prepbot's terminal adapter: a REPL on an io.Reader and
// an io.Writer that takes the commands as typed on Discord
// (/question category:postgres) and prints buttons as [N] label, numbered
// from 1 in each reply; typing N presses one of the buttons printed last,
// and typing a card's option letter (A, b) answers the latest card with
// options. It needs no token, and the tests drive the whole bot through it
// on buffers.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
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
	// saved, made if missing; default: DefaultPictureDir.
	PictureDir string
	// Width is the terminal's width in columns: longer lines of text are
	// wrapped to it (code blocks and words, URLs too, are never broken). 0
	// wraps nothing.
	Width int
}

// Console is one session. Use Run.
type Console struct {
	opt     Options
	mu      sync.Mutex // guards out, buttons and state below
	out     *bufio.Writer
	buttons []string          // the actions of the buttons printed last, pressed by number from 1
	letters map[string]string // the options of the latest card with options, by letter
	subject string            // the member the reply being handled is about (whose /stats)
	typed   string            // action of the last card answered by typing
	unsaved int               // answers and ratings that failed to be saved
	pending string            // a text prompt is open for this action
	// long is set while the open prompt takes several lines (a mock
	// interview's answer): draft holds them until an empty line
	long  bool
	draft []string
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
	if opt.PictureDir == "" {
		opt.PictureDir = DefaultPictureDir()
	}
	c := &Console{opt: opt, out: bufio.NewWriter(opt.Out)}
	opt.Bot.SetChat(c)
	return c
}

// Run prints the welcome and reads commands until the input ends, ctx is
// done or the user types /quit.
func Run(ctx context.Context, opt Options) error {
	c := New(opt)
	c.printf("%s\n", wrap(fmt.Sprintf("prepbot console: you are %s in %s. Type /help for the commands, /question to draw a card, a number to press a button, a letter to answer a card, /quit to leave.", c.opt.User, c.opt.Channel), c.opt.Width))
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
	c.collect(ctx, "") // input that ends in the middle of a long answer submits it
	stopTicker()       // nothing prints after the goodbye
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
	if c.collect(ctx, line) {
		return true
	}
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
	case pending != "" && !strings.HasPrefix(line, "/"):
		req.Action, req.Text = pending, line // the answer the prompt asked for, even "2" or "A"
	case isNumber(line):
		action, problem := c.pressNumber(line)
		if problem != "" {
			c.say("%s", problem)
			return
		}
		req.Action = action
	case isLetter(line):
		action, problem := c.pressLetter(line)
		if problem != "" {
			c.say("%s", problem)
			return
		}
		req.Action = action
	case strings.HasPrefix(line, "/answer"):
		text := strings.TrimSpace(strings.TrimPrefix(line, "/answer"))
		c.mu.Lock()
		action := c.typed
		c.mu.Unlock()
		if action == "" {
			c.say("No card is waiting for a typed answer. Cards with options are answered by typing their letter (A) or pressing their number.")
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
		c.mu.Lock()
		c.subject = c.opt.User
		if u := strings.TrimSpace(args["user"]); cmd.Name == "stats" && u != "" {
			c.subject = u // /stats bob: bob's picture
		}
		c.mu.Unlock()
	default:
		c.say("Commands start with a slash: type /help, or /question to draw a card.")
		return
	}
	c.mu.Lock()
	c.pending = ""
	c.mu.Unlock()
	c.send(ctx, req)
}

// send handles a request and prints its reply.
func (c *Console) send(ctx context.Context, req bot.Request) {
	reply, err := c.opt.Bot.Handle(ctx, req)
	if err != nil && req.Action != "" && bot.ErrorCode(err) == bot.EInternal {
		c.mu.Lock()
		c.unsaved++ // an answer or rating the database did not take
		c.mu.Unlock()
	}
	c.render(reply, "")
}

// collect takes the lines of a long answer (a mock interview's) while its
// prompt is open, and submits them at the first empty line; it reports
// whether it took the line. A command instead drops the unfinished answer
// (the question's Answer button opens the prompt again).
func (c *Console) collect(ctx context.Context, line string) bool {
	c.mu.Lock()
	if !c.long {
		c.mu.Unlock()
		return false
	}
	trimmed := strings.TrimSpace(line)
	switch {
	case strings.HasPrefix(trimmed, "/"):
		dropped := len(c.draft) > 0
		c.long, c.draft, c.pending = false, nil, ""
		c.mu.Unlock()
		if dropped {
			c.say("(your unfinished answer was dropped)")
		}
		return false
	case trimmed != "":
		c.draft = append(c.draft, strings.TrimRight(line, " \t\r"))
		c.mu.Unlock()
		return true
	case len(c.draft) == 0:
		c.mu.Unlock()
		return true // an empty line before the answer: still waiting for it
	}
	req := c.request()
	req.Action, req.Text = c.pending, strings.Join(c.draft, "\n")
	c.long, c.draft, c.pending = false, nil, ""
	c.mu.Unlock()
	c.tick(ctx)
	c.send(ctx, req)
	return true
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

// Direct implements bot.Chat: a private message (the streak reminder)
// appears in the console, marked as one.
func (c *Console) Direct(ctx context.Context, group, user string, r bot.Reply) error {
	c.render(r, "a private message to "+user)
	return nil
}

func (c *Console) say(format string, args ...any) {
	c.printf(format+"\n", args...)
	c.flush()
}

// render prints a reply as text, numbering its buttons.
func (c *Console) render(r bot.Reply, where string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.out.Flush()
	if r.Modal != nil {
		c.pending = r.Modal.Action
		c.typed = r.Modal.Action
		if r.Modal.Long {
			c.long, c.draft = true, nil
			fmt.Fprintf(c.out, "%s: type it below, on as many lines as you like, and end it with an empty line.\n", r.Modal.Title)
			return
		}
		fmt.Fprintf(c.out, "%s: type your answer on the next line (or /answer YOUR ANSWER).\n", r.Modal.Title)
		return
	}
	title := r.Title
	if where != "" {
		title += " (" + where + ")"
	}
	if title != "" {
		fmt.Fprintf(c.out, "\n%s\n", wrap("== "+title+" ==", c.opt.Width))
	}
	if r.Text != "" {
		fmt.Fprintln(c.out, wrap(plain(r.Text), c.opt.Width))
	}
	var inline []string
	for i, f := range r.Fields {
		if f.Inline {
			inline = append(inline, f.Name+": "+f.Value)
		} else {
			fmt.Fprintln(c.out, wrap(plain(f.Name+": "+f.Value), c.opt.Width))
		}
		if len(inline) > 0 && (i == len(r.Fields)-1 || !r.Fields[i+1].Inline) {
			fmt.Fprintln(c.out, wrap(plain(strings.Join(inline, " | ")), c.opt.Width))
			inline = nil
		}
	}
	if len(r.Buttons) > 0 {
		c.printButtons(r.Buttons)
	}
	if r.Footer != "" {
		fmt.Fprintln(c.out, wrap("("+r.Footer+")", c.opt.Width))
	}
	for _, a := range r.Attachments {
		member := c.subject
		if member == "" {
			member = c.opt.User
		}
		path, err := savePicture(c.opt.PictureDir, a, member)
		if err != nil {
			fmt.Fprintf(c.out, "The picture could not be saved: %v.\n", err)
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
