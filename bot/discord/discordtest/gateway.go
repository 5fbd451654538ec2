package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The gateway, as strict as Discord's about starting sessions
// (https://discord.com/developers/docs/events/gateway): Hello, then
// Identify (READY, then GUILD_CREATE for each of the shard's guilds when
// the GUILDS intent is set) or Resume (the events the client missed, then
// RESUMED), then heartbeat acks until the connection closes.
//
// An Identify is refused as Discord refuses it, and the refusal fails the
// test (TakeViolations, for a test that means to provoke one):
//   - a token that is not Token: close 4004 Authentication failed;
//   - a shard array whose shard_id is not below num_shards: close 4010
//     Invalid shard;
//   - a shard that would hold more than 2,500 guilds: close 4011 Sharding
//     required ("Each shard can only support a maximum of 2500 guilds",
//     .../gateway#sharding);
//   - no session starts left: close 4004, since Discord then ends every
//     session and resets the token (.../gateway#identifying);
//   - a second Identify with the same rate limit key (shard_id %
//     max_concurrency) within 5 seconds: Invalid Session (op 9), as
//     .../gateway#rate-limiting says. The fake answers only the first such
//     Identify on a connection: discordgo identifies again at once on op 9,
//     and the two would loop.
//
// Close codes: https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes

const (
	identifyWindow    = 5 * time.Second // "Number of identify requests allowed per 5 seconds" (session start limit object)
	maxGuildsPerShard = 2500
	intentGuilds      = 1 << 0 // GUILD_CREATE and the other guild events
	guildBase         = 300_000_000_000
)

// Identify is one Identify (op 2) the gateway received.
type Identify struct {
	Shard   [2]int // [shard_id, num_shards]; [0, 1] when the payload has no shard array
	Sharded bool   // the payload has a shard array
	Intents int
	At      time.Time // on the fake's clock (SetClock)
	Refused string    // why the fake refused it; "" when it answered READY
}

type gateway struct {
	mu sync.Mutex
	// what GET /gateway/bot answers
	now                              func() time.Time
	shards, remaining, total, maxCon int
	guilds, channels                 int // announced guilds and channels in each

	sessions     map[string]*gwSession
	order        []*gwSession      // oldest first
	lastIdentify map[int]time.Time // by rate limit key
	identifies   []Identify
	resumes      int
	connects     int // identifies and resumes answered
	waited       int // connects WaitConnected has taken
	conns        map[*websocket.Conn]bool
	holds        map[int]chan struct{} // shard id -> closed when released
	closed       bool
	changed      chan struct{} // closed and replaced on every change
}

func (g *gateway) init() {
	g.now = time.Now
	g.shards, g.remaining, g.total, g.maxCon = 1, 1000, 1000, 1
	g.sessions = map[string]*gwSession{}
	g.lastIdentify = map[int]time.Time{}
	g.conns = map[*websocket.Conn]bool{}
	g.holds = map[int]chan struct{}{}
	g.changed = make(chan struct{})
}

// signal wakes the waiters (under g.mu).
func (g *gateway) signal() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// gwSession is one gateway session: what Identify started and Resume
// continues, on one connection at a time.
type gwSession struct {
	id       string
	shard    [2]int
	channels int // in each announced guild

	mu   sync.Mutex // the fields below, and every write to conn
	conn *websocket.Conn
	seq  int
	sent []sentEvent // replayed after a Resume, as Discord does
}

type sentEvent struct {
	seq   int
	t     string
	d     map[string]any // nil for an announced guild: rebuilt from guild and channels
	guild int
	// channels in the announced guild
	channels int
}

// emit sends a dispatch on the session's connection (if it has one) and
// keeps it for a Resume.
func (s *Server) emit(ss *gwSession, t string, d map[string]any, guild int) error {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.seq++
	e := sentEvent{seq: ss.seq, t: t, d: d, guild: guild, channels: ss.channels}
	ss.sent = append(ss.sent, e)
	if ss.conn == nil {
		return fmt.Errorf("%s: no connection", t)
	}
	return ss.conn.WriteJSON(s.frame(e))
}

func (s *Server) frame(e sentEvent) map[string]any {
	d := e.d
	if d == nil {
		d = guildCreate(e.guild, e.channels)
	}
	return map[string]any{"op": 0, "t": e.t, "s": e.seq, "d": d}
}

