package bot

import (
	"context"
	"strings"
	"time"
)

// User is who sent a request, as the platform tells it.
type User struct {
	ID    string
	Name  string
	Admin bool // may change the daily question (Manage Server, workspace admin, console)
}

// Request is one thing a user did: a command, or a button press (Action set).
type Request struct {
	Platform string // "console", "discord", "slack"
	Group    string // guild or workspace id
	Channel  string // channel id
	User     User

	Command string            // "question", "leaderboard", ... (empty for a button press)
	Args    map[string]string // the command's options by name
	Action  string            // the pressed Button.ID
	Text    string            // typed text (a typed answer)

	// InteractionID is the platform's own id for this delivery, used to
	// handle a redelivered interaction once. May be empty.
	InteractionID string

	// TimeZone is the user's time zone as the platform knows it (Slack's
	// profile tz), "" when it does not say: the member's day follows it
	// until they choose their own with /timezone.
	TimeZone string
}

// Reply is what the bot answers, in a platform-neutral form.
type Reply struct {
	Title   string
	Text    string // Markdown
	Fields  []Field
	Buttons []Button
	Footer  string
	Color   int // 0xRRGGBB accent, 0 for none
	// Private replies are shown only to the user who asked (ephemeral).
	Private bool
	// Modal asks the adapter to collect typed text for Action (a typed
	// answer); the submitted text comes back as a Request with Action and
	// Text set.
	Modal *Modal
	// Attachments are files to show with the reply: PNG pictures.
	Attachments []Attachment
}

// Attachment is a file shown with a reply.
type Attachment struct {
	Name string // such as stats.png
	Data []byte
	Alt  string // what the picture shows, for who cannot see it
}

// Field is a labelled value, such as "Streak: 3 days".
type Field struct {
	Name, Value string
	Inline      bool
}

// Button is a button under a reply. ID comes back as Request.Action.
type Button struct {
	ID    string
	Label string
	Style ButtonStyle
}

// ButtonStyle hints how to draw a button.
type ButtonStyle int

const (
	StyleSecondary ButtonStyle = iota
	StylePrimary
	StyleSuccess
	StyleDanger
)

// Modal describes a text prompt.
type Modal struct {
	Action string // comes back as Request.Action with the text in Request.Text
	Title  string
	Label  string
	// Long asks for an explanation of several lines (at most MaxLongText
	// characters): a paragraph input on Discord, a multiline input on
	// Slack; the console reads lines until an empty one. Placeholder is
	// shown in the empty input; Button is the label of the button that
	// opens the prompt, for a message when it cannot open ("Type answer"
	// when empty).
	Long        bool
	Placeholder string
	Button      string
}

// MaxLongText is the longest explanation a Long modal takes: Slack's
// plain_text_input allows 3,000 characters (Discord's paragraph 4,000).
const MaxLongText = 3000

// Post is a card posted to a channel, by a draw or as the daily question.
type Post struct {
	ID       uint64
	Group    string
	Channel  string
	CardID   string
	Category string
	Daily    bool // the question of the day
	Review   bool // drawn by /review or /practice: its answer offers the next one
	Round    bool // a card of a group study round
	// Interview is set on a question of a mock interview (/interview):
	// private to By, answered by typing, graded once.
	Interview *InterviewStep `json:"interview,omitempty"`
	By        string
	At        time.Time
}

// EventKind tells an answer from a self-rating.
type EventKind string

const (
	KindAnswer EventKind = "answer"
	KindRating EventKind = "rating"
	// KindInterview is a graded explanation in a mock interview: no
	// points, no board; its Score feeds the member's interview averages
	// and the card's review.
	KindInterview EventKind = "interview"
)

// Answer is a recorded answer or self-rating of one user to one post.
type Answer struct {
	Seq      uint64    `json:"seq"`
	Kind     EventKind `json:"kind"`
	Group    string    `json:"group"`
	Channel  string    `json:"channel"`
	User     string    `json:"user"`
	UserName string    `json:"user_name"`
	PostID   uint64    `json:"post_id"`
	CardID   string    `json:"card_id"`
	Category string    `json:"category"`
	Option   int       `json:"option"`           // chosen quick-check option, -1 when typed
	Text     string    `json:"text,omitempty"`   // a typed answer
	Rating   string    `json:"rating,omitempty"` // nailed, partly, missed
	Correct  bool      `json:"correct"`
	Points   int       `json:"points"`
	Score    int       `json:"score,omitempty"` // an interview answer's grade, 0 to 100
	// Peek is what the member had opened of the card that day before
	// answering (PeekHint, PeekAnswer), "" for nothing: a disputed answer
	// is re-scored by it.
	Peek string    `json:"peek,omitempty"`
	At   time.Time `json:"at"`
	// Day is At's date in the group's time zone (2006-01-02); Periods are the
	// leaderboard periods the answer counts toward ("all", "m2026-11",
	// "w2026-W48"). The bot fills both before storing.
	Day     string   `json:"day"`
	Periods []string `json:"periods"`
	// Zone is the time zone Day was computed in (the group's at that
	// moment): a member's streak days stay fixed when the zone changes.
	Zone string `json:"zone,omitempty"`
	// MemberDay is At's date in the member's own time zone, MemberZone,
	// when the member's day follows another zone than the group's (see
	// Member.ZoneName): the member's streak and reviews count it, the
	// boards count Day.
	MemberDay  string `json:"member_day,omitempty"`
	MemberZone string `json:"member_zone,omitempty"`
}

