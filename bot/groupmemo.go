package bot

import (
	"context"
	"maps"
	"slices"
	"sync"
)

// A request reads its group's settings once. One answer needs them in
// several steps (the day of the peek, the answer's day and periods, the
// disputes told with the verdict), and on PostgreSQL each read is a round
// trip to the database. memoStore wraps the Bot's store: within one
// request (a ctx from withGroupMemo, which Handle makes), Group returns
// what the request's first read of that group returned; a change to a
// group through the store (UpdateGroup, SaveGroup) makes the request's
// next read fresh. Outside a request (the scheduler, study rounds) every
// read goes to the store.
type memoStore struct{ Store }

type groupMemoKey struct{}

// groupMemo is one request's groups as first read.
type groupMemo struct {
	mu     sync.Mutex
	groups map[string]Group
}

// withGroupMemo returns a ctx whose group reads are kept for its request.
func withGroupMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, groupMemoKey{}, &groupMemo{groups: map[string]Group{}})
}

func memoOf(ctx context.Context) *groupMemo {
	m, _ := ctx.Value(groupMemoKey{}).(*groupMemo)
	return m
}

// Group implements GroupStore; each caller gets a copy of its own.
func (s memoStore) Group(ctx context.Context, id string) (Group, error) {
	m := memoOf(ctx)
	if m == nil {
		return s.Store.Group(ctx, id)
	}
	m.mu.Lock()
	g, ok := m.groups[id]
	m.mu.Unlock()
	if ok {
		return g.clone(), nil
	}
	g, err := s.Store.Group(ctx, id)
	if err != nil {
		return g, err
	}
	m.mu.Lock()
	m.groups[id] = g.clone()
	m.mu.Unlock()
	return g, nil
}

// UpdateGroup implements GroupStore.
func (s memoStore) UpdateGroup(ctx context.Context, id string, fn func(*Group) error) error {
	defer forgetGroup(ctx, id) // after: the next read sees the change
	return s.Store.UpdateGroup(ctx, id, fn)
}

// SaveGroup implements GroupStore.
func (s memoStore) SaveGroup(ctx context.Context, g Group) error {
	defer forgetGroup(ctx, g.ID)
	return s.Store.SaveGroup(ctx, g)
}

func forgetGroup(ctx context.Context, id string) {
	if m := memoOf(ctx); m != nil {
		m.mu.Lock()
		delete(m.groups, id)
		m.mu.Unlock()
	}
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
