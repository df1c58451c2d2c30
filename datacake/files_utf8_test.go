package datacake_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
)

// TestUploadFileNameNotUTF8Refused: UploadFiles writes its JSON body by
// hand (to stream the base64), past the core's check of JSON bodies: a file
// name that is not UTF-8 ("relat\xf3rio.pdf" from a Windows-1252 disk)
// went out with U+FFFD in place of its byte. It is refused naming the
// field, before anything is sent.
func TestUploadFileNameNotUTF8Refused(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	_, err := c.Prospects.UploadFiles(context.Background(), "5001", datacake.File{Name: "relat\xf3rio.pdf", Data: pdfBytes})
	var ie *leadkit.InputError
	require.True(t, errors.As(err, &ie), "%v", err)
	assert.Equal(t, "arquivos[0].nome", ie.Field)
	assert.Equal(t, 0, mock.GetTotalCallCount())
}
