// Package postcache keeps recent posts in memory for the storage
// backends: posts never change once created, so every process may keep
// them, replicas too.
package postcache

import (
	"sync"

	"github.com/prepbot/prepbot/bot"
)

// Max bounds the posts kept: past it the cache starts over.
const Max = 4096

// Cache is a bounded map of posts by id; its zero value is ready.
type Cache struct {
	mu    sync.Mutex
	posts map[uint64]bot.Post
}

// Add keeps p.
func (c *Cache) Add(p bot.Post) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.posts == nil || len(c.posts) >= Max {
		c.posts = make(map[uint64]bot.Post, 64)
	}
	c.posts[p.ID] = p
}

// Get returns the post with id, if kept.
func (c *Cache) Get(id uint64) (bot.Post, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.posts[id]
	return p, ok
}
