package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Each member's own time zone. A member's day (their streak, freezes,
// review schedule, /stats' "today" and their reminder) follows their own
// zone: the one they chose with /timezone, else the one their platform
// reports (Slack's profile tz), else the group's. Group boards, periods,
// seasons and the daily question keep the group's.
//
// A change never rewrites a past day and cannot gain one: it takes effect
// at the start of the member's next day (in the zone they leave), so at
// most one change takes effect a day; and the first answer after a change
// is counted in the zone of the member's last day (Member.studied).

// locations caches loaded time zones: loading one reads the system's
// tzdata, and a zone is looked up for every member a board or the
// reminders read.
var locations sync.Map // name -> *time.Location

// cachedLocation is time.LoadLocation, remembered.
func cachedLocation(name string) (*time.Location, error) {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, l)
	return l, nil
}

// ZoneName is the name of the time zone the member's day follows at t:
// their own (a change counts from ZoneFrom on), else their platform's,
// else group, the group's.
func (m *Member) ZoneName(t time.Time, group string) string {
	switch {
	case m.NextTimeZone != "" && !t.Before(m.ZoneFrom):
		return m.NextTimeZone
	case m.TimeZone != "":
		return m.TimeZone
	case m.PlatformZone != "":
		return m.PlatformZone
	}
	return group
}

// Location is ZoneName's zone, loaded; the group's (group) when the name
// no longer loads.
func (m *Member) Location(t time.Time, group *time.Location) *time.Location {
	name := m.ZoneName(t, "")
	if name == "" {
		return group
	}
	if l, err := cachedLocation(name); err == nil {
		return l
	}
	return group
}

// promoteZone makes a change of zone whose time has come the member's
// zone.
func (m *Member) promoteZone(t time.Time) {
	if m.NextTimeZone != "" && !t.Before(m.ZoneFrom) {
		m.TimeZone, m.NextTimeZone, m.ZoneFrom = m.NextTimeZone, "", time.Time{}
	}
}

// StudiedToday reports whether the member has studied on their day of
// now: whether an answer now would count on a day already counted (the
// day is taken in the zone of their last day, as Member.studied takes
// it).
func (m *Member) StudiedToday(now time.Time, loc *time.Location) bool {
	if m.LastDay == "" {
		return false
	}
	if m.Zone != "" {
		if l, err := cachedLocation(m.Zone); err == nil {
			loc = l
		}
	}
	return m.LastDay >= Day(now, loc)
}

// nextDayStart is the start of the day after t's in loc.
func nextDayStart(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc)
}

// member reads the member who sent req, with their time zone now, and
// notes the zone their platform reports when it changed (rarely: a
// member who moved, or the first request that tells it).
func (b *Bot) member(ctx context.Context, req Request) (Member, *time.Location, error) {
	g, err := b.store.Group(ctx, req.Group)
	if err != nil {
		return Member{}, nil, err
	}
	m, err := b.store.Member(ctx, req.Group, req.User.ID)
	if err != nil {
		return Member{}, nil, err
	}
	return m, m.Location(b.clock.Now(), b.zone(g)), nil
}

// notePlatformZone keeps the zone the platform reports for the member who
// sent req (their day follows it while they have no zone of their own)
// when it differs from the one kept: rarely written, on the first request
// that tells it or after the member moved.
func (b *Bot) notePlatformZone(ctx context.Context, req Request) error {
	zone := req.TimeZone
	if zone == "" {
		return nil
	}
	if _, err := LoadLocation(zone); err != nil {
		return nil // a zone this server does not know: the group's stays
	}
	m, err := b.store.Member(ctx, req.Group, req.User.ID)
	if err != nil || m.PlatformZone == zone {
		return err
	}
	return b.store.UpdateMember(ctx, req.Group, req.User.ID, func(cur *Member) error {
		cur.PlatformZone = zone
		return nil
	})
}

// ownDay stamps an answer with the member's own day, when their zone is
// not the group's.
func (b *Bot) ownDay(ctx context.Context, a *Answer) error {
	m, err := b.store.Member(ctx, a.Group, a.User)
	if err != nil {
		return err
	}
	name := m.ZoneName(a.At, "")
	if name == "" || name == a.Zone {
		return nil
	}
	loc, err := cachedLocation(name)
	if err != nil {
		return nil // the group's day stands
	}
	a.MemberDay, a.MemberZone = Day(a.At, loc), loc.String()
	return nil
}

// parseZone loads a zone by its IANA name, also typed in other case
// (europe/berlin, america/new_york, utc), as members type it.
func parseZone(name string) (*time.Location, error) {
	loc, err := LoadLocation(name)
	if err == nil || strings.EqualFold(name, "local") {
		return loc, err
	}
	for _, try := range []string{titleZone(name), strings.ToUpper(name)} {
		if l, err2 := LoadLocation(try); err2 == nil {
			return l, nil
		}
	}
	return nil, err
}

