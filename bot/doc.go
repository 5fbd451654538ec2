// Package bot is prepbot's domain: study cards posted to a channel, answers
// scored and recorded, streaks, leaderboards and the daily question.
//
// # Basics
//
// An adapter (console, Discord, Slack) turns a platform event into a
// [Request] and calls [Bot.Handle]; it renders the [Reply] it gets back in
// the platform's own form. The bot never knows which platform it talks to.
// Button presses come back as a Request whose Action is the [Button.ID] of
// the pressed button.
//
// The bot consumes two interfaces: [Store], the durable state (implemented
// by package storage on bbolt), which embeds one small interface per
// entity ([GroupStore], [AnswerStore], [ScheduleStore], ...), and [Chat],
// which posts to a channel (implemented by each adapter) for the daily
// question.
//
// # Rules
//
//   - A user answers one posted card once; a second press changes nothing.
//   - An answer is committed to the store before the user is told it was
//     recorded.
//   - A streak is the number of consecutive days, in the group's time zone,
//     on which the user answered at least one question in that group.
//   - The daily question is posted at most once per channel per scheduled
//     day, and a missed post is made when the bot starts again that day.
//
// # Dependencies
//
// bot imports the standard library and questionbank only: no platform SDK
// and no database (CI checks this with `go list -deps ./bot`).
package bot
