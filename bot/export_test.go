package bot

// What the external tests (package bot_test) reach of the package's
// insides.
var (
	NewMemoStore = func(s Store) Store { return memoStore{s} }
	WithMemo     = withMemo
)
