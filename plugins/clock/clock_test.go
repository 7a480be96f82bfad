package main

import (
	"strings"
	"testing"
	"time"
)

func TestLoadZone(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{"", "UTC", ""},
		{"utc", "UTC", ""},
		{"Europe/Paris", "Europe/Paris", ""},
		{"+05:30", "UTC+05:30", ""},
		{"UTC-3", "UTC-03:00", ""},
		{"+0930", "UTC+09:30", ""},
		{"+15", "", "out of range"},
		{"Local", "", "IANA name"},
		{"Mars/Olympus", "", `unknown time zone "Mars/Olympus"`},
	}
	for _, tt := range tests {
		loc, err := loadZone(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("loadZone(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || loc.String() != tt.want {
			t.Errorf("loadZone(%q) = %v, %v; want %s", tt.in, loc, err, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	fixed := time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)
	now = func() time.Time { return fixed }
	defer func() { now = time.Now }()
	tests := []struct {
		in      string
		loc     *time.Location
		want    string // RFC 3339 nano
		wantErr string
	}{
		{"2026-03-01T14:30:00+01:00", ny, "2026-03-01T14:30:00+01:00", ""},
		{"2026-03-01T14:30:00.5Z", ny, "2026-03-01T14:30:00.5Z", ""},
		{"2026-03-01 14:30", ny, "2026-03-01T14:30:00-05:00", ""},
		{"2026-07-01 14:30:15", ny, "2026-07-01T14:30:15-04:00", ""},
		{"2026-03-01", time.UTC, "2026-03-01T00:00:00Z", ""},
		{"Sun, 01 Mar 2026 14:30:00 +0100", time.UTC, "2026-03-01T14:30:00+01:00", ""},
		{"1767225600", time.UTC, "2026-01-01T00:00:00Z", ""},
		{"1767225600.25", time.UTC, "2026-01-01T00:00:00.25Z", ""},
		{"now", ny, "2026-05-03T23:02:01-04:00", ""},
		{"NOW", time.UTC, "2026-05-04T03:02:01Z", ""},
		{"yesterday", time.UTC, "", "cannot read time"},
		{"", time.UTC, "", "time is required"},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.in, tt.loc)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseTime(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.Format(time.RFC3339Nano) != tt.want {
			t.Errorf("parseTime(%q) = %s, %v; want %s", tt.in, got.Format(time.RFC3339Nano), err, tt.want)
		}
	}
}

func TestFakeClock(t *testing.T) {
	now = func() time.Time { return time.Date(2022, 1, 1, 0, 0, 0, 5e6, time.UTC) }
	defer func() { now = time.Now }()
	if _, err := currentTime(); err == nil || !strings.Contains(err.Error(), "fake clock") {
		t.Errorf("err = %v", err)
	}
	if _, err := parseTime("now", time.UTC); err == nil {
		t.Error("parseTime(now) accepted a fake clock")
	}
}

func TestFormatTime(t *testing.T) {
	tm := time.Date(2026, 3, 1, 14, 30, 5, 123000000, time.FixedZone("X", 3600))
	tests := []struct {
		format, want, wantErr string
	}{
		{"", "2026-03-01T14:30:05+01:00", ""},
		{"RFC3339Nano", "2026-03-01T14:30:05.123+01:00", ""},
		{"kitchen", "2:30PM", ""},
		{"datetime", "2026-03-01 14:30:05", ""},
		{"date", "2026-03-01", ""},
		{"unix", "1772371805", ""},
		{"unix_ms", "1772371805123", ""},
		{"02.01.2006 15h04", "01.03.2026 14h30", ""},
		{"nonsense", "", `unknown format "nonsense"`},
	}
	for _, tt := range tests {
		got, err := formatTime(tm, tt.format)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("formatTime(%q) err = %v", tt.format, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("formatTime(%q) = %q, %v; want %q", tt.format, got, err, tt.want)
		}
	}
}

func TestAddDuration(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	base := time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)
	beforeDST := time.Date(2026, 3, 28, 12, 0, 0, 0, paris) // DST starts 2026-03-29
	tests := []struct {
		from    time.Time
		dur     string
		want    string
		wantErr string
	}{
		{base, "90m", "2026-01-31T13:30:00Z", ""},
		{base, "-1h30m", "2026-01-31T10:30:00Z", ""},
		{base, "1.5h", "2026-01-31T13:30:00Z", ""},
		{base, "2d12h", "2026-02-03T00:00:00Z", ""},
		{base, "1w", "2026-02-07T12:00:00Z", ""},
		{base, "P1M", "2026-03-03T12:00:00Z", ""}, // Go normalises Feb 31
		{base, "P1Y2M3DT4H5M6.5S", "2027-04-03T16:05:06.5Z", ""},
		{base, "-P1D", "2026-01-30T12:00:00Z", ""},
		{base, "p2w", "2026-02-14T12:00:00Z", ""},
		{beforeDST, "1d", "2026-03-29T12:00:00+02:00", ""},
		{beforeDST, "24h", "2026-03-29T13:00:00+02:00", ""},
		{base, "1.5d", "", "whole numbers"},
		{base, "3 days", "", "cannot read duration"},
		{base, "P", "", "ISO 8601"},
		{base, "PT", "", "ISO 8601"},
		{base, "", "", "duration is required"},
	}
	for _, tt := range tests {
		d, err := parseDuration(tt.dur)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseDuration(%q) err = %v, want %q", tt.dur, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseDuration(%q): %v", tt.dur, err)
			continue
		}
		if got := d.addTo(tt.from).Format(time.RFC3339Nano); got != tt.want {
			t.Errorf("%s + %q = %s, want %s", tt.from, tt.dur, got, tt.want)
		}
	}
}
