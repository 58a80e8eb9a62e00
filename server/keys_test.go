package server

import (
	"bytes"
	"testing"

	"dbcollab/internal/teststore"
)

// The access token key is derived like the session keys, under its own label: the same
// for the same secret, and unlike any other key.
func TestSecretKeysAreDistinctAndFollowTheSecret(t *testing.T) {
	st, _ := teststore.Open(t)
	derive := func(secret string) keys {
		k, err := secretKeys(t.Context(), st, secret)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	a, again, other := derive("a secret"), derive("a secret"), derive("another secret")
	stored, storedAgain := derive(""), derive("")
	for _, k := range []keys{a, other, stored} {
		if len(k.accessToken) != 32 || bytes.Equal(k.accessToken, k.sessionHash) || bytes.Equal(k.accessToken, k.sessionBlock) {
			t.Fatalf("the access token key is not a key of its own: %x", k.accessToken)
		}
	}
	if !bytes.Equal(a.accessToken, again.accessToken) || !bytes.Equal(stored.accessToken, storedAgain.accessToken) {
		t.Fatal("the same secret gave two access token keys: a restart would end every access token")
	}
	if bytes.Equal(a.accessToken, other.accessToken) || bytes.Equal(a.accessToken, stored.accessToken) {
		t.Fatal("two secrets gave the same access token key")
	}
}