// SetGatewayBot sets what GET /gateway/bot answers: the recommended number
// of shards, the session starts remaining (of 1000) and max_concurrency.
// The defaults are 1, 1000 and 1. Each Identify answered takes a start.
func (s *Server) SetGatewayBot(shards, remaining, maxConcurrency int) {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	s.gw.shards, s.gw.remaining, s.gw.maxCon = shards, remaining, max(maxConcurrency, 1)
}

// SetClock sets the clock Identifies are timed by (the 5-second windows of
// max_concurrency); the default is time.Now.
func (s *Server) SetClock(now func() time.Time) {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	s.gw.now = now
}

// Guilds makes the bot a member of n guilds of m channels each (the ids of
// GuildID), which the gateway announces after READY with a GUILD_CREATE
// each, to the shard Discord's formula gives, (guild_id >> 22) %
// num_shards (https://discord.com/developers/docs/events/gateway#sharding).
func (s *Server) Guilds(n, m int) {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	s.gw.guilds, s.gw.channels = n, m
}

// GuildID returns the id of guild i of Guilds; guild i is on shard
// (i+1) % num_shards.
func GuildID(i int) string { return strconv.FormatUint(guildSnowflake(i), 10) }

// ChannelID returns the id of channel j of guild i.
func ChannelID(i, j int) string { return strconv.FormatUint(guildSnowflake(i)|uint64(j+1), 10) }

func guildSnowflake(i int) uint64 { return uint64(guildBase+i+1) << 22 }

// onShard reports whether guild i is routed to shard.
func onShard(i int, shard [2]int) bool {
	return int((guildSnowflake(i)>>22)%uint64(shard[1])) == shard[0]
}

// guildCreate is guild i as a GUILD_CREATE carries it
// (https://discord.com/developers/docs/events/gateway-events#guild-create):
// the guild, its roles, the bot's own member, and its channels, a category
// and text channels under it, each with a permission overwrite.
func guildCreate(i, m int) map[string]any {
	id := GuildID(i)
	role := func(j int, name string, perms string, managed bool) map[string]any {
		rid := id
		if j > 0 {
			rid = strconv.FormatUint(guildSnowflake(i)|uint64(1<<21+j), 10)
		}
		return map[string]any{"id": rid, "name": name, "color": 0, "colors": map[string]any{"primary_color": 0, "secondary_color": nil, "tertiary_color": nil},
			"hoist": false, "icon": nil, "unicode_emoji": nil, "position": j, "permissions": perms, "managed": managed, "mentionable": false, "flags": 0}
	}
	roles := []any{role(0, "@everyone", "1071698660929", false), role(1, "prepbot", "19456", true), role(2, "moderators", "1099511627775", false)}
	channels := make([]any, 0, m)
	for j := range m {
		c := map[string]any{"id": ChannelID(i, j), "type": 0, "name": fmt.Sprintf("study-%d", j), "position": j, "flags": 0,
			"permission_overwrites": []any{map[string]any{"id": id, "type": 0, "allow": "0", "deny": "2048"}}}
		if j == 0 {
			c["type"], c["name"] = 4, "study rooms"
		} else {
			c["parent_id"] = ChannelID(i, 0)
			c["topic"] = "questions and answers, one a day"
			c["nsfw"] = false
			c["rate_limit_per_user"] = 0
			c["last_message_id"] = ChannelID(i, j)
		}
		channels = append(channels, c)
	}
	return map[string]any{
		"id": id, "name": fmt.Sprintf("Study group %d", i), "icon": nil, "splash": nil, "discovery_splash": nil,
		"owner_id": "42", "afk_channel_id": nil, "afk_timeout": 300, "verification_level": 1, "default_message_notifications": 1,
		"explicit_content_filter": 0, "roles": roles, "emojis": []any{}, "features": []any{}, "mfa_level": 0, "application_id": nil,
		"system_channel_id": nil, "system_channel_flags": 0, "rules_channel_id": nil, "vanity_url_code": nil, "description": nil,
		"banner": nil, "premium_tier": 0, "preferred_locale": "en-US", "public_updates_channel_id": nil, "nsfw_level": 0,
		"premium_progress_bar_enabled": false, "stickers": []any{},
		"joined_at": "2026-01-05T10:00:00.000000+00:00", "large": false, "unavailable": false, "member_count": 120,
		"voice_states": []any{}, "presences": []any{}, "stage_instances": []any{}, "guild_scheduled_events": []any{}, "threads": []any{},
		"members": []any{map[string]any{"user": map[string]any{"id": "bot1", "username": "prepbot", "bot": true}, "roles": []any{roles[1].(map[string]any)["id"]},
			"joined_at": "2026-01-05T10:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0}},
		"channels": channels,
	}
}

// HoldShard makes the gateway wait, before it answers an Identify or a
// Resume of the shard with READY or RESUMED, until release is called.
func (s *Server) HoldShard(id int) (release func()) {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	ch := make(chan struct{})
	s.gw.holds[id] = ch
	var once sync.Once
	return func() {
		once.Do(func() {
			s.gw.mu.Lock()
			defer s.gw.mu.Unlock()
			if s.gw.holds[id] == ch { // else released when the test ended
				delete(s.gw.holds, id)
				close(ch)
			}
		})
	}
}

func (s *Server) hold(shard int) {
	s.gw.mu.Lock()
	ch := s.gw.holds[shard]
	s.gw.mu.Unlock()
	if ch != nil {
		<-ch
	}
}

// Identifies returns the Identifies the gateway received, refused ones
// included.
func (s *Server) Identifies() []Identify {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return slices.Clone(s.gw.identifies)
}

// Resumes returns how many gateway Resumes the fake answered.
func (s *Server) Resumes() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.resumes
}

// Connections returns how many gateway connections are open.
func (s *Server) Connections() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return len(s.gw.conns)
}

