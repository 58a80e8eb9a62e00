package service

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// secretBytes is the randomness of every token handed out (invitation links, API
// tokens): 256 bits, so that guessing one is hopeless.
const secretBytes = 32

// newSecret makes a token: prefix, then 32 random bytes in unpadded base64url. Only the
// SHA-256 of the bytes is stored, so the database alone cannot be used as a token.
func newSecret(prefix string) (token string, hash []byte, err error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("service: random token: %w", err)
	}
	sum := sha256.Sum256(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b), sum[:], nil
}

// parseSecret returns the hash of a token newSecret(prefix) could have made; ok is false
// for anything else, non-canonical encodings included.
func parseSecret(prefix, token string) (hash []byte, ok bool) {
	encoded, found := strings.CutPrefix(token, prefix)
	if !found || len(encoded) != base64.RawURLEncoding.EncodedLen(secretBytes) {
		return nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(encoded)
	if err != nil || len(b) != secretBytes {
		return nil, false
	}
	sum := sha256.Sum256(b)
	return sum[:], true
}
