package service

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

func TestNewInvitationTokenParsesToItsHash(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		token, hash, err := newInvitationToken()
		if err != nil {
			t.Fatal(err)
		}
		if seen[token] {
			t.Fatalf("token %q made twice", token)
		}
		seen[token] = true
		got, ok := ParseInvitationToken(token)
		if !ok || !bytes.Equal(got, hash) {
			t.Fatalf("ParseInvitationToken(%q) = %x, %v; want %x", token, got, ok, hash)
		}
	}
}

// FuzzParseInvitationToken checks that a link's token is accepted exactly when
// newInvitationToken could have made it: the URL-safe, unpadded, canonical base64 of 32
// bytes. raw gives the other direction: any 32 bytes so encoded must be accepted.
// More seeds are in testdata/fuzz/FuzzParseInvitationToken.
func FuzzParseInvitationToken(f *testing.F) {
	token, _, err := newInvitationToken()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(token, []byte("0123456789abcdef0123456789abcdef"))
	f.Add(token+"=", []byte{})
	f.Add(token[:42]+"\n", []byte{})
	f.Fuzz(func(t *testing.T, token string, raw []byte) {
		hash, ok := ParseInvitationToken(token)
		if !ok {
			if hash != nil {
				t.Fatalf("ParseInvitationToken(%q) refused but returned a hash", token)
			}
		} else {
			b, err := base64.RawURLEncoding.Strict().DecodeString(token)
			if err != nil || len(b) != invitationTokenBytes {
				t.Fatalf("ParseInvitationToken(%q) accepted what is not %d base64url bytes (%v)", token, invitationTokenBytes, err)
			}
			if again := base64.RawURLEncoding.EncodeToString(b); again != token {
				t.Fatalf("ParseInvitationToken(%q) accepted a non-canonical encoding of %q", token, again)
			}
			if sum := sha256.Sum256(b); !bytes.Equal(hash, sum[:]) {
				t.Fatalf("ParseInvitationToken(%q) = %x, want the SHA-256 of its bytes %x", token, hash, sum)
			}
		}

		if len(raw) < invitationTokenBytes {
			return
		}
		made := base64.RawURLEncoding.EncodeToString(raw[:invitationTokenBytes])
		hash, ok = ParseInvitationToken(made)
		if sum := sha256.Sum256(raw[:invitationTokenBytes]); !ok || !bytes.Equal(hash, sum[:]) {
			t.Fatalf("ParseInvitationToken(%q) = %x, %v; want the SHA-256 of its bytes", made, hash, ok)
		}
	})
}
