package discordtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SpecFile is where Discord's official OpenAPI 3.1 spec lies, relative to
// the folder that holds the repository (the repository and shared/ are
// siblings, here and in CI). It is not copied into the repository.
const SpecFile = "shared/fixtures/platform/discord-openapi.json"

// specURL names the spec as one JSON Schema resource; schemas are compiled
// from it by JSON pointer.
const specURL = "https://discord.com/api/v10/openapi.json"

// Spec is Discord's OpenAPI document, loaded once per process.
type Spec struct {
	Path      string
	doc       map[string]any
	compiler  *jsonschema.Compiler
	templates []template

	mu      sync.Mutex
	schemas map[string]*jsonschema.Schema // by JSON pointer
}

type template struct {
	path     string   // as the spec writes it
	segments []string // "{...}" for a parameter
	literals int
}

var (
	specOnce sync.Once
	spec     *Spec
	specErr  error
)

// FindSpec walks up from the working folder to the one with shared/ in it
// and returns the spec file's path, or "" when there is none.
// PREPBOT_DISCORD_OPENAPI, when set, names the file instead ("" or a
// missing file: none, to run the documented rules alone).
func FindSpec() string {
	if p, ok := os.LookupEnv("PREPBOT_DISCORD_OPENAPI"); ok { // a path, or "" for none
		if _, err := os.Stat(p); err != nil {
			return ""
		}
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, filepath.FromSlash(SpecFile))
		if _, err := os.Stat(p); err == nil {
			return p
		}
		up := filepath.Dir(dir)
		if up == dir {
			return ""
		}
		dir = up
	}
}

// LoadSpec loads and prepares the spec the first time it is called; it
// returns nil, nil when the file is absent (the documented rules are still
// checked; the caller says the spec part was skipped).
func LoadSpec() (*Spec, error) {
	specOnce.Do(func() {
		path := FindSpec()
		if path == "" {
			return
		}
		spec, specErr = loadSpec(path)
	})
	return spec, specErr
}

func loadSpec(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	doc, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not an OpenAPI document", path)
	}
	// The spec types some fields as integers that the API also takes as
	// strings of digits (an application command's
	// default_member_permissions, which discordgo sends as "32"). The
	// spec's README (github.com/discord/discord-api-spec, "Spec
	// conventions") says: "Some fields typed as strings in our docs may be
	// typed as ints in the spec. Our API accepts strings for int fields if
	// they are parseable as ints." So a schema that allows an integer also
	// allows a string of digits.
	digitStrings(doc)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020) // OpenAPI 3.1's dialect
	if err := c.AddResource(specURL, doc); err != nil {
		return nil, err
	}
	s := &Spec{Path: path, doc: doc, compiler: c, schemas: map[string]*jsonschema.Schema{}}
	paths, _ := doc["paths"].(map[string]any)
	for p := range paths {
		t := template{path: p}
		for _, seg := range strings.Split(strings.Trim(p, "/"), "/") {
			if strings.HasPrefix(seg, "{") {
				seg = "{}"
			} else {
				t.literals++
			}
			t.segments = append(t.segments, seg)
		}
		s.templates = append(s.templates, t)
	}
	// the template with more literal segments wins (@original before {message_id})
	sort.Slice(s.templates, func(i, j int) bool {
		if s.templates[i].literals != s.templates[j].literals {
			return s.templates[i].literals > s.templates[j].literals
		}
		return s.templates[i].path < s.templates[j].path
	})
	return s, nil
}

// digitStrings adds "string" (with a pattern of digits, unless the schema
// has a pattern) to every schema whose type includes "integer".
func digitStrings(v any) {
	switch v := v.(type) {
	case map[string]any:
		switch t := v["type"].(type) {
		case string:
			if t == "integer" {
				v["type"] = []any{"integer", "string"}
				if _, ok := v["pattern"]; !ok {
					v["pattern"] = `^-?[0-9]+$`
				}
			}
		case []any:
			hasInt, hasString := false, false
			for _, x := range t {
				hasInt = hasInt || x == "integer"
				hasString = hasString || x == "string"
			}
			if hasInt && !hasString {
				v["type"] = append(t, "string")
				if _, ok := v["pattern"]; !ok {
					v["pattern"] = `^-?[0-9]+$`
				}
			}
		}
		for _, x := range v {
			digitStrings(x)
		}
	case []any:
		for _, x := range v {
			digitStrings(x)
		}
	}
}

