package slack

import (
	"testing"

	"github.com/prepbot/prepbot/bot/slack/slacktest"
)

// fakeSlack is the strict fake Slack (slacktest): it refuses what Slack
// refuses, and a refusal fails the test.
type fakeSlack = slacktest.Server

func newFakeSlack(t *testing.T) *fakeSlack { return slacktest.New(t) }
