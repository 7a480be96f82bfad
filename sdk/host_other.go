//go:build !wasip1

package sdk

// defaultBridge outside wasm: host requests report ErrNoHost and
// notifications are dropped.
type defaultBridge struct{}

func (defaultBridge) requestInput([]byte) ([]byte, error)      { return nil, ErrNoHost }
func (defaultBridge) createElicitation([]byte) ([]byte, error) { return nil, ErrNoHost }
func (defaultBridge) createMessage([]byte) ([]byte, error)     { return nil, ErrNoHost }
func (defaultBridge) listRoots() ([]byte, error)               { return nil, ErrNoHost }
func (defaultBridge) notifyLoggingMessage([]byte)              {}
func (defaultBridge) notifyProgress([]byte)                    {}
func (defaultBridge) notifyToolListChanged()                   {}
func (defaultBridge) notifyPromptListChanged()                 {}
func (defaultBridge) notifyResourceListChanged()               {}
func (defaultBridge) notifyResourceUpdated([]byte)             {}
func (defaultBridge) config(string) (string, bool)             { return "", false }