// UnknownOperationError is a request for an operation the spec does not
// have: Discord answers 404, and the fake fails the test, so the next new
// call prepbot makes gets checked too.
type UnknownOperationError struct{ Method, Path string }

func (e *UnknownOperationError) Error() string {
	return e.Method + " " + e.Path + ": no such operation in Discord's API"
}

// Operation finds the spec's operation for a method and a path (without
// the /api/vN prefix), and returns its template and its object.
func (s *Spec) Operation(method, path string) (string, map[string]any, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	paths := s.doc["paths"].(map[string]any)
	for _, t := range s.templates {
		if len(t.segments) != len(segs) {
			continue
		}
		match := true
		for i, seg := range t.segments {
			if seg != "{}" && seg != segs[i] {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		item, _ := paths[t.path].(map[string]any)
		op, ok := item[strings.ToLower(method)].(map[string]any)
		if !ok {
			continue // another template may have the method (none does today)
		}
		return t.path, op, true
	}
	return "", nil, false
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// schema compiles (once) the schema at a JSON pointer of the spec.
func (s *Spec) schema(ptr string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.schemas[ptr]; ok {
		return sch, nil
	}
	sch, err := s.compiler.Compile(specURL + "#" + ptr)
	if err != nil {
		return nil, err
	}
	s.schemas[ptr] = sch
	return sch, nil
}

// ValidateRequest checks a request prepbot sends against the spec: the
// operation must exist, the content type must be one it takes, and the
// body (the payload_json part of a multipart body) must match its schema.
func (s *Spec) ValidateRequest(method, path, contentType string, body []byte) error {
	tmpl, op, ok := s.Operation(method, path)
	if !ok {
		return &UnknownOperationError{method, path}
	}
	rb, _ := op["requestBody"].(map[string]any)
	if len(bytes.TrimSpace(body)) == 0 {
		if rb != nil && rb["required"] == true {
			return fmt.Errorf("%s %s: the body is required", method, tmpl)
		}
		return nil
	}
	if rb == nil {
		return fmt.Errorf("%s %s takes no body", method, tmpl)
	}
	content, _ := rb["content"].(map[string]any)
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("%s %s: content type %q: %v", method, tmpl, contentType, err)
	}
	if _, ok := content[mt]; !ok {
		return fmt.Errorf("%s %s does not take %s", method, tmpl, mt)
	}
	if mt == "multipart/form-data" {
		body, err = payloadJSON(body, params["boundary"])
		if err != nil {
			return fmt.Errorf("%s %s: %v", method, tmpl, err)
		}
	} else if mt != "application/json" {
		return fmt.Errorf("%s %s: prepbot sends JSON or multipart, not %s", method, tmpl, mt)
	}
	ptr := "/paths/" + pointerEscape(tmpl) + "/" + strings.ToLower(method) + "/requestBody/content/" + pointerEscape(mt) + "/schema"
	return s.Validate(ptr, body)
}

// Validate checks a JSON body against the schema at a JSON pointer.
func (s *Spec) Validate(ptr string, body []byte) error {
	sch, err := s.schema(ptr)
	if err != nil {
		return fmt.Errorf("compiling %s: %w", ptr, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("the body is not JSON: %w", err)
	}
	return sch.Validate(inst)
}

// CallbackPointer is the schema of an interaction response: the body of
// POST /interactions/{interaction_id}/{interaction_token}/callback, which
// is also what an Interactions Endpoint returns.
const CallbackPointer = "/paths/~1interactions~1{interaction_id}~1{interaction_token}~1callback/post/requestBody/content/application~1json/schema"

// payloadJSON returns the payload_json part of a multipart body.
func payloadJSON(body []byte, boundary string) ([]byte, error) {
	if boundary == "" {
		return nil, errors.New("multipart body without a boundary")
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return nil, errors.New("multipart body without a payload_json part")
		}
		if err != nil {
			return nil, err
		}
		if p.FormName() == "payload_json" {
			return io.ReadAll(p)
		}
	}
}

// jsonBody returns the JSON of a request body: itself, or its payload_json
// part when it is multipart.
func jsonBody(contentType string, body []byte) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err == nil && mt == "multipart/form-data" {
		return payloadJSON(body, params["boundary"])
	}
	if !json.Valid(body) {
		return nil, errors.New("the body is not JSON")
	}
	return body, nil
}