// OwnDay is the answer's day and zone for the member: MemberDay and
// MemberZone when set, else Day and Zone.
func (a *Answer) OwnDay() (day, zone string) {
	if a.MemberDay != "" {
		return a.MemberDay, a.MemberZone
	}
	return a.Day, a.Zone
}

// Peek is what a member opened of a card on a local day before answering
// it: its hint (key concepts) or its model answer. An answer after a peek
// earns less (see Bot.settle).
type Peek struct {
	Day    string `json:"day"`
	Hint   bool   `json:"hint,omitempty"`
	Answer bool   `json:"answer,omitempty"`
}

// Tally counts answers.
type Tally struct {
	Answered int `json:"answered"`
	Correct  int `json:"correct"`
}

// Accuracy is the share of correct answers, 0 to 1.
func (t Tally) Accuracy() float64 {
	if t.Answered == 0 {
		return 0
	}
	return float64(t.Correct) / float64(t.Answered)
}

// Percent is the accuracy in whole percent, the one way every text and
// picture shows it: rounded to the nearest, a half up (2 of 3 is 67%), but
// 100% only when every answer was right and 0% only when none was.
func (t Tally) Percent() int {
	if t.Answered <= 0 {
		return 0
	}
	p := int((200*int64(t.Correct) + int64(t.Answered)) / (2 * int64(t.Answered)))
	switch {
	case p >= 100 && t.Correct < t.Answered:
		return 99
	case p <= 0 && t.Correct > 0:
		return 1
	}
	return p
}

// Member is one user's record in one group.
type Member struct {
	Group      string           `json:"group"`
	User       string           `json:"user"`
	Name       string           `json:"name"`
	Points     int              `json:"points"`
	Tally                       // answers, not ratings
	Categories map[string]Tally `json:"categories"`
	Ratings    map[string]int   `json:"ratings"` // nailed/partly/missed -> count
	Streak     int              `json:"streak"`
	Longest    int              `json:"longest"`
	LastDay    string           `json:"last_day"`       // last local day with an answer or a self-rating
	Zone       string           `json:"zone,omitempty"` // the time zone LastDay is a day of
	// Freezes are the streak freezes held (earned one per 7 days of
	// streak, at most MaxFreezes); Froze, the days the last answer's
	// freezes covered (shown once, with its verdict).
	Freezes int      `json:"freezes,omitempty"`
	Froze   []string `json:"froze,omitempty"`
	// Interviews are the mock interview answers by category, with their
	// scores (not in Tally: they are graded, not right or wrong).
	Interviews map[string]InterviewTally `json:"interviews,omitempty"`
	// TimeZone is the member's own time zone (/timezone), "" for none: the
	// member's day then follows PlatformZone (Slack's profile tz), else
	// the group's. NextTimeZone is a change that takes effect at ZoneFrom,
	// the start of the member's next day when it was asked for.
	TimeZone     string    `json:"time_zone,omitempty"`
	NextTimeZone string    `json:"next_time_zone,omitempty"`
	ZoneFrom     time.Time `json:"zone_from,omitzero"`
	PlatformZone string    `json:"platform_zone,omitempty"`
	// Remind is the member's local time (HH:MM) of the streak reminder
	// (/remind), "" for none. Reminded is the member's day of the last
	// reminder claimed and RemindUntil when that claim expires unless
	// confirmed (zero once sent), as a schedule's LastDay and DailyUntil.
	// RemindOff says why the bot turned the reminder off (the platform
	// refused the private message), until the member is told.
	Remind      string    `json:"remind,omitempty"`
	Reminded    string    `json:"reminded,omitempty"`
	RemindUntil time.Time `json:"remind_until,omitzero"`
	RemindOff   string    `json:"remind_off,omitempty"`
}

// InterviewTally sums the scores of mock interview answers.
type InterviewTally struct {
	Answered int `json:"answered"`
	Total    int `json:"total"` // the sum of their scores
}

// Average is the mean score, 0 to 100.
func (t InterviewTally) Average() int {
	if t.Answered == 0 {
		return 0
	}
	return (t.Total + t.Answered/2) / t.Answered
}

// Score is one member's standing for one period and category.
type Score struct {
	User      string    `json:"user"`
	Name      string    `json:"name"`
	Points    int       `json:"points"`
	Tally               // answers, not ratings
	ReachedAt time.Time `json:"reached_at"` // when the score reached its Points (its first answer, or the last that added points): earlier wins a tie
	// Days counts the distinct local days (Answer.Day) with an answer or
	// a self-rating in the score's period and category; LastDay is the
	// latest of them. The consistency board ranks by Days.
	Days    int    `json:"days,omitempty"`
	LastDay string `json:"last_day,omitempty"`
}

