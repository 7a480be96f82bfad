package main

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// now is the clock; tests replace it.
var now = time.Now

// fakeClockBefore: wazero's default wall clock starts at 2022-01-01T00:00:00Z
// and barely moves. Any reading before this instant means the host did not
// give the plugin the real clock.
var fakeClockBefore = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)

func currentTime() (time.Time, error) {
	t := now()
	if t.Before(fakeClockBefore) {
		return time.Time{}, fmt.Errorf("the host gives this plugin a fake clock (it reads %s), so the current time is unknown; the operator must enable the real wall clock for this plugin", t.UTC().Format(time.RFC3339))
	}
	return t, nil
}

var offsetZone = regexp.MustCompile(`^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$`)

// loadZone resolves an IANA name or a fixed offset; empty means UTC.
func loadZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	switch strings.ToUpper(name) {
	case "", "UTC", "Z", "GMT":
		return time.UTC, nil
	case "LOCAL":
		return nil, errors.New(`time zone "Local" means nothing inside the sandbox; give an IANA name such as "Europe/Berlin"`)
	}
	if m := offsetZone.FindStringSubmatch(name); m != nil {
		h, _ := strconv.Atoi(m[2])
		mins := 0
		if m[3] != "" {
			mins, _ = strconv.Atoi(m[3])
		}
		if h > 14 || mins > 59 {
			return nil, fmt.Errorf("offset %q is out of range", name)
		}
		secs := h*3600 + mins*60
		if m[1] == "-" {
			secs = -secs
		}
		return time.FixedZone(fmt.Sprintf("UTC%s%02d:%02d", m[1], h, mins), secs), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q: give an IANA name such as \"America/New_York\" or an offset such as \"+05:30\"", name)
	}
	return loc, nil
}

// Layouts tried, in order, by parseTime. Those without offset are read in
// the caller's zone.
var withOffset = []string{time.RFC3339Nano, time.RFC1123Z, time.RFC1123, time.RFC822Z, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04Z07:00"}

var withoutOffset = []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"}

var unixSeconds = regexp.MustCompile(`^-?\d+(\.\d+)?$`)

// parseTime reads the time formats the tools document; loc is the zone of
// times written without offset and of "now" and Unix times.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("time is required")
	}
	if strings.EqualFold(s, "now") {
		t, err := currentTime()
		return t.In(loc), err
	}
	if unixSeconds.MatchString(s) && len(s) != 4 && len(s) != 8 { // not a year or yyyymmdd
		f, err := strconv.ParseFloat(s, 64)
		if err == nil && math.Abs(f) < 1e11 {
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(math.Round(frac*1e9))).In(loc), nil
		}
	}
	for _, l := range withOffset {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	for _, l := range withoutOffset {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read time %q: use \"now\", RFC 3339 (2026-03-01T14:30:00Z), \"2026-03-01 14:30\", \"2026-03-01\", RFC 1123 or Unix seconds", s)
}

var namedFormats = map[string]string{
	"rfc3339":     time.RFC3339,
	"rfc3339nano": time.RFC3339Nano,
	"rfc1123":     time.RFC1123,
	"rfc1123z":    time.RFC1123Z,
	"rfc822z":     time.RFC822Z,
	"ansic":       time.ANSIC,
	"kitchen":     time.Kitchen,
	"datetime":    time.DateTime,
	"date":        time.DateOnly,
	"time":        time.TimeOnly,
}

// formatTime renders t in a named format, as Unix time, or with a Go layout.
func formatTime(t time.Time, format string) (string, error) {
	f := strings.TrimSpace(format)
	switch strings.ToLower(f) {
	case "":
		return t.Format(time.RFC3339), nil
	case "unix":
		return strconv.FormatInt(t.Unix(), 10), nil
	case "unix_ms":
		return strconv.FormatInt(t.UnixMilli(), 10), nil
	}
	if l, ok := namedFormats[strings.ToLower(f)]; ok {
		return t.Format(l), nil
	}
	if out := t.Format(f); out != f {
		return out, nil
	}
	return "", fmt.Errorf("unknown format %q: use rfc3339, rfc1123, datetime, date, time, unix, unix_ms, ... or a Go layout such as \"2006-01-02 15:04\"", format)
}

// duration is a calendar part (years, months, days, applied with AddDate
// in the time's zone) plus an exact part.
type duration struct {
	years, months, days int
	exact               time.Duration
}

func (d duration) addTo(t time.Time) time.Time {
	return t.AddDate(d.years, d.months, d.days).Add(d.exact)
}

var (
	goPart  = regexp.MustCompile(`(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w)`)
	isoForm = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)
)

// parseDuration reads Go-style durations extended with d and w, or ISO 8601
// durations, each with an optional leading sign.
func parseDuration(s string) (duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return duration{}, errors.New("duration is required")
	}
	sign := 1
	body := in
	if body[0] == '+' || body[0] == '-' {
		if body[0] == '-' {
			sign = -1
		}
		body = body[1:]
	}
	var d duration
	var err error
	if strings.HasPrefix(strings.ToUpper(body), "P") {
		d, err = parseISO(strings.ToUpper(body))
	} else {
		d, err = parseGo(body)
	}
	if err != nil {
		return duration{}, fmt.Errorf("cannot read duration %q: %v", in, err)
	}
	d.years, d.months, d.days, d.exact = sign*d.years, sign*d.months, sign*d.days, time.Duration(sign)*d.exact
	return d, nil
}

func parseGo(s string) (duration, error) {
	var d duration
	rest := s
	for rest != "" {
		m := goPart.FindStringSubmatchIndex(rest)
		if m == nil || m[0] != 0 {
			return duration{}, errors.New(`want e.g. "90m", "1h30m", "2d", "1w" or ISO 8601 "P1DT2H"`)
		}
		num, unit := rest[m[2]:m[3]], rest[m[4]:m[5]]
		rest = rest[m[1]:]
		switch unit {
		case "d", "w":
			n, err := strconv.Atoi(num)
			if err != nil {
				return duration{}, fmt.Errorf("days and weeks must be whole numbers, got %s%s", num, unit)
			}
			if unit == "w" {
				n *= 7
			}
			d.days += n
		default:
			x, err := time.ParseDuration(num + unit)
			if err != nil {
				return duration{}, err
			}
			d.exact += x
		}
	}
	return d, nil
}

func parseISO(s string) (duration, error) {
	m := isoForm.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return duration{}, errors.New(`not an ISO 8601 duration such as "P1Y2M3DT4H5M6S"`)
	}
	atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
	d := duration{years: atoi(m[1]), months: atoi(m[2]), days: atoi(m[3])*7 + atoi(m[4])}
	d.exact = time.Duration(atoi(m[5]))*time.Hour + time.Duration(atoi(m[6]))*time.Minute
	if m[7] != "" {
		secs, _ := strconv.ParseFloat(m[7], 64)
		d.exact += time.Duration(math.Round(secs * 1e9))
	}
	return d, nil
}