// AwaitConnections waits until n gateway connections are open; it fails
// the test after 10 seconds.
func (s *Server) AwaitConnections(n int) {
	s.t.Helper()
	s.await(fmt.Sprintf("%d gateway connections open", n), func() bool { return len(s.gw.conns) == n })
}

// Connected returns how many Identifies and Resumes the gateway has
// answered: READY and the shard's guilds sent, or RESUMED.
func (s *Server) Connected() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.connects
}

// WaitConnected waits until a client has identified (and been sent its
// guilds) or resumed, once for each call.
func (s *Server) WaitConnected() {
	s.t.Helper()
	s.await("the adapter connected to the gateway", func() bool {
		if s.gw.connects > s.gw.waited {
			s.gw.waited++
			return true
		}
		return false
	})
}

// await waits until cond (called under the gateway's lock) holds, and
// fails the test after 10 seconds.
func (s *Server) await(what string, cond func() bool) {
	s.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		s.gw.mu.Lock()
		ok, ch := cond(), s.gw.changed
		s.gw.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			s.t.Fatalf("not within 10s: %s", what)
		}
	}
}

func (s *Server) wsURL() string { return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/ws/" }

// gatewayBot is GET /gateway/bot's answer
// (https://discord.com/developers/docs/events/gateway#get-gateway-bot).
func (s *Server) gatewayBot() map[string]any {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return map[string]any{"url": s.wsURL(), "shards": s.gw.shards, "session_start_limit": map[string]any{
		"total": s.gw.total, "remaining": s.gw.remaining, "reset_after": 14_400_000, "max_concurrency": s.gw.maxCon}}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

type gwFrame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
}

func closeWith(c *websocket.Conn, code int, text string) {
	c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	c.Close()
}

func (s *Server) violate(what string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, Violation{Method: "GATEWAY", Path: what, Errors: []error{err}})
}

func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.gw.mu.Lock()
	if s.gw.closed {
		s.gw.mu.Unlock()
		c.Close()
		return
	}
	s.gw.conns[c] = true
	s.gw.signal()
	s.gw.mu.Unlock()
	defer func() {
		c.Close()
		s.gw.mu.Lock()
		delete(s.gw.conns, c)
		s.gw.signal()
		s.gw.mu.Unlock()
	}()
	if err := c.WriteJSON(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}}); err != nil {
		return
	}
	var ss *gwSession
	deaf := false // refused with op 9: ignore what follows but heartbeats
	for ss == nil && !deaf {
		var f gwFrame
		if err := c.ReadJSON(&f); err != nil {
			return
		}
		switch f.Op {
		case 1:
			c.WriteJSON(map[string]any{"op": 11})
		case 2:
			var ok bool
			if ss, ok = s.identify(c, f.D); !ok {
				return
			}
			deaf = ss == nil
		case 6:
			ss = s.resume(c, f.D) // nil: answered op 9, the client may identify
		default:
			closeWith(c, 4003, "Not authenticated.")
			return
		}
	}
	if ss != nil {
		s.gw.mu.Lock()
		s.gw.connects++
		s.gw.signal()
		s.gw.mu.Unlock()
	}
	for {
		var f gwFrame
		if err := c.ReadJSON(&f); err != nil {
			return
		}
		if f.Op != 1 {
			continue
		}
		if ss == nil {
			c.WriteJSON(map[string]any{"op": 11})
			continue
		}
		ss.mu.Lock()
		if ss.conn == c {
			c.WriteJSON(map[string]any{"op": 11})
		}
		ss.mu.Unlock()
	}
}

