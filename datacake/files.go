package datacake

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// DefaultMaxFileBytes is the default cap on one uploaded file (decoded).
const DefaultMaxFileBytes = 10 << 20

// Content types the contract allows for uploads: "geralmente imagens (jpg,
// png, gif) ou PDF".
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeGIF  = "image/gif"
	TypePDF  = "application/pdf"
)

// File is one file of "Envio de arquivos (POST)": a document the customer
// attached at sign-up (identity card, proof of address), sent base64
// encoded. The wire shape is inferred (the copy cut it):
//
//	{"id_prospecto": "...", "arquivos": [{"nome": "rg.jpg", "tipo": "image/jpeg", "base64": "..."}]}
//
// The content type is always taken from the bytes (JPEG, PNG, GIF or PDF),
// never from Name or a declared type; anything else is refused before it
// is sent, and again by NewHandler.
type File struct {
	// Name is the file name ("rg-frente.jpg"); required.
	Name string
	// ContentType is ignored when sending: the client tells the type from
	// the bytes. Files the handler hands to an ERP carry the sniffed type.
	ContentType string
	// Data holds the content. When nil, Reader is read instead.
	Data []byte
	// Reader, used when Data is nil, is read once and encoded to base64 as
	// it is read, so that a large PDF is never held twice in memory (once
	// raw, once encoded): only the encoded request body is built.
	Reader io.Reader
}

// SniffContentType returns the content type of b (its first 512 bytes are
// enough) when it is one the contract allows, and an error otherwise.
func SniffContentType(b []byte) (string, error) {
	ct := http.DetectContentType(b)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	switch ct {
	case TypeJPEG, TypePNG, TypeGIF, TypePDF:
		return ct, nil
	}
	return "", fmt.Errorf("content is %s, not JPEG, PNG, GIF or PDF", ct)
}

// uploadBody builds the JSON body of an upload, encoding each file's bytes
// to base64 straight into the body buffer. maxFile caps each decoded file.
func uploadBody(prospectID string, withID bool, files []File, maxFile int64) ([]byte, error) {
	if len(files) == 0 {
		return nil, leadkit.Invalid("arquivos", "at least one file is needed")
	}
	size := 64
	for _, f := range files {
		size += 96 + len(f.Name) + base64.StdEncoding.EncodedLen(len(f.Data))
	}
	var buf bytes.Buffer
	buf.Grow(size)
	buf.WriteByte('{')
	if withID {
		if err := transport.CheckEncodable("id_prospecto", prospectID); err != nil {
			return nil, err
		}
		buf.WriteString(`"id_prospecto":`)
		writeJSONString(&buf, prospectID)
		buf.WriteByte(',')
	}
	buf.WriteString(`"arquivos":[`)
	for i := range files {
		f := &files[i]
		field := fmt.Sprintf("arquivos[%d]", i)
		var src io.Reader
		var head []byte
		if f.Data != nil {
			head = f.Data
			src = bytes.NewReader(f.Data)
		} else if f.Reader != nil {
			br := bufio.NewReaderSize(f.Reader, 4096)
			head, _ = br.Peek(512)
			src = br
		}
		ct, err := checkFile(i, f, head, maxFile)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(`{"nome":`)
		writeJSONString(&buf, f.Name)
		buf.WriteString(`,"tipo":"`)
		buf.WriteString(ct)
		buf.WriteString(`","base64":"`)
		enc := base64.NewEncoder(base64.StdEncoding, &buf)
		n, err := io.Copy(enc, io.LimitReader(src, maxFile+1))
		if err != nil {
			return nil, fmt.Errorf("datacake: reading file %q: %w", f.Name, err)
		}
		if n > maxFile {
			return nil, leadkit.Invalid(field, "file %q is larger than the cap of %d bytes", f.Name, maxFile)
		}
		_ = enc.Close()
		buf.WriteString(`"}`)
	}
	buf.WriteString("]}")
	return buf.Bytes(), nil
}

