package egress

import (
	"net/netip"
	"strings"
	"testing"
)

func TestSpecialKind(t *testing.T) {
	tests := []struct {
		addr string
		want string // substring of the kind; "" = ordinary public address
	}{
		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"::1", "loopback"},
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"fc00::1", "private"},
		{"fd12:3456::1", "private"},
		{"169.254.1.1", "link-local"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"100.64.0.1", "carrier-grade NAT"},
		{"100.127.255.255", "carrier-grade NAT"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"ff02::1", "multicast"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"0.1.2.3", "this-network"},
		{"255.255.255.255", "broadcast"},
		{"240.0.0.1", "reserved"},
		{"169.254.169.254", "cloud metadata"},
		{"fd00:ec2::254", "cloud metadata"},
		{"100.100.100.200", "cloud metadata"},
		{"::ffff:127.0.0.1", "IPv4-mapped form of loopback"},
		{"::ffff:169.254.169.254", "IPv4-mapped form of cloud metadata"},
		{"::ffff:10.0.0.1", "IPv4-mapped form of private"},
		{"64:ff9b::7f00:1", "NAT64 form of loopback"},
		{"64:ff9b::a9fe:a9fe", "NAT64 form of cloud metadata"},
		{"64:ff9b::c0a8:101", "NAT64 form of private"},
		{"64:ff9b:1::1", "local-use NAT64"},
		{"2002:7f00:1::", "6to4 form of loopback"},
		{"::127.0.0.1", "IPv4-compatible"},
		{"fec0::1", "site-local"},
		// Ordinary public addresses.
		{"203.0.113.7", ""},
		{"8.8.8.8", ""},
		{"172.32.0.1", ""},
		{"100.128.0.1", ""},
		{"2001:4860:4860::8888", ""},
		{"::ffff:8.8.8.8", ""},
		{"64:ff9b::808:808", ""},
		{"2002:808:808::", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got := specialKind(netip.MustParseAddr(tt.addr))
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("specialKind(%s) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}
