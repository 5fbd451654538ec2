package discord

import (
	"encoding/json"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// FuzzInteractionDecode feeds arbitrary bodies to the interaction decoder
// and the request mapping: nothing may panic.
func FuzzInteractionDecode(f *testing.F) {
	f.Add([]byte(`{"id":"1","type":2,"guild_id":"g","channel_id":"c","member":{"user":{"id":"u","username":"a"},"permissions":"32"},"data":{"id":"x","name":"qotd","type":1,"options":[{"name":"set","type":1,"options":[{"name":"time","type":3,"value":"09:00"}]}]}}`))
	f.Add([]byte(`{"id":"2","type":3,"channel_id":"c","user":{"id":"u"},"data":{"custom_id":"a:1:2","component_type":2}}`))
	f.Add([]byte(`{"id":"3","type":5,"data":{"custom_id":"t:9","components":[{"type":1,"components":[{"type":4,"custom_id":"text","value":"x"}]}]}}`))
	f.Add([]byte(`{"id":"4","type":4,"data":{"name":"question","options":[{"name":"category","type":3,"value":"po","focused":true}]}}`))
	f.Add([]byte(`{"type":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			return
		}
		switch i.Type {
		case discordgo.InteractionApplicationCommand, discordgo.InteractionMessageComponent,
			discordgo.InteractionModalSubmit, discordgo.InteractionApplicationCommandAutocomplete:
			req := request(&i)
			if req.Platform != "discord" || req.Args == nil {
				t.Fatalf("request = %+v", req)
			}
		}
	})
}
