package cli

import (
	"encoding/json"
	"testing"
)

func TestIDsMayBeJSONStringsOrNumbers(t *testing.T) {
	for in, want := range map[string]ID{`"db-1f2e"`: "db-1f2e", `42`: "42"} {
		var id ID
		if err := json.Unmarshal([]byte(in), &id); err != nil || id != want {
			t.Errorf("%s: got %q, %v", in, id, err)
		}
	}
	var id ID
	if err := json.Unmarshal([]byte(`{"x":1}`), &id); err == nil {
		t.Errorf("an object was taken for an id: %q", id)
	}
}
