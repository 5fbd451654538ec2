package console

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/prepbot/prepbot/bot"
)

// DefaultPictureDir is where pictures go when Options.PictureDir is empty:
// a prepbot folder in the user's cache folder (~/.cache/prepbot on Linux),
// or in the temporary folder when there is none.
func DefaultPictureDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "prepbot")
	}
	return filepath.Join(os.TempDir(), "prepbot")
}

// savePicture writes a picture into the pictures' folder (made if
// missing), named by its kind and the member it is about, so that
// /stats bob neither replaces your own stats picture nor a leaderboard
// chart: stats-bob.png, leaderboard-you.png. It returns the file's path,
// or a message saying what to do.
func savePicture(dir string, a bot.Attachment, member string) (string, error) {
	kind, ext := strings.TrimSuffix(a.Name, filepath.Ext(a.Name)), filepath.Ext(a.Name)
	path := filepath.Join(dir, fileSafe(kind)+"-"+fileSafe(member)+ext)
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return "", fmt.Errorf("%s is a file, not a folder: choose a folder for pictures with --pictures DIR", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("cannot make the folder %s (%v): choose another with --pictures DIR", dir, unwrapPath(err))
	}
	if err := os.WriteFile(path, a.Data, 0o644); err != nil {
		return "", fmt.Errorf("cannot write %s (%v): choose another folder with --pictures DIR", path, unwrapPath(err))
	}
	return path, nil
}

// unwrapPath is the cause of a path error, whose message repeats the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// fileSafe is a name as a part of a file name: letters, digits, '-' and
// '_' kept, anything else (a '/', a space, a dot) as '_', and then, when
// anything was replaced, a short hash of the name, so that two names
// never share a file ("bob smith" and "bob_smith").
func fileSafe(name string) string {
	var b strings.Builder
	changed := false
	for _, r := range name {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
			changed = true
		}
		if b.Len() >= 48 {
			changed = true
			break
		}
	}
	if b.Len() == 0 || changed {
		h := fnv.New32a()
		h.Write([]byte(name))
		if b.Len() == 0 {
			return fmt.Sprintf("%08x", h.Sum32())
		}
		return fmt.Sprintf("%s-%08x", b.String(), h.Sum32())
	}
	return b.String()
}
