package postcache

import (
	"testing"

	"github.com/prepbot/prepbot/bot"
)

func TestCacheKeepsAndBounds(t *testing.T) {
	var c Cache
	if _, ok := c.Get(1); ok {
		t.Fatal("an empty cache found a post")
	}
	for id := uint64(1); id <= Max; id++ {
		c.Add(bot.Post{ID: id, CardID: "c"})
	}
	if p, ok := c.Get(Max); !ok || p.ID != Max || p.CardID != "c" {
		t.Fatalf("Get(%d) = %+v, %v", Max, p, ok)
	}
	c.Add(bot.Post{ID: Max + 1})
	if _, ok := c.Get(1); ok {
		t.Error("past Max posts the cache kept growing")
	}
	if _, ok := c.Get(Max + 1); !ok {
		t.Error("the post added past Max is not kept")
	}
}