// identify answers an Identify: a new session (READY sent), or nil and
// whether the connection is still open.
func (s *Server) identify(c *websocket.Conn, raw json.RawMessage) (*gwSession, bool) {
	var p struct {
		Token   string  `json:"token"`
		Intents int     `json:"intents"`
		Shard   *[2]int `json:"shard"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		s.violate("IDENTIFY", fmt.Errorf("not an Identify payload: %v", err))
		closeWith(c, 4002, "Error while decoding payload.")
		return nil, false
	}
	rec := Identify{Shard: [2]int{0, 1}, Intents: p.Intents}
	if p.Shard != nil {
		rec.Shard, rec.Sharded = *p.Shard, true
	}
	g := &s.gw
	g.mu.Lock()
	rec.At = g.now()
	key := rec.Shard[0] % g.maxCon
	code, reason := 0, ""
	switch {
	case p.Token != Token && p.Token != "Bot "+Token:
		code, reason, rec.Refused = 4004, "Authentication failed.", "the token is not the bot's"
	case rec.Shard[1] < 1 || rec.Shard[0] < 0 || rec.Shard[0] >= rec.Shard[1]:
		code, reason, rec.Refused = 4010, "Invalid shard.", fmt.Sprintf("shard %v: shard_id must be at least 0 and below num_shards", rec.Shard)
	case g.remaining <= 0:
		code, reason, rec.Refused = 4004, "Authentication failed.", "no session starts left: Discord ends every session and resets the token"
	default:
		n := 0
		for i := range g.guilds {
			if onShard(i, rec.Shard) {
				n++
			}
		}
		if n > maxGuildsPerShard {
			code, reason, rec.Refused = 4011, "Sharding required.", fmt.Sprintf("shard %v would hold %d guilds, more than %d", rec.Shard, n, maxGuildsPerShard)
		} else if last, ok := g.lastIdentify[key]; ok && rec.At.Sub(last) < identifyWindow {
			rec.Refused = fmt.Sprintf("shard %v identified %v after another with rate limit key %d (shard_id %% max_concurrency %d): one each 5 seconds",
				rec.Shard, rec.At.Sub(last), key, g.maxCon)
		}
	}
	g.identifies = append(g.identifies, rec)
	if rec.Refused != "" {
		g.mu.Unlock()
		s.violate("IDENTIFY", fmt.Errorf("%s", rec.Refused))
		if code != 0 {
			closeWith(c, code, reason)
			return nil, false
		}
		c.WriteJSON(map[string]any{"op": 9, "d": false})
		return nil, true
	}
	g.lastIdentify[key] = rec.At
	g.remaining--
	ss := &gwSession{id: fmt.Sprintf("session-%d", len(g.order)+1), shard: rec.Shard, channels: g.channels, conn: c}
	g.sessions[ss.id] = ss
	g.order = append(g.order, ss)
	var guilds []int
	for i := range g.guilds {
		if onShard(i, rec.Shard) {
			guilds = append(guilds, i)
		}
	}
	g.mu.Unlock()
	s.hold(rec.Shard[0])
	unavailable := make([]any, 0, len(guilds))
	for _, i := range guilds {
		unavailable = append(unavailable, map[string]any{"id": GuildID(i), "unavailable": true})
	}
	ready := map[string]any{
		"v": 10, "session_id": ss.id, "resume_gateway_url": s.wsURL(),
		"user":   map[string]any{"id": "bot1", "username": "prepbot", "bot": true},
		"guilds": unavailable, "application": map[string]any{"id": "app1", "flags": 0},
	}
	if rec.Sharded {
		ready["shard"] = rec.Shard
	}
	if err := s.emit(ss, "READY", ready, 0); err != nil {
		return nil, false
	}
	if p.Intents&intentGuilds != 0 {
		for _, i := range guilds {
			if err := s.emit(ss, "GUILD_CREATE", nil, i); err != nil {
				return nil, false
			}
		}
	}
	return ss, true
}

// resume continues a session on a new connection: the events sent after
// the last one the client saw, then RESUMED. An unknown session is
// answered with op 9 (d false), and nil.
func (s *Server) resume(c *websocket.Conn, raw json.RawMessage) *gwSession {
	var p struct {
		SessionID string `json:"session_id"`
		Seq       int    `json:"seq"`
	}
	json.Unmarshal(raw, &p)
	s.gw.mu.Lock()
	ss := s.gw.sessions[p.SessionID]
	if ss != nil {
		s.gw.resumes++
	}
	s.gw.mu.Unlock()
	if ss == nil {
		c.WriteJSON(map[string]any{"op": 9, "d": false})
		return nil
	}
	s.hold(ss.shard[0])
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.conn = c
	// Discord replays the events sent after the last one the client saw,
	// then says RESUMED: an event sent on a connection that the client
	// then dropped is not lost.
	for _, e := range ss.sent {
		if e.seq > p.Seq {
			c.WriteJSON(s.frame(e))
		}
	}
	ss.seq++
	c.WriteJSON(map[string]any{"op": 0, "t": "RESUMED", "s": ss.seq, "d": map[string]any{}})
	return ss
}

// Dispatch sends an event to the connected client: to the shard of its
// guild_id by Discord's formula, or shard 0 for an event without one (or
// whose guild_id is not a snowflake). An INTERACTION_CREATE's type is
// remembered, so its callback is checked against it.
func (s *Server) Dispatch(event string, d map[string]any) {
	s.t.Helper()
	if event == "INTERACTION_CREATE" {
		token, _ := d["token"].(string)
		typ := 0
		switch v := d["type"].(type) {
		case int:
			typ = v
		case float64:
			typ = int(v)
		}
		s.mu.Lock()
		s.types[token] = typ
		s.dispatched[token] = true
		s.mu.Unlock()
	}
	gid, _ := d["guild_id"].(string)
	g, err := strconv.ParseUint(gid, 10, 64)
	if err != nil {
		g = 0
	}
	s.gw.mu.Lock()
	var ss *gwSession
	for _, o := range slices.Backward(s.gw.order) {
		if int((g>>22)%uint64(o.shard[1])) == o.shard[0] {
			ss = o
			break
		}
	}
	s.gw.mu.Unlock()
	if ss == nil {
		s.t.Fatal("no gateway session for guild " + gid)
		return
	}
	ss.mu.Lock()
	connected := ss.conn != nil
	ss.mu.Unlock()
	if !connected {
		s.t.Fatal("no gateway connection")
		return
	}
	if err := s.emit(ss, event, d, 0); err != nil {
		s.t.Logf("dispatch: %v (replayed when the client resumes)", err)
	}
}

// Drop closes every gateway connection, as a network failure would.
func (s *Server) Drop() { s.drop(func([2]int) bool { return true }) }

// DropShard closes the connection of one shard.
func (s *Server) DropShard(id int) { s.drop(func(sh [2]int) bool { return sh[0] == id }) }

func (s *Server) drop(which func([2]int) bool) {
	s.gw.mu.Lock()
	sessions := slices.Clone(s.gw.order)
	s.gw.mu.Unlock()
	for _, ss := range sessions {
		if !which(ss.shard) {
			continue
		}
		ss.mu.Lock()
		if ss.conn != nil {
			ss.conn.Close()
			ss.conn = nil
		}
		ss.mu.Unlock()
	}
}

// closeGateway ends the gateway when the test ends.
func (s *Server) closeGateway() {
	s.gw.mu.Lock()
	s.gw.closed = true
	for id, ch := range s.gw.holds {
		close(ch)
		delete(s.gw.holds, id)
	}
	conns := make([]*websocket.Conn, 0, len(s.gw.conns))
	for c := range s.gw.conns {
		conns = append(conns, c)
	}
	s.gw.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}
