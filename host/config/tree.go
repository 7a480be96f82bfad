package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"
)

// The three formats are first turned into one tree of nodes that remembers
// source lines, so that one decoder checks every format the same way.

type kind uint8

const (
	kNull kind = iota
	kBool
	kInt
	kFloat
	kString
	kList
	kMap
	kOther // a value no setting accepts: TOML dates, YAML binary or custom tags
)

// Limits that keep a hostile file (deep nesting, YAML alias bombs) from
// using unbounded time or memory.
const (
	maxDepth = 100
	maxNodes = 100_000
)

type node struct {
	kind    kind
	text    string // scalars: the value as written; kOther: what it is
	b       bool
	i       int64
	f       float64
	line    int // 1-based; 0 if unknown
	list    []*node
	entries []entry // kMap, in source order, without repeated keys
	dropped int     // kMap: entries left out after reporting them (bad or repeated keys)
}

type entry struct {
	key  string
	line int // line of the key
	val  *node
}

func present(n *node) bool { return n != nil && n.kind != kNull }

// describe names the kind of n for type errors. It never shows the value,
// which may be a secret.
func describe(n *node) string {
	if n == nil {
		return "nothing"
	}
	switch n.kind {
	case kNull:
		return "nothing (null)"
	case kBool:
		return "true/false"
	case kInt, kFloat:
		return "a number"
	case kString:
		return "a string"
	case kList:
		return "a list"
	case kMap:
		return "a map"
	default:
		return n.text
	}
}

// spend counts one more node against the limits. It reports the first
// overrun and returns false from then on.
func (d *decoder) spend(line int, path string, depth int) bool {
	if d.overrun {
		return false
	}
	d.nodes++
	switch {
	case d.nodes > maxNodes:
		d.errorf(line, path, "the file has more than %d values (after expanding YAML aliases): split it up or remove repeated aliases", maxNodes)
	case depth > maxDepth:
		d.errorf(line, path, "values are nested more than %d levels deep: no setting needs that, so check the structure", maxDepth)
	default:
		return true
	}
	d.overrun = true
	return false
}

func (d *decoder) yamlTree(data []byte) (*node, *Error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &node{kind: kNull}, nil
		}
		return nil, &Error{Source: d.source, Msg: "not valid YAML: " + oneLine(err.Error())}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, &Error{Source: d.source, Msg: "not valid YAML: " + oneLine(err.Error())}
		}
		return nil, &Error{Source: d.source, Line: line, Msg: "the file holds more than one YAML document: keep the whole configuration in one document (remove the second ---)"}
	}
	return d.fromYAML(&doc, "", 0), nil
}

