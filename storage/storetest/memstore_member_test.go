package storetest_test

import (
	"cmp"
	"context"
	"slices"

	"github.com/prepbot/prepbot/bot"
)

func (s *memStore) UpdateMember(ctx context.Context, group, user string, fn func(*bot.Member) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock()()
	mk := key2{group, user}
	m, ok := s.members[mk]
	if !ok {
		m = bot.Member{Group: group, User: user}
	}
	m = copyMember(m)
	m.Froze = slices.Clone(m.Froze)
	if err := fn(&m); err != nil {
		return err
	}
	m.Group, m.User = group, user
	s.members[mk] = m
	return nil
}

func (s *memStore) Reminders(ctx context.Context) ([]bot.Member, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer s.lock()()
	var out []bot.Member
	for _, m := range s.members {
		if m.Remind != "" {
			out = append(out, copyMember(m))
		}
	}
	slices.SortFunc(out, func(a, b bot.Member) int { return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.User, b.User)) })
	return out, nil
}
