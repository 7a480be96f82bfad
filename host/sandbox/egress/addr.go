package egress

import (
	"net/netip"
)

// specialRange is an address range a plugin may reach only with an explicit grant.
type specialRange struct {
	prefix netip.Prefix
	kind   string
}

// Order matters: the first match names the kind, so the metadata addresses
// come before the ranges that contain them.
var (
	special4 = []specialRange{
		{netip.MustParsePrefix("169.254.169.254/32"), "cloud metadata"},
		{netip.MustParsePrefix("100.100.100.200/32"), "cloud metadata"},
		{netip.MustParsePrefix("0.0.0.0/32"), "unspecified"},
		{netip.MustParsePrefix("0.0.0.0/8"), "this-network"},
		{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
		{netip.MustParsePrefix("10.0.0.0/8"), "private"},
		{netip.MustParsePrefix("172.16.0.0/12"), "private"},
		{netip.MustParsePrefix("192.168.0.0/16"), "private"},
		{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
		{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
		{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment"},
		{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
		{netip.MustParsePrefix("255.255.255.255/32"), "broadcast"},
		{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	}
	special6 = []specialRange{
		{netip.MustParsePrefix("fd00:ec2::254/128"), "cloud metadata"},
		{netip.MustParsePrefix("::/128"), "unspecified"},
		{netip.MustParsePrefix("::1/128"), "loopback"},
		{netip.MustParsePrefix("::/96"), "IPv4-compatible (deprecated)"},
		{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64"},
		{netip.MustParsePrefix("100::/64"), "discard-only"},
		{netip.MustParsePrefix("fc00::/7"), "private"},
		{netip.MustParsePrefix("fe80::/10"), "link-local"},
		{netip.MustParsePrefix("fec0::/10"), "site-local (deprecated)"},
		{netip.MustParsePrefix("ff00::/8"), "multicast"},
	}
	nat64   = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4  = netip.MustParsePrefix("2002::/16")
	mapped4 = netip.MustParsePrefix("::ffff:0:0/96")
)

// specialKind returns what kind of special address a is ("loopback",
// "NAT64 form of cloud metadata", …), or "" for an ordinary public address.
func specialKind(a netip.Addr) string {
	a = a.WithZone("")
	if mapped4.Contains(a) {
		if k := specialKind(a.Unmap()); k != "" {
			return "IPv4-mapped form of " + k
		}
		return ""
	}
	if a.Is4() {
		for _, r := range special4 {
			if r.prefix.Contains(a) {
				return r.kind
			}
		}
		return ""
	}
	b := a.As16()
	switch {
	case nat64.Contains(a):
		if k := specialKind(netip.AddrFrom4([4]byte(b[12:16]))); k != "" {
			return "NAT64 form of " + k
		}
		return ""
	case sixTo4.Contains(a):
		if k := specialKind(netip.AddrFrom4([4]byte(b[2:6]))); k != "" {
			return "6to4 form of " + k
		}
		return ""
	}
	for _, r := range special6 {
		if r.prefix.Contains(a) {
			return r.kind
		}
	}
	return ""
}
