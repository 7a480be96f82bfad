package sdk

import (
	"maps"
	"testing"
)

func TestURITemplates(t *testing.T) {
	tests := []struct {
		tmpl    string
		uri     string
		want    map[string]string // nil = no match
		compile bool              // false = template must be rejected
	}{
		{"mem://notes/{id}", "mem://notes/7", map[string]string{"id": "7"}, true},
		{"mem://notes/{id}", "mem://notes/", nil, true},
		{"mem://notes/{id}", "mem://notes/a/b", nil, true},
		{"mem://notes/{id}", "mem://notes/a%2Fb", map[string]string{"id": "a/b"}, true},
		{"mem://notes/{id}", "xmem://notes/7", nil, true},
		{"file:///{+path}", "file:///a/b/c.txt", map[string]string{"path": "a/b/c.txt"}, true},
		{"db://{table}/{row}.json", "db://users/42.json", map[string]string{"table": "users", "row": "42"}, true},
		{"db://{table}/{row}.json", "db://users/42xjson", nil, true},
		{"q://x?a={a}", "q://x?a=1", map[string]string{"a": "1"}, true},
		{"static://only", "static://only", map[string]string{}, true},
		{"bad://{?q}", "", nil, false},
		{"bad://{a", "", nil, false},
		{"bad://a}", "", nil, false},
		{"bad://{a}/{a}", "", nil, false},
		{"bad://{}", "", nil, false},
		{"bad://{a}{b}", "", nil, false},
		{"mem://{a}-{b}", "mem://x-y-z", map[string]string{"a": "x-y", "b": "z"}, true},
		{"mem://{a}", "mem://%zz%41", map[string]string{"a": "%zzA"}, true},
		{"mem://{a}", "mem://50%", map[string]string{"a": "50%"}, true},
		{"{+all}", "x://y/z", map[string]string{"all": "x://y/z"}, true},
	}
	for _, tt := range tests {
		m, err := compileTemplate(tt.tmpl)
		if (err == nil) != tt.compile {
			t.Errorf("compileTemplate(%q) err = %v", tt.tmpl, err)
			continue
		}
		if err != nil {
			continue
		}
		got, ok := m.match(tt.uri)
		if ok != (tt.want != nil) || !maps.Equal(got, tt.want) {
			t.Errorf("%q match %q = %v %v, want %v", tt.tmpl, tt.uri, got, ok, tt.want)
		}
	}
}

func TestFilterPrefix(t *testing.T) {
	c := []string{"formal", "casual", "pirate", "Fancy"}
	tests := []struct {
		prefix string
		want   int
	}{{"", 4}, {"f", 2}, {"F", 2}, {"cas", 1}, {"z", 0}}
	for _, tt := range tests {
		got := FilterPrefix(c, tt.prefix)
		if got == nil || len(got) != tt.want {
			t.Errorf("FilterPrefix(%q) = %v", tt.prefix, got)
		}
	}
}
