package bot

import (
	"context"
	"maps"
	"slices"
	"sync"
)

// A request reads what it needs from the store once. One answer needs its
// group's settings in several steps (the day of the peek, the answer's day
// and periods, the disputes told with the verdict), its member (their own
// time zone) and what the member opened of the card; on PostgreSQL each
// read is a round trip to the database. memoStore wraps the Bot's store:
// within one request (a ctx from withMemo, which Handle makes), Group,
// Member and Peeked return what the request's first read returned, and
// ReadPress reads all three at once and keeps them (postCard calls it for
// every press on a card). A change through the store (UpdateGroup,
// SaveGroup; Record, UpdateMember; SavePeek) makes the request's next read
// of what it changed fresh. Outside a request (the scheduler, study
// rounds) every read goes to the store.
type memoStore struct{ Store }

type memoKey struct{}

type (
	memberKey struct{ group, user string }
	peekKey   struct {
		memberKey
		card string
	}
)

// requestMemo is one request's reads.
type requestMemo struct {
	mu      sync.Mutex
	groups  map[string]Group
	members map[memberKey]Member
	peeks   map[peekKey]Peek
}

// withMemo returns a ctx whose reads are kept for its request.
func withMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &requestMemo{
		groups: map[string]Group{}, members: map[memberKey]Member{}, peeks: map[peekKey]Peek{}})
}

func memoOf(ctx context.Context) *requestMemo {
	m, _ := ctx.Value(memoKey{}).(*requestMemo)
	return m
}

// memoized returns what the request's memo holds for key, a copy of its
// own, or reads it with read and keeps it; outside a request it reads.
func memoized[K comparable, V any](ctx context.Context, table func(*requestMemo) map[K]V, key K, clone func(V) V, read func() (V, error)) (V, error) {
	m := memoOf(ctx)
	if m == nil {
		return read()
	}
	m.mu.Lock()
	v, ok := table(m)[key]
	m.mu.Unlock()
	if ok {
		return clone(v), nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	m.mu.Lock()
	table(m)[key] = clone(v)
	m.mu.Unlock()
	return v, nil
}

// forget makes the request's next read of key fresh.
func forget[K comparable, V any](ctx context.Context, table func(*requestMemo) map[K]V, key K) {
	if m := memoOf(ctx); m != nil {
		m.mu.Lock()
		delete(table(m), key)
		m.mu.Unlock()
	}
}

func groupsOf(m *requestMemo) map[string]Group      { return m.groups }
func membersOf(m *requestMemo) map[memberKey]Member { return m.members }
func peeksOf(m *requestMemo) map[peekKey]Peek       { return m.peeks }
func samePeek(p Peek) Peek                          { return p }

// Group implements GroupStore; each caller gets a copy of its own.
func (s memoStore) Group(ctx context.Context, id string) (Group, error) {
	return memoized(ctx, groupsOf, id, Group.clone, func() (Group, error) { return s.Store.Group(ctx, id) })
}

// Member implements MemberStore; each caller gets a copy of its own.
func (s memoStore) Member(ctx context.Context, group, user string) (Member, error) {
	return memoized(ctx, membersOf, memberKey{group, user}, Member.clone, func() (Member, error) { return s.Store.Member(ctx, group, user) })
}

// Peeked implements PeekStore.
func (s memoStore) Peeked(ctx context.Context, group, user, card string) (Peek, error) {
	return memoized(ctx, peeksOf, peekKey{memberKey{group, user}, card}, samePeek, func() (Peek, error) { return s.Store.Peeked(ctx, group, user, card) })
}

// ReadPress implements PressStore: within a request it keeps what it read
// for the reads after it, and reads nothing the request has read already.
func (s memoStore) ReadPress(ctx context.Context, group, user, card string) (PressState, error) {
	m := memoOf(ctx)
	if m == nil {
		return s.Store.ReadPress(ctx, group, user, card)
	}
	mk := memberKey{group, user}
	pk := peekKey{mk, card}
	m.mu.Lock()
	g, gok := m.groups[group]
	mem, mok := m.members[mk]
	p, pok := m.peeks[pk]
	m.mu.Unlock()
	if gok && mok && pok {
		return PressState{Group: g.clone(), Member: mem.clone(), Peek: p}, nil
	}
	st, err := s.Store.ReadPress(ctx, group, user, card)
	if err != nil {
		return st, err
	}
	keepPress(ctx, group, user, card, st)
	return st, nil
}

// keepPress keeps what a press read (FirstPressStore) for the request's
// reads.
func keepPress(ctx context.Context, group, user, card string, st PressState) {
	m := memoOf(ctx)
	if m == nil {
		return
	}
	mk := memberKey{group, user}
	m.mu.Lock()
	m.groups[group], m.members[mk], m.peeks[peekKey{mk, card}] = st.Group.clone(), st.Member.clone(), st.Peek
	m.mu.Unlock()
}

// UpdateGroup implements GroupStore.
func (s memoStore) UpdateGroup(ctx context.Context, id string, fn func(*Group) error) error {
	defer forget(ctx, groupsOf, id) // after: the next read sees the change
	return s.Store.UpdateGroup(ctx, id, fn)
}

// SaveGroup implements GroupStore.
func (s memoStore) SaveGroup(ctx context.Context, g Group) error {
	defer forget(ctx, groupsOf, g.ID)
	return s.Store.SaveGroup(ctx, g)
}

// Record implements AnswerStore.
func (s memoStore) Record(ctx context.Context, a *Answer) (Member, error) {
	defer forget(ctx, membersOf, memberKey{a.Group, a.User})
	return s.Store.Record(ctx, a)
}

// UpdateMember implements MemberStore.
func (s memoStore) UpdateMember(ctx context.Context, group, user string, fn func(*Member) error) error {
	defer forget(ctx, membersOf, memberKey{group, user})
	return s.Store.UpdateMember(ctx, group, user, fn)
}

// SavePeek implements PeekStore.
func (s memoStore) SavePeek(ctx context.Context, group, user, card string, p Peek) error {
	defer forget(ctx, peeksOf, peekKey{memberKey{group, user}, card})
	return s.Store.SavePeek(ctx, group, user, card, p)
}

// clone is a copy of g that shares no slice or map with it.
func (g Group) clone() Group {
	g.Seasons = slices.Clone(g.Seasons)
	g.Disputes = slices.Clone(g.Disputes)
	if g.Accepted != nil {
		acc := maps.Clone(g.Accepted)
		for k, v := range acc {
			acc[k] = slices.Clone(v)
		}
		g.Accepted = acc
	}
	return g
}

// clone is a copy of m that shares no slice or map with it.
func (m Member) clone() Member {
	m.Categories = maps.Clone(m.Categories)
	m.Ratings = maps.Clone(m.Ratings)
	m.Froze = slices.Clone(m.Froze)
	m.Interviews = maps.Clone(m.Interviews)
	return m
}
