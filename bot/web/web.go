// Package web serves a study group's web pages, drawn on the server with
// html/template and inline SVG: no JavaScript is needed to read them.
//
//   - /g/{group}: the group's boards (week, month, all time, the season
//     running, days studied), its accuracy per category and its daily
//     questions;
//   - /g/{group}/bank: the bank's cards, searchable with ?q=, each model
//     answer behind a <details> a click opens;
//   - /m/{token}: a member's own page (activity, accuracy, streak, cards
//     due, cards most often missed), at a signed link that expires.
//
// A group's pages are served only while its admin has them on (/web on,
// bot.Group.Web); otherwise they answer 404. A member's link is an
// HMAC-SHA256 over the group, the user and the expiry: an expired or
// altered link answers 403, and it names one group, whose data alone the
// page shows.
package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/questionbank"
)

// DefaultTTL is how long a member's link lasts.
const DefaultTTL = 7 * 24 * time.Hour

// Config configures a Server.
type Config struct {
	Store bot.Store
	Bank  *questionbank.Bank
	// BaseURL is where the pages are served from, such as
	// https://prep.example.org: the links the bot gives start with it.
	BaseURL string
	// Secret signs the members' links; at least 16 bytes.
	Secret []byte
	// TTL is how long a member's link lasts (default DefaultTTL).
	TTL time.Duration
	// TimeZone is a group's time zone until its admin sets one (default UTC).
	TimeZone string
	// CacheFor is how long a group page, once drawn, is served as it is
	// (default 30s; negative: never cached): a busy group's visits draw
	// it once per CacheFor, not once each.
	CacheFor time.Duration
	Clock    bot.Clock    // default: the system clock
	Log      *slog.Logger // default: discard
}

// Server serves the pages. It implements bot.Links.
type Server struct {
	cfg  Config
	base string
	css  []byte

	mu    sync.Mutex
	pages map[string]*cachedPage // group pages drawn lately, by group
}

// cachedPage is a group page drawn at a moment; its mutex is held while it
// is drawn, so that visits at once draw it once.
type cachedPage struct {
	mu   sync.Mutex
	at   time.Time
	body []byte
}

//go:embed templates/*.html templates/*.css
var files embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"sub": func(a int, b ...int) int {
		for _, v := range b {
			a -= v
		}
		return a
	},
}).ParseFS(files, "templates/*.html"))

// stylesheet is the pages' CSS, with the pictures' colours (colors).
var stylesheet = texttemplate.Must(texttemplate.ParseFS(files, "templates/style.css"))

// New returns a Server.
func New(c Config) (*Server, error) {
	if c.Store == nil || c.Bank == nil {
		return nil, errors.New("web: a store and a bank are required")
	}
	if len(c.Secret) < 16 {
		return nil, errors.New("web.secret: give at least 16 characters, such as the output of `openssl rand -hex 32`, from the environment as ${PREPBOT_WEB_SECRET}")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, errors.New("web.base_url: give a full http(s) URL, such as https://prep.example.org")
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return nil, errors.New("web.base_url: the pages link to each other from the root of the host: give the address without a path, such as https://prep.example.org (a host of its own behind the proxy)")
	}
	if c.TTL <= 0 {
		c.TTL = DefaultTTL
	}
	if c.CacheFor == 0 {
		c.CacheFor = 30 * time.Second
	}
	if c.Clock == nil {
		c.Clock = bot.SystemClock{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: c, base: strings.TrimRight(c.BaseURL, "/"), pages: map[string]*cachedPage{}}
	var css bytes.Buffer
	if err := stylesheet.Execute(&css, colors()); err != nil {
		return nil, err
	}
	s.css = css.Bytes()
	return s, nil
}

// Routes registers the pages on mux.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /g/{group}", s.groupPage)
	mux.HandleFunc("GET /g/{group}/bank", s.bankPage)
	mux.HandleFunc("GET /m/{token}", s.memberPage)
	mux.HandleFunc("GET /web.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(s.css)
	})
}

// GroupURL is the address of a group's page.
func (s *Server) GroupURL(group string) string { return s.base + "/g/" + url.PathEscape(group) }

