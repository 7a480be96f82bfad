package sdk

// registry holds everything a plugin registered. A plugin instance runs one
// call at a time, so it needs no locking.
type registry struct {
	tools        ordered[toolEntry]
	prompts      ordered[promptEntry]
	resources    ordered[resourceEntry]
	templates    ordered[templateEntry]
	completion   CompletionFunc
	rootsChanged func()
}

var reg registry

// ordered is a map that remembers insertion order, so lists come out in
// registration order.
type ordered[T any] struct {
	keys []string
	m    map[string]T
}

func (o *ordered[T]) put(k string, v T) {
	if o.m == nil {
		o.m = map[string]T{}
	}
	if _, ok := o.m[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.m[k] = v
}

func (o *ordered[T]) get(k string) (T, bool) {
	v, ok := o.m[k]
	return v, ok
}

func (o *ordered[T]) remove(k string) bool {
	if _, ok := o.m[k]; !ok {
		return false
	}
	delete(o.m, k)
	for i, key := range o.keys {
		if key == k {
			o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
			break
		}
	}
	return true
}

// values returns the entries in registration order, never nil.
func (o *ordered[T]) values() []T {
	out := make([]T, 0, len(o.keys))
	for _, k := range o.keys {
		out = append(out, o.m[k])
	}
	return out
}
