package sdk

import (
	"testing"
)

// fakeHost records notifications and answers requests from canned JSON.
type fakeHost struct {
	answers map[string]string // host function -> JSON answer
	errs    map[string]error
	sent    []sent
	cfg     map[string]string
}

type sent struct {
	fn      string
	payload string
}

func (f *fakeHost) answer(fn string, req []byte) ([]byte, error) {
	f.sent = append(f.sent, sent{fn, string(req)})
	if err := f.errs[fn]; err != nil {
		return nil, err
	}
	return []byte(f.answers[fn]), nil
}

func (f *fakeHost) createElicitation(req []byte) ([]byte, error) {
	return f.answer("create_elicitation", req)
}
func (f *fakeHost) createMessage(req []byte) ([]byte, error) { return f.answer("create_message", req) }
func (f *fakeHost) requestInput(req []byte) ([]byte, error)  { return f.answer("request_input", req) }
func (f *fakeHost) listRoots() ([]byte, error)               { return f.answer("list_roots", nil) }
func (f *fakeHost) notifyLoggingMessage(m []byte) {
	f.sent = append(f.sent, sent{"notify_logging_message", string(m)})
}
func (f *fakeHost) notifyProgress(m []byte) {
	f.sent = append(f.sent, sent{"notify_progress", string(m)})
}
func (f *fakeHost) notifyToolListChanged() {
	f.sent = append(f.sent, sent{"notify_tool_list_changed", ""})
}
func (f *fakeHost) notifyPromptListChanged() {
	f.sent = append(f.sent, sent{"notify_prompt_list_changed", ""})
}
func (f *fakeHost) notifyResourceListChanged() {
	f.sent = append(f.sent, sent{"notify_resource_list_changed", ""})
}
func (f *fakeHost) notifyResourceUpdated(m []byte) {
	f.sent = append(f.sent, sent{"notify_resource_updated", string(m)})
}
func (f *fakeHost) config(k string) (string, bool) { v, ok := f.cfg[k]; return v, ok }

// withFakes gives the test an empty registry and a fake host, restoring both
// afterwards.
func withFakes(t *testing.T) *fakeHost {
	t.Helper()
	oldReg, oldHost := reg, host
	f := &fakeHost{answers: map[string]string{}, errs: map[string]error{}, cfg: map[string]string{}}
	reg, host = registry{}, f
	t.Cleanup(func() { reg, host = oldReg, oldHost })
	return f
}
