package discord

import (
	"testing"

	"github.com/prepbot/prepbot/bot/discord/discordtest"
)

// fakeDiscord is the strict fake Discord (discordtest), with the short
// names the tests of this package use.
type fakeDiscord struct{ *discordtest.Server }

type recorded = discordtest.Request

func newFakeDiscord(t *testing.T) *fakeDiscord { return &fakeDiscord{discordtest.New(t)} }

func (f *fakeDiscord) apiURL() string                          { return f.APIURL() }
func (f *fakeDiscord) next(prefix string) recorded             { return f.Next(prefix) }
func (f *fakeDiscord) dispatch(event string, d map[string]any) { f.Dispatch(event, d) }
func (f *fakeDiscord) drop()                                   { f.Drop() }
func (f *fakeDiscord) waitConnected()                          { f.WaitConnected() }
