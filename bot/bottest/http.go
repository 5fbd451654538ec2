package bottest

import (
	"io"
	"net/http"
	"testing"
)

// Do sends req (to a test server, or an adapter's endpoint) and returns
// the status and body of the response; a request that gets no response
// fails the test at once.
func Do(t testing.TB, req *http.Request) (status int, body []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the response to %s %s: %v", req.Method, req.URL, err)
	}
	return resp.StatusCode, body
}
