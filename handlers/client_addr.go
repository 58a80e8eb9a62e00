package handlers

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
)

// ParseTrustedProxies reads --trusted-proxies: comma-separated CIDR prefixes (a single
// address stands for itself); "" trusts none.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var prefixes []netip.Prefix
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		p, err := netip.ParsePrefix(item)
		if err != nil && !strings.Contains(item, "/") {
			var addr netip.Addr
			if addr, err = netip.ParseAddr(item); err == nil && addr.Zone() == "" {
				p = netip.PrefixFrom(addr, addr.BitLen())
			} else if err == nil {
				err = fmt.Errorf("zone in %q", item)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR prefix such as 10.0.0.0/8 or 2001:db8::/32", item)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		prefixes = append(prefixes, p.Masked())
	}
	return prefixes, nil
}

// clientIP is what c.RealIP() answers: the direct peer, except that from a trusted
// proxy, X-Forwarded-For is read from the right, and the first hop that is not a
// trusted proxy is the client. Loopback and private addresses are not trusted unless
// listed: X-Forwarded-For is anyone's to write.
func clientIP(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	options := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		options = append(options, echo.TrustIPRange(&net.IPNet{
			IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen()),
		}))
	}
	return echo.ExtractIPFromXFFHeader(options...)
}