// ValidateFiles checks files as UploadFiles does before anything is sent
// (for a file given by Reader, UploadFiles checks the rest as it reads):
// at least one; each named, not empty, at most maxFile bytes (0:
// DefaultMaxFileBytes; give what WithMaxFileBytes set) and, by its
// content, a JPEG, PNG, GIF or PDF. The error is an *leadkit.InputError
// naming the file as the contract does (arquivos[i]).
func ValidateFiles(files []File, maxFile int64) error {
	if len(files) == 0 {
		return leadkit.Invalid("arquivos", "at least one file is needed")
	}
	if maxFile <= 0 {
		maxFile = DefaultMaxFileBytes
	}
	for i := range files {
		head := files[i].Data
		if head == nil && files[i].Reader != nil {
			continue // read, and checked, as it is sent
		}
		if _, err := checkFile(i, &files[i], head, maxFile); err != nil {
			return err
		}
	}
	return nil
}

// checkFile is the check of file i whose first bytes are head (all of
// them when it is given by Data); it returns the sniffed content type.
func checkFile(i int, f *File, head []byte, maxFile int64) (string, error) {
	field := fmt.Sprintf("arquivos[%d]", i)
	switch {
	case strings.TrimSpace(f.Name) == "":
		return "", leadkit.Invalid(field+".nome", "must not be empty")
	case transport.CheckEncodable(field+".nome", f.Name) != nil:
		// Not UTF-8: JSON would send it with U+FFFD in place of its bytes.
		return "", transport.CheckEncodable(field+".nome", f.Name)
	case f.Data == nil && f.Reader == nil:
		return "", leadkit.Invalid(field, "file %q has neither Data nor Reader", f.Name)
	case f.Data != nil && int64(len(f.Data)) > maxFile:
		return "", leadkit.Invalid(field, "file %q has %d bytes, more than the cap of %d", f.Name, len(f.Data), maxFile)
	case len(head) == 0:
		return "", leadkit.Invalid(field, "file %q is empty", f.Name)
	}
	ct, err := SniffContentType(head)
	if err != nil {
		return "", leadkit.Invalid(field, "file %q: %v", f.Name, err)
	}
	return ct, nil
}

func writeJSONString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // a string always marshals
	buf.Write(b)
}

// b64 is base64 content on the wire: standard or URL alphabet, padded or
// not, line breaks allowed, and an optional "data:<type>;base64," prefix
// (what browsers' FileReader.readAsDataURL gives).
type b64 []byte

var errNotBase64 = errors.New("datacake: file content is not base64")

func (d *b64) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = nil
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return errNotBase64
	}
	s := b[1 : len(b)-1]
	if bytes.HasPrefix(s, []byte("data:")) {
		i := bytes.Index(s, []byte(";base64,"))
		if i < 0 {
			return errNotBase64
		}
		s = s[i+len(";base64,"):]
	}
	// JSON may escape '/' as "\/" and line breaks as "\n".
	if bytes.IndexByte(s, '\\') >= 0 {
		s = bytes.ReplaceAll(s, []byte(`\/`), []byte(`/`))
		s = bytes.ReplaceAll(s, []byte(`\n`), nil)
		s = bytes.ReplaceAll(s, []byte(`\r`), nil)
	}
	s = bytes.TrimRight(s, "=\r\n")
	enc := base64.RawStdEncoding
	if bytes.ContainsAny(s, "-_") {
		enc = base64.RawURLEncoding
	}
	out := make([]byte, enc.DecodedLen(len(s)))
	n, err := enc.Decode(out, s)
	if err != nil {
		return errNotBase64
	}
	*d = out[:n]
	return nil
}

type fileWire struct {
	Name str `json:"nome"`
	Type str `json:"tipo"`
	Data b64 `json:"base64"`
}

type uploadWire struct {
	ProspectID str        `json:"id_prospecto"`
	Files      []fileWire `json:"arquivos"`
}