// MemberURL is a signed link to a member's page, valid for the TTL.
func (s *Server) MemberURL(group, user string) (string, error) {
	return s.base + "/m/" + s.Token(group, user, s.cfg.Clock.Now().Add(s.cfg.TTL)), nil
}

// Token signs a member's page for group and user until exp.
func (s *Server) Token(group, user string, exp time.Time) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(group + "\x00" + user + "\x00" + strconv.FormatInt(exp.Unix(), 10)))
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

func (s *Server) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.cfg.Secret)
	m.Write([]byte("prepbot member page v1\x00"))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// errLink is a link that is not ours, or altered; errExpired one that was ours.
var (
	errLink    = errors.New("this link is not valid: it may have been cut short or changed. Ask the bot for a new one with /stats")
	errExpired = errors.New("this link has expired: links last a week. Ask the bot for a new one with /stats")
)

// verify reads a member's token: its group and user, when it is ours and
// has not expired.
func (s *Server) verify(token string) (group, user string, err error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", "", errLink
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(payload)) {
		return "", "", errLink
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return "", "", errLink
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 {
		return "", "", errLink
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return "", "", errLink
	}
	if !s.cfg.Clock.Now().Before(time.Unix(exp, 0)) {
		return "", "", errExpired
	}
	return parts[0], parts[1], nil
}

// group returns a group whose pages are on, or an error for a 404.
func (s *Server) group(ctx context.Context, id string) (bot.Group, *time.Location, error) {
	g, err := s.cfg.Store.Group(ctx, id)
	if err != nil {
		return g, nil, err
	}
	if !g.Web {
		return g, nil, errOff
	}
	name := g.TimeZone
	if name == "" {
		name = s.cfg.TimeZone
	}
	loc, err := bot.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	return g, loc, nil
}

var errOff = errors.New("there is no page here. If this is your group's, an admin turns its pages on with /web on")

// headers are sent with every page: nothing but the page's own stylesheet
// loads, no script runs, and links do not tell other sites the address
// (a member's link is private).
func headers(w http.ResponseWriter, private bool) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	if private {
		h.Set("Cache-Control", "private, no-store")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
}

// draw executes a page's template: its body, or an error page's and 500
// when the template fails.
func (s *Server) draw(name string, data any) ([]byte, int) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.cfg.Log.Error("web page failed", "page", name, "err", err)
		return s.errorBody(http.StatusInternalServerError, "This page could not be drawn. Try again in a minute; if it keeps failing, tell the bot's operator (the server log says why).")
	}
	return buf.Bytes(), http.StatusOK
}

// write sends a page drawn.
func (s *Server) write(w http.ResponseWriter, status int, body []byte, private bool) {
	headers(w, private || status != http.StatusOK)
	w.WriteHeader(status)
	w.Write(body)
}

// render draws a page and sends it.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any, private bool) {
	body, st := s.draw(name, data)
	if st != http.StatusOK {
		status = st
	}
	s.write(w, status, body, private)
}

type errorPage struct {
	Title, Message string
}

// errorBody draws a short page that says what to do next.
func (s *Server) errorBody(status int, msg string) ([]byte, int) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, "error.html", errorPage{Title: http.StatusText(status), Message: msg}); err != nil {
		return []byte(msg + "\n"), status
	}
	return buf.Bytes(), status
}

// fail answers with a short page that says what to do next.
func (s *Server) fail(w http.ResponseWriter, status int, msg string) {
	body, _ := s.errorBody(status, msg)
	s.write(w, status, body, true)
}

// failure is the page of a store error: 404 for a group with its pages
// off, else 500.
func (s *Server) failure(r *http.Request, err error) ([]byte, int) {
	if errors.Is(err, errOff) {
		return s.errorBody(http.StatusNotFound, "There is no page here. If this is your group's, an admin turns its pages on with /web on.")
	}
	s.cfg.Log.Error("web page failed", "path", r.URL.Path, "err", err)
	return s.errorBody(http.StatusInternalServerError, "The pages cannot read the database just now. Try again in a minute; if it keeps failing, tell the bot's operator.")
}

// storeFailed answers a store error (see failure).
func (s *Server) storeFailed(w http.ResponseWriter, r *http.Request, err error) {
	body, status := s.failure(r, err)
	s.write(w, status, body, true)
}
