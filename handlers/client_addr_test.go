package handlers

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	for list, want := range map[string]string{
		"":                          "",
		"  ":                        "",
		"10.0.0.0/8":                "10.0.0.0/8",
		"10.1.2.3/8, 192.0.2.7":     "10.0.0.0/8,192.0.2.7/32",
		"2001:db8::1/32,::1":        "2001:db8::/32,::1/128",
		"::ffff:10.0.0.0/104":       "10.0.0.0/8",
		" 172.16.0.0/12 ,fd00::/8 ": "172.16.0.0/12,fd00::/8",
	} {
		got, err := ParseTrustedProxies(list)
		if err != nil || joinPrefixes(got) != want {
			t.Errorf("ParseTrustedProxies(%q) = %q, %v; want %q", list, joinPrefixes(got), err, want)
		}
	}
	for _, list := range []string{"10.0.0.0/33", "10.0.0.0/8,", "proxy.example.com", "10.0.0.0/8,,10.1.0.0/16", "fe80::1%eth0", "10.0.0.0/-1"} {
		if got, err := ParseTrustedProxies(list); err == nil {
			t.Errorf("ParseTrustedProxies(%q) = %q, want an error", list, joinPrefixes(got))
		}
	}
}

func joinPrefixes(prefixes []netip.Prefix) string {
	var s []string
	for _, p := range prefixes {
		s = append(s, p.String())
	}
	return strings.Join(s, ",")
}

// FuzzParseTrustedProxies: never a panic; what it accepts are masked prefixes, which
// read back the same.
func FuzzParseTrustedProxies(f *testing.F) {
	for _, seed := range []string{"", "10.0.0.0/8", "10.0.0.1", "2001:db8::/32,::1", "::ffff:10.0.0.0/104", "fe80::1%eth0", "a,,b", "1.2.3.4/33"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, list string) {
		prefixes, err := ParseTrustedProxies(list)
		if err != nil {
			return
		}
		for _, p := range prefixes {
			if !p.IsValid() || p != p.Masked() || p.Addr().Zone() != "" {
				t.Fatalf("%q gave %v", list, p)
			}
		}
		again, err := ParseTrustedProxies(joinPrefixes(prefixes))
		if err != nil || joinPrefixes(again) != joinPrefixes(prefixes) {
			t.Fatalf("%q gave %q, which reads back as %q, %v", list, joinPrefixes(prefixes), joinPrefixes(again), err)
		}
	})
}

// The client address is the right-most X-Forwarded-For hop that is not a trusted proxy,
// and only when the peer is one; loopback and private peers are not trusted unlisted.
func TestClientIPReadsForwardedForOnlyFromTrustedProxies(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8,2001:db8:ffff::/48")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, peer, xff, want string }{
		{"untrusted peer", "203.0.113.9:4000", "198.51.100.1", "203.0.113.9"},
		{"loopback peer, not listed", "127.0.0.1:4000", "198.51.100.1", "127.0.0.1"},
		{"private peer, not listed", "192.168.1.1:4000", "198.51.100.1", "192.168.1.1"},
		{"trusted peer", "10.0.0.2:4000", "198.51.100.1", "198.51.100.1"},
		{"trusted peer, no header", "10.0.0.2:4000", "", "10.0.0.2"},
		{"forged left-most hop", "10.0.0.2:4000", "1.1.1.1, 198.51.100.1", "198.51.100.1"},
		{"two trusted hops", "10.0.0.2:4000", "198.51.100.1, 10.9.9.9", "198.51.100.1"},
		{"IPv6 proxy", "[2001:db8:ffff::2]:4000", "2001:db8:1:2::3", "2001:db8:1:2::3"},
		{"garbage from the client side", "10.0.0.2:4000", "nonsense, 198.51.100.1", "198.51.100.1"},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = c.peer
		if c.xff != "" {
			req.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := clientIP(trusted)(req); got != c.want {
			t.Errorf("%s: client %q, want %q", c.name, got, c.want)
		}
		if got, direct := clientIP(nil)(req), strings.Trim(c.peer[:strings.LastIndex(c.peer, ":")], "[]"); got != direct {
			t.Errorf("%s, no trusted proxy: client %q, want the peer %q", c.name, got, direct)
		}
	}
}
