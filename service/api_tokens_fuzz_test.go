package service

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseAPIToken checks that an API token is accepted exactly when newAPIToken
// could have made it: "dbcollab_" and the URL-safe, unpadded, canonical base64 of 32
// bytes, whose SHA-256 is what is looked up. raw gives the other direction: any 32
// bytes so encoded must be accepted. Seeds are in testdata/fuzz/FuzzParseAPIToken.
func FuzzParseAPIToken(f *testing.F) {
	token, _, err := newAPIToken()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(token, []byte("0123456789abcdef0123456789abcdef"))
	f.Add(strings.TrimPrefix(token, apiTokenPrefix), []byte{})
	f.Add(strings.ToUpper(token), []byte{})
	f.Fuzz(func(t *testing.T, token string, raw []byte) {
		hash, ok := parseAPIToken(token)
		if !ok {
			if hash != nil {
				t.Fatalf("parseAPIToken(%q) refused but returned a hash", token)
			}
		} else {
			encoded, found := strings.CutPrefix(token, apiTokenPrefix)
			b, err := base64.RawURLEncoding.Strict().DecodeString(encoded)
			switch {
			case !found:
				t.Fatalf("parseAPIToken(%q) accepted a token without the %q prefix", token, apiTokenPrefix)
			case err != nil || len(b) != apiTokenBytes:
				t.Fatalf("parseAPIToken(%q) accepted what is not %d base64url bytes (%v)", token, apiTokenBytes, err)
			case base64.RawURLEncoding.EncodeToString(b) != encoded:
				t.Fatalf("parseAPIToken(%q) accepted a non-canonical encoding", token)
			}
			if sum := sha256.Sum256(b); !bytes.Equal(hash, sum[:]) {
				t.Fatalf("parseAPIToken(%q) = %x, want the SHA-256 of its bytes %x", token, hash, sum)
			}
		}

		if len(raw) < apiTokenBytes {
			return
		}
		made := apiTokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:apiTokenBytes])
		hash, ok = parseAPIToken(made)
		if sum := sha256.Sum256(raw[:apiTokenBytes]); !ok || !bytes.Equal(hash, sum[:]) {
			t.Fatalf("parseAPIToken(%q) = %x, %v; want the SHA-256 of its bytes", made, hash, ok)
		}
	})
}

// FuzzParseAPITokenLifetime checks that a lifetime is accepted only as 0 to
// MaxAPITokenLifetimeDays whole days, and that each one accepted reads back the same.
func FuzzParseAPITokenLifetime(f *testing.F) {
	for _, seed := range []string{"", "0", "30", "365", "366", "-1", "30.5", " 90 ", "+7", "1e2", "٣٠"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		days, err := ParseAPITokenLifetime(raw)
		if err != nil {
			if days != 0 {
				t.Fatalf("ParseAPITokenLifetime(%q) refused but returned %d", raw, days)
			}
			if e, ok := AsError(err); !ok || e.Field != "expires_in_days" {
				t.Fatalf("ParseAPITokenLifetime(%q) = %v, want an invalid expires_in_days", raw, err)
			}
			return
		}
		if days < 0 || days > MaxAPITokenLifetimeDays {
			t.Fatalf("ParseAPITokenLifetime(%q) = %d, out of 0..%d", raw, days, MaxAPITokenLifetimeDays)
		}
		if again, err := ParseAPITokenLifetime(strconv.Itoa(days)); err != nil || again != days {
			t.Fatalf("ParseAPITokenLifetime(%q) = %d, which reads back as %d, %v", raw, days, again, err)
		}
	})
}
