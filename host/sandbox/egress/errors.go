package egress

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// DeniedError reports a request or redirect hop refused by the policy. It
// never contains credentials, URL userinfo, paths or query strings.
type DeniedError struct {
	// Target is scheme://host:port of the refused request or hop.
	Target string
	// Reason says which check refused it.
	Reason string
	// Grant is the config change that would allow it, such as
	// `add "api.example.com" to runtime_config.allowed_hosts`. Loopback,
	// private, link-local and metadata addresses are granted only by an IP or
	// CIDR entry covering the address or by an exact host-name entry; a "*" or
	// other glob never grants them. Grant is empty when no config allows it
	// (for example a non-http scheme or userinfo in the URL).
	Grant string
}

func (e *DeniedError) Error() string {
	s := "egress denied: " + e.Target + ": " + e.Reason
	if e.Grant != "" {
		s += "; to allow it, " + e.Grant
	}
	return s
}

// grantForName suggests the entry that admits scheme://host:port.
func grantForName(scheme, host string, port int) string {
	entry := host
	if port != defaultPort(scheme) {
		entry = net.JoinHostPort(host, strconv.Itoa(port))
	}
	return fmt.Sprintf("add %q to runtime_config.allowed_hosts", entry)
}

// grantForSpecial suggests the explicit entries that admit a special address.
func grantForSpecial(scheme, host string, hostIsIP bool, port int, addr netip.Addr, kind string) string {
	addr = addr.Unmap()
	ipEntry := addr.String()
	if port != defaultPort(scheme) {
		ipEntry = netip.AddrPortFrom(addr, uint16(port)).String()
	}
	s := fmt.Sprintf("add %q (an IP or CIDR entry covering %s)", ipEntry, addr)
	if !hostIsIP {
		nameEntry := host
		if port != defaultPort(scheme) {
			nameEntry = net.JoinHostPort(host, strconv.Itoa(port))
		}
		s += fmt.Sprintf(" or the exact host name %q", nameEntry)
	}
	return s + " to runtime_config.allowed_hosts; \"*\" and other globs never grant " + kind + " addresses"
}

// TimeoutError reports that a request ran out of time and which limit fired.
type TimeoutError struct {
	// Target is the request's method and scheme://host:port.
	Target string
	// Limit is the limit that fired: the egress timeout (Options.Timeout)
	// or the caller's context deadline.
	Limit string
	// Grant is the config key that raises the limit, or "" for the caller's deadline.
	Grant string
}

func (e *TimeoutError) Error() string {
	s := "egress: " + e.Target + ": request timed out: " + e.Limit
	if e.Grant != "" {
		s += "; raise " + e.Grant
	}
	return s
}

// Timeout reports true, for net.Error-style checks.
func (e *TimeoutError) Timeout() bool { return true }

// Unwrap lets errors.Is(err, context.DeadlineExceeded) hold.
func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }

// errRequestTimeout is the context cause set by Options.Timeout.
type errRequestTimeout struct{ d time.Duration }

func (e *errRequestTimeout) Error() string {
	return "egress timeout of " + e.d.String() + " exceeded"
}
