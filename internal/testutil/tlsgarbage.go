package testutil

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// TLSGarbage is what a broken TLS server (or a middlebox) writes after it
// read the request: bytes the client's TLS layer refuses once the handshake
// is over.
type TLSGarbage int

// The kinds of garbage.
const (
	// TLSPlaintext is a plaintext HTTP answer on the TLS connection (a
	// record header that is not one).
	TLSPlaintext TLSGarbage = iota
	// TLSGarbled is an application-data record of random bytes (it fails
	// decryption: bad record MAC).
	TLSGarbled
	// TLSOversized is a record header announcing more than TLS allows.
	TLSOversized
)

// String names the kind.
func (g TLSGarbage) String() string {
	return [...]string{"plaintext", "garbled record", "oversized record"}[g]
}

// WriteTLSGarbage answers the request of w, served over TLS (HTTP/1.1) by
// an http.Server, with garbage written on the raw connection beneath TLS,
// and closes it. The caller has read the request (its body too).
func WriteTLSGarbage(w http.ResponseWriter, kind TLSGarbage) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	var b []byte
	switch kind {
	case TLSPlaintext:
		b = []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
	case TLSGarbled:
		b = append([]byte{0x17, 0x03, 0x03, 0x00, 0x40}, make([]byte, 0x40)...)
		for i := 5; i < len(b); i++ {
			b[i] = byte(i * 37)
		}
	case TLSOversized:
		b = []byte{0x17, 0x03, 0x03, 0xff, 0xff, 0x00, 0x00, 0x00}
	}
	_, _ = raw.Write(b)
	// Let the client read the bytes before the connection goes.
	if tc, ok := raw.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	time.Sleep(20 * time.Millisecond)
	_ = raw.Close()
}
