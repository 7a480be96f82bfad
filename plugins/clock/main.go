package main

import (
	"encoding/json"
	"errors"
	"time"
	_ "time/tzdata" // wasip1 has no zoneinfo on disk

	"github.com/toolhost/toolhost/sdk"
)

const (
	timeDesc   = `A time: "now", RFC 3339 ("2026-03-01T14:30:00+01:00"), a date-time without offset ("2026-03-01 14:30", read in from_timezone), a date ("2026-03-01"), RFC 1123, or Unix seconds ("1767225600").`
	zoneDesc   = `IANA time zone name ("Europe/Paris", "America/New_York", "UTC") or a fixed offset ("+05:30").`
	formatDesc = `Output format: rfc3339 (default), rfc3339nano, rfc1123, rfc1123z, rfc822z, ansic, kitchen, datetime ("2006-01-02 15:04:05"), date, time, unix, unix_ms, or a Go layout string built from the reference time "Mon Jan 2 15:04:05 MST 2006".`
)

var nowSchema = json.RawMessage(`{
	"type": "object",
	"properties": {
		"timezone": {"type": "string", "default": "UTC", "description": ` + quote(zoneDesc) + `},
		"format": {"type": "string", "default": "rfc3339", "description": ` + quote(formatDesc) + `}
	},
	"additionalProperties": false
}`)

var convertSchema = json.RawMessage(`{
	"type": "object",
	"properties": {
		"time": {"type": "string", "description": ` + quote(timeDesc) + `},
		"to_timezone": {"type": "string", "description": ` + quote("Zone to convert to: "+zoneDesc) + `},
		"from_timezone": {"type": "string", "default": "UTC", "description": "Zone of a time written without offset; ignored when the time has one."},
		"format": {"type": "string", "default": "rfc3339", "description": ` + quote(formatDesc) + `}
	},
	"required": ["time", "to_timezone"],
	"additionalProperties": false
}`)

var addSchema = json.RawMessage(`{
	"type": "object",
	"properties": {
		"time": {"type": "string", "description": ` + quote(timeDesc) + `},
		"duration": {"type": "string", "description": "Signed duration to add: Go style with days and weeks (\"90m\", \"-1h30m\", \"2d12h\", \"1w\") or ISO 8601 (\"P1Y2M3DT4H\", \"-P1D\"). Days, weeks, months and years are calendar units (DST-aware; month overflow normalises, so 2026-01-31 + P1M = 2026-03-03); the rest are exact."},
		"from_timezone": {"type": "string", "default": "UTC", "description": "Zone of a time written without offset, and the zone calendar units are counted in when the time is \"now\" or Unix seconds."},
		"format": {"type": "string", "default": "rfc3339", "description": ` + quote(formatDesc) + `}
	},
	"required": ["time", "duration"],
	"additionalProperties": false
}`)

var timeOutput = json.RawMessage(`{
	"type": "object",
	"properties": {
		"time": {"type": "string", "description": "The time in the requested format."},
		"rfc3339": {"type": "string"},
		"timezone": {"type": "string"},
		"utc_offset": {"type": "string"},
		"unix": {"type": "integer"}
	},
	"required": ["time", "rfc3339", "timezone", "utc_offset", "unix"]
}`)

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func init() {
	sdk.AddTool(sdk.Tool{
		Name:         "now",
		Title:        "Current time",
		Description:  "Return the current date and time in a time zone (default UTC), in RFC 3339 or another format.",
		InputSchema:  nowSchema,
		OutputSchema: timeOutput,
		Annotations:  &sdk.ToolAnnotations{ReadOnlyHint: sdk.Bool(true), OpenWorldHint: sdk.Bool(false)},
	}, func(c *sdk.Call) (*sdk.Result, error) {
		var a struct{ Timezone, Format string }
		if err := c.Bind(&a); err != nil {
			return nil, err
		}
		loc, err := loadZone(a.Timezone)
		if err != nil {
			return nil, err
		}
		now, err := currentTime()
		if err != nil {
			return nil, err
		}
		return result(now.In(loc), a.Format)
	})
	sdk.AddTool(sdk.Tool{
		Name:         "convert",
		Title:        "Convert time zone",
		Description:  "Convert a time to another time zone, e.g. \"2026-03-01 09:00\" in America/New_York to Asia/Tokyo.",
		InputSchema:  convertSchema,
		OutputSchema: timeOutput,
		Annotations:  &sdk.ToolAnnotations{ReadOnlyHint: sdk.Bool(true), OpenWorldHint: sdk.Bool(false)},
	}, func(c *sdk.Call) (*sdk.Result, error) {
		var a struct {
			Time         string `json:"time"`
			ToTimezone   string `json:"to_timezone"`
			FromTimezone string `json:"from_timezone"`
			Format       string `json:"format"`
		}
		if err := c.Bind(&a); err != nil {
			return nil, err
		}
		from, err := loadZone(a.FromTimezone)
		if err != nil {
			return nil, err
		}
		if a.ToTimezone == "" {
			return nil, errors.New("to_timezone is required")
		}
		to, err := loadZone(a.ToTimezone)
		if err != nil {
			return nil, err
		}
		t, err := parseTime(a.Time, from)
		if err != nil {
			return nil, err
		}
		return result(t.In(to), a.Format)
	})
	sdk.AddTool(sdk.Tool{
		Name:         "add",
		Title:        "Add duration",
		Description:  "Add (or, when negative, subtract) a duration to a time, e.g. \"now\" + \"2d3h\" or \"2026-01-31\" + \"P1M\".",
		InputSchema:  addSchema,
		OutputSchema: timeOutput,
		Annotations:  &sdk.ToolAnnotations{ReadOnlyHint: sdk.Bool(true), OpenWorldHint: sdk.Bool(false)},
	}, func(c *sdk.Call) (*sdk.Result, error) {
		var a struct {
			Time         string `json:"time"`
			Duration     string `json:"duration"`
			FromTimezone string `json:"from_timezone"`
			Format       string `json:"format"`
		}
		if err := c.Bind(&a); err != nil {
			return nil, err
		}
		from, err := loadZone(a.FromTimezone)
		if err != nil {
			return nil, err
		}
		t, err := parseTime(a.Time, from)
		if err != nil {
			return nil, err
		}
		d, err := parseDuration(a.Duration)
		if err != nil {
			return nil, err
		}
		return result(d.addTo(t), a.Format)
	})
}

// result renders t as the tools' common result.
func result(t time.Time, format string) (*sdk.Result, error) {
	s, err := formatTime(t, format)
	if err != nil {
		return nil, err
	}
	return sdk.TextResult(s).Structured(map[string]any{
		"time":       s,
		"rfc3339":    t.Format(time.RFC3339Nano),
		"timezone":   t.Location().String(),
		"utc_offset": t.Format("-07:00"),
		"unix":       t.Unix(),
	}), nil
}

func main() {}
