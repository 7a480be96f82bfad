// Package egress is toolhost's outbound HTTP client for plugins: it serves
// the Extism http_request host ABI with a policy that actually holds.
//
// # Policy
//
// A [Policy] is parsed by [ParseRules] from a plugin's
// runtime_config.allowed_hosts entries. It is deny by default: an empty or
// nil policy denies every request. Only http and https are ever allowed.
// Each entry has one of these forms (host names are case-insensitive and a
// trailing dot is ignored):
//
//	api.example.com            exact host name
//	*.example.com, *, api-?.x  any gobwas glob on the host name ("*" also crosses dots, as in Extism)
//	host:8443, *:8443, host:*  host (name, glob or IPv4) with an explicit port, or any port
//	https://host               scheme restriction (also http://*.x.com:8080)
//	203.0.113.7, 2001:db8::1   IP literal
//	[2001:db8::1]:443          bracketed IPv6 literal with a port
//	10.0.0.0/8, fd00::/8       CIDR; a port may follow the prefix length: 10.0.0.0/8:8080, fd00::/8:*
//
// An entry without a port admits only the default port of the request's
// scheme (80 for http, 443 for https). An entry without a scheme admits both
// http and https. Name and glob entries are matched against the URL's host
// name; IP and CIDR entries are matched against IP-literal URL hosts.
//
// # Special addresses
//
// Every IP a host name resolves to is vetted. Loopback, private, link-local,
// CGNAT, multicast, unspecified, broadcast and reserved addresses, their
// IPv4-mapped, NAT64 (64:ff9b::/96) and 6to4 forms, and the cloud metadata
// addresses (169.254.169.254, fd00:ec2::254, 100.100.100.200) are refused
// even when the name matches "*" or another glob. Such an address is reached
// only when the operator grants it explicitly, by either
//
//   - an IP or CIDR entry that covers the address, or
//   - an exact (non-glob) host-name entry naming the requested host, such as
//     "localhost" or "metadata.internal",
//
// and that entry's scheme and port also admit the request. A glob never
// grants a special address.
//
// # Requests
//
// [Client.Do] authorises the scheme, host and port, resolves the name once
// with [Options.Resolver], vets every resolved IP, and dials only a vetted IP
// (the TLS server name stays the host name). No proxy is used and the
// environment is never consulted. Every redirect hop is authorised the same
// way, at most [Options.MaxRedirects] hops are followed, and a denied hop
// fails the whole request with a [*DeniedError] naming that hop.
//
// Credentials ([Options.Credentials]) are added by the host after the
// guest's headers, so the guest can neither read nor override them. They are
// re-evaluated on every hop and attached only when the hop's host matches;
// on a redirect, the header of every configured credential is first removed.
// Credential values never appear in responses, errors or logs.
//
// The response body is read up to [Options.MaxResponseBytes]; a longer body
// is cut there and reported with [Response.Truncated] set, not as an error.
// The whole request, including the body read, is bounded by
// [Options.Timeout] and by the caller's context, and a timeout error says
// which of the two fired.
package egress
