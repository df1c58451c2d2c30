package zenvia

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// DefaultMaxFileBytes is the largest file Messaging.Send sends unless
// WithMaxFileBytes says otherwise: 16 MiB, WhatsApp's limit for audio and
// video.
const DefaultMaxFileBytes = 16 << 20

// WithMaxFileBytes caps each file Messaging.Send sends (default
// DefaultMaxFileBytes): a larger one fails with an input error before
// anything is sent.
func WithMaxFileBytes(n int64) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if n <= 0 {
			return leadkit.Invalid("maxFileBytes", "must be positive, got %d", n)
		}
		c.maxFile = n
		return nil
	})}
}

// File is a file sent to a prospect ("Send file", the multipart field
// "file").
type File struct {
	// Name is the file name the prospect sees ("orcamento.pdf"); required.
	Name string
	// ContentType is the file's media type; when empty it is told from the
	// first bytes (http.DetectContentType).
	ContentType string
	// Data holds the content. When nil, Reader is read instead.
	Data []byte
	// Reader, used when Data is nil, is read once, as it is copied into the
	// request, through the cap (WithMaxFileBytes): the file is never held
	// twice, and reading stops one byte past the cap.
	Reader io.Reader
}

func (f *File) request(c *Client, base []string) (*transport.Request, error) {
	body, ctype, err := f.multipart(c.cfg.maxFile)
	if err != nil {
		return nil, err
	}
	return &transport.Request{Path: append(base, "send-file"), Body: body, ContentType: ctype}, nil
}

// multipart returns the multipart/form-data body with the file in the
// field "file", and its content type.
func (f *File) multipart(maxFile int64) ([]byte, string, error) {
	if strings.TrimSpace(f.Name) == "" {
		return nil, "", leadkit.Invalid("file.name", "is required")
	}
	if strings.ContainsAny(f.Name, "\r\n\x00") {
		return nil, "", leadkit.Invalid("file.name", "must not hold a line break or NUL")
	}
	src, head, size, err := f.source(maxFile)
	if err != nil {
		return nil, "", err
	}
	ctype := f.ContentType
	if ctype == "" {
		ctype = http.DetectContentType(head)
	} else if _, _, err := mime.ParseMediaType(ctype); err != nil {
		return nil, "", leadkit.Invalid("file.contentType", "%q is not a media type", ctype)
	}
	var buf bytes.Buffer
	buf.Grow(int(size) + 512)
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": f.Name}))
	h.Set("Content-Type", ctype)
	part, err := mw.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	n, err := io.Copy(part, io.LimitReader(src, maxFile+1))
	if err != nil {
		return nil, "", fmt.Errorf("zenvia: reading file %q: %w", f.Name, err)
	}
	if n > maxFile {
		return nil, "", leadkit.Invalid("file", "%q is larger than the cap of %d bytes (WithMaxFileBytes)", f.Name, maxFile)
	}
	if n == 0 {
		return nil, "", leadkit.Invalid("file", "%q is empty", f.Name)
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// source returns the reader of the file, its first bytes (to tell its
// type) and the size to reserve.
func (f *File) source(maxFile int64) (io.Reader, []byte, int64, error) {
	switch {
	case f.Data != nil:
		if int64(len(f.Data)) > maxFile {
			return nil, nil, 0, leadkit.Invalid("file", "%q has %d bytes, more than the cap of %d (WithMaxFileBytes)", f.Name, len(f.Data), maxFile)
		}
		return bytes.NewReader(f.Data), f.Data, int64(len(f.Data)), nil
	case f.Reader != nil:
		br := bufio.NewReaderSize(f.Reader, 4096)
		head, _ := br.Peek(512)
		return br, head, 64 << 10, nil
	}
	return nil, nil, 0, leadkit.Invalid("file", "%q has neither Data nor Reader", f.Name)
}
