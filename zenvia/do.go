package zenvia

import (
	"context"
	"net/http"
	"regexp"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// get sends a GET and decodes the JSON answer into out.
func (c *Client) get(ctx context.Context, path []string, q any, out any) error {
	resp, err := c.t.Do(ctx, &transport.Request{Method: http.MethodGet, Path: path, Query: q})
	if err != nil {
		return err
	}
	return resp.DecodeJSON(out)
}

// send sends a request with a JSON body and decodes the answer into out when
// out is not nil and the answer has a body.
func (c *Client) send(ctx context.Context, method string, path []string, body any, out any) error {
	req := &transport.Request{Method: method, Path: path, JSON: body}
	resp, err := c.t.Do(ctx, req)
	if err != nil {
		return err
	}
	if out == nil || resp.StatusCode == http.StatusNoContent || len(trimSpace(resp.Body)) == 0 {
		return nil
	}
	return resp.DecodeJSON(out)
}

var hex24 = regexp.MustCompile(`^[0-9a-fA-F]{24}$`)

// checkID validates a Zenvia object id (a 24-character hexadecimal string,
// not a UUID) before it goes into a URL.
func checkID(field, id string) error {
	if !hex24.MatchString(id) {
		if len(id) > 40 {
			id = id[:40] + "…"
		}
		return leadkit.Invalid(field, "%q is not a 24-character hexadecimal id", id)
	}
	return nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}