// Group holds per-server (or per-workspace) settings.
type Group struct {
	ID       string `json:"id"`
	TimeZone string `json:"time_zone"`
	// Season is the season running, its zero value when none; Seasons the
	// seasons that ended, in the order they ended.
	Season  Season   `json:"season,omitzero"`
	Seasons []Season `json:"seasons,omitempty"`
	// Web says whether the group's web pages are served (/web on); off
	// by default.
	Web bool `json:"web,omitempty"`
	// Disputes are the members' disputes of rejected typed answers: those
	// waiting for an admin, and those decided until their member is told;
	// DisputeSeq numbers them. Accepted are the answers the group's admins
	// accepted, by card id, matched besides the bank's (bot/dispute.go).
	Disputes   []Dispute           `json:"disputes,omitempty"`
	DisputeSeq int                 `json:"dispute_seq,omitempty"`
	Accepted   map[string][]string `json:"accepted,omitempty"`
}

// Season is a named stretch of study a group's admin starts and ends: the
// answers recorded while it runs count toward a leaderboard period of its
// own, ID.
type Season struct {
	ID    string    `json:"id"` // its period key: "s" and a slug of its name, unique in the group
	Name  string    `json:"name"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"` // zero while it runs
	By    string    `json:"by,omitempty"` // who started it
}

// Schedule is the daily question of one channel.
type Schedule struct {
	Group      string         `json:"group"`
	Channel    string         `json:"channel"`
	Time       string         `json:"time"` // HH:MM, local
	TimeZone   string         `json:"time_zone"`
	Categories []string       `json:"categories,omitempty"` // empty: all
	Weekdays   []time.Weekday `json:"weekdays,omitempty"`   // empty: every day
	By         string         `json:"by"`
	// LastDay is the local day of the last post claimed for this channel;
	// DailyUntil, when set, is when that claim expires: it is not confirmed
	// yet (the post is being made, or whoever claimed it died before).
	LastDay    string    `json:"last_day,omitempty"`
	DailyUntil time.Time `json:"daily_until,omitzero"`
	// DigestDay is the weekday of the weekly digest ("fri"), "" for none;
	// LastDigest the local day of the last one, DigestUntil as DailyUntil.
	DigestDay   string    `json:"digest_day,omitempty"`
	LastDigest  string    `json:"last_digest,omitempty"`
	DigestUntil time.Time `json:"digest_until,omitzero"`
	// Next rotates through Categories, one a day.
	Next int `json:"next"`
	// Disabled says why posting stopped (the channel is gone, access lost);
	// shown to admins by /qotd status. Empty while active.
	Disabled string `json:"disabled,omitempty"`
}

// Chat posts to a channel outside of a request (the daily question), and
// sends a member a private message (the streak reminder).
type Chat interface {
	Post(ctx context.Context, group, channel string, r Reply) error
	// Direct sends r to a user of a group privately: a Discord DM, a
	// Slack IM, a line in the console. A user the platform will not let
	// the bot message is reported as ErrUnreachable (wrapped).
	Direct(ctx context.Context, group, user string, r Reply) error
}

// ErrUnreachable is returned (wrapped) by Chat.Direct when the platform
// refuses to deliver a private message to the user (they closed their
// direct messages): the reminder is turned off.
var ErrUnreachable = Errorf(EForbidden, "the platform does not let the bot send this member private messages")

// ErrChannelGone is returned (wrapped) by Chat.Post when the channel no
// longer exists or the bot lost access to it: the schedule is disabled.
var ErrChannelGone = Errorf(ENotFound, "the channel is gone or the bot cannot post there")

// Chats routes daily posts to the adapter of each platform. Group ids are
// "platform:id" ("discord:81384788765712384", "slack:T0001"); a group
// without a colon (the console's) is its own platform name.
type Chats map[string]Chat

// Post implements Chat.
func (c Chats) Post(ctx context.Context, group, channel string, r Reply) error {
	platform, _, _ := strings.Cut(group, ":")
	chat, ok := c[platform]
	if !ok {
		return Errorf(ENotFound, "no adapter for platform %q is running", platform)
	}
	return chat.Post(ctx, group, channel, r)
}

// Direct implements Chat.
func (c Chats) Direct(ctx context.Context, group, user string, r Reply) error {
	platform, _, _ := strings.Cut(group, ":")
	chat, ok := c[platform]
	if !ok {
		return Errorf(ENotFound, "no adapter for platform %q is running", platform)
	}
	return chat.Direct(ctx, group, user, r)
}

// ChannelRef is how replies name a channel: a mention (<#C123>, which both
// Discord and Slack render) for a platform id, the name itself for a
// console channel such as #study.
func ChannelRef(channel string) string {
	if channel == "" || strings.HasPrefix(channel, "#") || strings.HasPrefix(channel, "<#") {
		return channel
	}
	return "<#" + channel + ">"
}