// titleZone capitalizes each word of a zone name: america/port-au-prince
// is America/Port-Au-Prince, close enough for most (Port-au-Prince is
// not; its exact name is asked for then).
func titleZone(name string) string {
	b := []byte(strings.ToLower(name))
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '/' || c == '_' || c == '-'
	}
	return string(b)
}

// zoneSource says where a member's zone comes from.
func zoneSource(m Member, now time.Time, platform string) string {
	switch {
	case m.NextTimeZone != "" && !now.Before(m.ZoneFrom), m.TimeZone != "":
		return "you chose it with /timezone"
	case m.PlatformZone != "":
		return "from your " + platformName(platform) + " profile, until you choose one with /timezone"
	}
	return "the server's, until you choose your own with /timezone"
}

func platformName(p string) string {
	switch p {
	case "slack":
		return "Slack"
	case "discord":
		return "Discord"
	}
	return p
}

// errSameZone is a /timezone that changes nothing.
var errSameZone = errors.New("same zone")

// timezone shows or sets the member's own time zone.
func (b *Bot) timezone(ctx context.Context, req Request) (Reply, error) {
	m, loc, err := b.member(ctx, req)
	if err != nil {
		return Reply{}, err
	}
	now := b.clock.Now()
	arg := strings.TrimSpace(req.Args["zone"])
	r := Reply{Private: true, Title: "Your time zone"}
	if arg == "" {
		r.Text = fmt.Sprintf("Your day follows **%s** time (%s); it is %s there now.", loc.String(), zoneSource(m, now, req.Platform), now.In(loc).Format("Mon 2 Jan 15:04"))
		if m.NextTimeZone != "" && now.Before(m.ZoneFrom) {
			r.Text += fmt.Sprintf("\nIt changes to **%s** at the start of your next day: %s.", m.NextTimeZone, m.ZoneFrom.In(loc).Format("Mon 2 Jan 15:04 MST"))
		}
		r.Text += "\nYour streak, your reviews and your reminder follow your day; the group's boards and daily question follow the server's. Change it with /timezone Europe/Berlin (any IANA name)."
		return b.withRemindNotice(ctx, req.Group, req.User.ID, m, r), nil
	}
	newLoc, err := parseZone(arg)
	if err != nil {
		return Reply{}, Errorf(EInvalid, "Unknown time zone %q. Use an IANA name, such as /timezone Europe/Berlin, /timezone America/New_York or /timezone UTC (see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones).", shorten(arg, 40))
	}
	name := newLoc.String()
	var from time.Time
	var immediate, cancelled bool
	g, err := b.store.Group(ctx, req.Group)
	if err != nil {
		return Reply{}, err
	}
	err = b.store.UpdateMember(ctx, req.Group, req.User.ID, func(cur *Member) error {
		cur.promoteZone(now)
		curName := cur.Location(now, b.zone(g)).String()
		pending := cur.NextTimeZone != ""
		switch {
		case name == curName && pending:
			cur.NextTimeZone, cur.ZoneFrom = "", time.Time{}
			cancelled = true
			return nil
		case name == curName:
			return errSameZone
		case cur.LastDay == "":
			// no day counted yet: nothing to gain, it takes effect now
			cur.TimeZone, cur.NextTimeZone, cur.ZoneFrom = name, "", time.Time{}
			immediate = true
			return nil
		}
		curLoc := cur.Location(now, b.zone(g))
		from = nextDayStart(now, curLoc)
		cur.NextTimeZone, cur.ZoneFrom = name, from
		loc = curLoc
		return nil
	})
	switch {
	case errors.Is(err, errSameZone):
		r.Text = fmt.Sprintf("Your day already follows **%s** time; nothing changed.", name)
		return r, nil
	case err != nil:
		return Reply{}, err
	case cancelled:
		r.Text = fmt.Sprintf("The change you asked for is cancelled: your day stays on **%s** time.", name)
		return r, nil
	case immediate:
		r.Text = fmt.Sprintf("Your day now follows **%s** time (it is %s there). Your streak, your reviews and your reminder follow it; the group's boards and daily question keep the server's time.", name, now.In(newLoc).Format("Mon 2 Jan 15:04"))
		return r, nil
	}
	r.Text = fmt.Sprintf("Your day changes to **%s** time at the start of your next day: %s (%s in %s). Until then it stays on %s time, so a change never adds or skips a day of your streak.\nOne change takes effect a day: until then, /timezone again replaces this one.",
		name, from.In(loc).Format("Mon 2 Jan 15:04 MST"), from.In(newLoc).Format("Mon 2 Jan 15:04"), name, loc.String())
	return r, nil
}