func (d *decoder) fromYAML(y *yaml.Node, path string, depth int) *node {
	if !d.spend(y.Line, path, depth) {
		return &node{kind: kNull, line: y.Line}
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &node{kind: kNull, line: y.Line}
		}
		return d.fromYAML(y.Content[0], path, depth+1)
	case yaml.AliasNode:
		if y.Alias == nil {
			return &node{kind: kNull, line: y.Line}
		}
		n := d.fromYAML(y.Alias, path, depth+1)
		c := *n
		c.line = y.Line
		return &c
	case yaml.SequenceNode:
		n := &node{kind: kList, line: y.Line}
		for i, item := range y.Content {
			n.list = append(n.list, d.fromYAML(item, index(path, i), depth+1))
		}
		return n
	case yaml.MappingNode:
		n := &node{kind: kMap, line: y.Line}
		seen := map[string]int{}
		var merges []*yaml.Node
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
				merges = append(merges, v)
				continue
			}
			key, ok := yamlKey(k)
			if !ok {
				d.errorf(k.Line, path, "a key must be a plain string, not a list, map or null: rewrite the key")
				n.dropped++
				continue
			}
			if first, dup := seen[key]; dup {
				d.errorf(k.Line, child(path, key), "duplicate key: it is already set on line %d; remove one of them", n.entries[first].line)
				n.dropped++
				continue
			}
			seen[key] = len(n.entries)
			n.entries = append(n.entries, entry{key: key, line: k.Line, val: d.fromYAML(v, child(path, key), depth+1)})
		}
		// Merge keys (<<: *base) add the keys a map does not set itself;
		// earlier merges win over later ones.
		for _, m := range merges {
			merged := d.fromYAML(m, path, depth+1)
			sources := []*node{merged}
			if merged.kind == kList {
				sources = merged.list
			}
			for _, src := range sources {
				if src.kind != kMap {
					d.errorf(m.Line, path, "<< must merge a map or a list of maps, got %s", describe(src))
					continue
				}
				for _, e := range src.entries {
					if _, dup := seen[e.key]; !dup {
						seen[e.key] = len(n.entries)
						n.entries = append(n.entries, e)
					}
				}
			}
		}
		return n
	case yaml.ScalarNode:
		n := &node{text: y.Value, line: y.Line}
		switch tag := y.ShortTag(); tag {
		case "!!null":
			n.kind = kNull
		case "!!bool":
			n.kind = kBool
			if y.Decode(&n.b) != nil {
				n.kind = kString
			}
		case "!!int":
			n.kind = kInt
			if y.Decode(&n.i) != nil {
				n.kind = kFloat // too large for int64
				if y.Decode(&n.f) != nil {
					n.kind = kString
				}
			}
		case "!!float":
			n.kind = kFloat
			if y.Decode(&n.f) != nil {
				n.kind = kString
			}
		case "!!str", "!!timestamp":
			n.kind = kString
		default:
			n.kind = kOther
			n.text = "a value tagged " + tag
		}
		return n
	default:
		return &node{kind: kNull, line: y.Line}
	}
}

func yamlKey(k *yaml.Node) (string, bool) {
	for range maxDepth {
		if k.Kind != yaml.AliasNode || k.Alias == nil {
			break
		}
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!null" {
		return "", false
	}
	return k.Value, true
}

// jsonTree reads JSON token by token, which keeps lines and catches
// repeated keys (encoding/json keeps the last one silently).
func (d *decoder) jsonTree(data []byte) (*node, *Error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return &node{kind: kNull}, nil
	}
	c := &jsonConv{d: d, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	c.dec.UseNumber()
	for i, b := range data {
		if b == '\n' {
			c.newlines = append(c.newlines, i)
		}
	}
	n, err := c.value("", 0)
	if err == nil {
		if _, extra := c.dec.Token(); !errors.Is(extra, io.EOF) {
			return nil, &Error{Source: d.source, Line: c.line(c.dec.InputOffset()), Msg: "not valid JSON: there is more after the top-level object; remove it"}
		}
		return n, nil
	}
	if err == errStop {
		return n, nil // the limits were hit and reported
	}
	e := &Error{Source: d.source, Msg: "not valid JSON: " + oneLine(err.Error())}
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		e.Line = c.line(syn.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		e.Msg = "not valid JSON: the file ends in the middle of a value; close every { and ["
	}
	return nil, e
}

var errStop = errors.New("limits reached")

type jsonConv struct {
	d        *decoder
	data     []byte
	dec      *json.Decoder
	newlines []int
}

// line returns the line of the byte before offset (the end of the last
// token read).
func (c *jsonConv) line(offset int64) int {
	at := int(offset) - 1
	return sort.SearchInts(c.newlines, at) + 1
}

