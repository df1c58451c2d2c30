package datacake_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
)

// ValidateFiles is the check UploadFiles runs, for callers (the relay)
// that store files before they are sent.
func TestValidateFiles(t *testing.T) {
	t.Parallel()
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	for name, c := range map[string]struct {
		files []datacake.File
		max   int64
		field string
	}{
		"none":         {nil, 0, "arquivos"},
		"no name":      {[]datacake.File{{Data: pdf}}, 0, "arquivos[0].nome"},
		"no content":   {[]datacake.File{{Name: "a.pdf"}}, 0, "arquivos[0]"},
		"empty":        {[]datacake.File{{Name: "a.pdf", Data: []byte{}}}, 0, "arquivos[0]"},
		"not allowed":  {[]datacake.File{{Name: "a.pdf", Data: pdf}, {Name: "x.exe", Data: []byte("MZ\x90\x00")}}, 0, "arquivos[1]"},
		"over the cap": {[]datacake.File{{Name: "a.pdf", Data: append(pdf, make([]byte, 100)...)}}, 50, "arquivos[0]"},
	} {
		err := datacake.ValidateFiles(c.files, c.max)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, name)
		assert.Equal(t, c.field, ie.Field, name)
	}
	assert.NoError(t, datacake.ValidateFiles([]datacake.File{{Name: "a.pdf", Data: pdf}, {Name: "b.pdf", Reader: bytes.NewReader(pdf)}}, 0))
}