func (c *jsonConv) value(path string, depth int) (*node, error) {
	tok, err := c.dec.Token()
	if err != nil {
		return nil, err
	}
	line := c.line(c.dec.InputOffset())
	if !c.d.spend(line, path, depth) {
		return &node{kind: kNull, line: line}, errStop
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: kMap, line: line}
			seen := map[string]int{}
			for c.dec.More() {
				ktok, err := c.dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := ktok.(string) // object keys are always strings
				kline := c.line(c.dec.InputOffset())
				v, err := c.value(child(path, key), depth+1)
				if err != nil {
					return n, err
				}
				if first, dup := seen[key]; dup {
					c.d.errorf(kline, child(path, key), "duplicate key: it is already set on line %d; remove one of them", n.entries[first].line)
					n.dropped++
					continue
				}
				seen[key] = len(n.entries)
				n.entries = append(n.entries, entry{key: key, line: kline, val: v})
			}
			_, err := c.dec.Token() // }
			return n, err
		default: // '['
			n := &node{kind: kList, line: line}
			for i := 0; c.dec.More(); i++ {
				v, err := c.value(index(path, i), depth+1)
				if err != nil {
					return n, err
				}
				n.list = append(n.list, v)
			}
			_, err := c.dec.Token() // ]
			return n, err
		}
	case string:
		return &node{kind: kString, text: t, line: line}, nil
	case json.Number:
		n := &node{text: t.String(), line: line}
		if i, err := t.Int64(); err == nil {
			n.kind, n.i = kInt, i
		} else {
			f, _ := t.Float64()
			n.kind, n.f = kFloat, f
		}
		return n, nil
	case bool:
		return &node{kind: kBool, b: t, text: strconv.FormatBool(t), line: line}, nil
	default: // nil
		return &node{kind: kNull, line: line}, nil
	}
}

// tomlTree decodes TOML with go-toml. TOML values carry no line numbers;
// syntax errors do.
func (d *decoder) tomlTree(data []byte) (*node, *Error) {
	var m map[string]any
	if err := toml.Unmarshal(data, &m); err != nil {
		e := &Error{Source: d.source, Msg: "not valid TOML: " + oneLine(err.Error())}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			e.Line, _ = de.Position()
		}
		return nil, e
	}
	if m == nil {
		return &node{kind: kNull}, nil
	}
	return d.fromAny(m, "", 0), nil
}

func (d *decoder) fromAny(v any, path string, depth int) *node {
	if !d.spend(0, path, depth) {
		return &node{kind: kNull}
	}
	switch t := v.(type) {
	case nil:
		return &node{kind: kNull}
	case string:
		return &node{kind: kString, text: t}
	case bool:
		return &node{kind: kBool, b: t, text: strconv.FormatBool(t)}
	case int64:
		return &node{kind: kInt, i: t, text: strconv.FormatInt(t, 10)}
	case float64:
		return &node{kind: kFloat, f: t, text: formatFloat(t)}
	case map[string]any:
		n := &node{kind: kMap}
		for _, k := range slices.Sorted(maps.Keys(t)) {
			n.entries = append(n.entries, entry{key: k, val: d.fromAny(t[k], child(path, k), depth+1)})
		}
		return n
	case []any:
		n := &node{kind: kList}
		for i, item := range t {
			n.list = append(n.list, d.fromAny(item, index(path, i), depth+1))
		}
		return n
	case time.Time, toml.LocalDate, toml.LocalTime, toml.LocalDateTime:
		return &node{kind: kOther, text: "a TOML date or time (quote it to make it a string)"}
	default:
		// go-toml may produce typed slices or maps; walk them generically.
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Slice, reflect.Array:
			items := make([]any, rv.Len())
			for i := range items {
				items[i] = rv.Index(i).Interface()
			}
			return d.fromAny(items, path, depth)
		case reflect.Map:
			if rv.Type().Key().Kind() == reflect.String {
				m := make(map[string]any, rv.Len())
				for _, k := range rv.MapKeys() {
					m[k.String()] = rv.MapIndex(k).Interface()
				}
				return d.fromAny(m, path, depth)
			}
		}
		return &node{kind: kOther, text: fmt.Sprintf("a TOML value of type %T", v)}
	}
}

func formatFloat(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
