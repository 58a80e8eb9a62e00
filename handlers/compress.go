package handlers

import (
	"bytes"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"

	"dbcollab/static"
)

// minCompressed is the smallest answer worth compressing: below it the CPU and the gzip
// header buy next to nothing.
const minCompressed = 1024

// compress gzips text answers of 1 KB and more for clients that accept it, at the
// fastest level of klauspost/compress's gzip: the tab's first page of 50 rows (41.7 KB)
// shrinks to 4.4 KB in about 46 µs, where the standard library's fastest level took
// 113-150 µs for the same size (2 Dec 2026). Static assets come compressed already,
// once, at the best level (package static).
//
// The answer is held in memory and compressed whole, by one of a few writers: a gzip
// writer weighs about 1 MB, and compressing is CPU-bound, so one per core is enough.
// (Echo's gzip middleware compresses as the answer is written, with a writer per answer
// in flight: 32 of them under the load of 32 connections.) Answers that stream are not
// expected here: this writer cannot flush.
//
// BREACH, the attack on compressed pages that hold a secret next to text an attacker
// chooses, does not apply: the only secret our pages hold is the CSRF token. Browsers
// that send Sec-Fetch-Site get a constant placeholder instead (see csrf). Older ones get
// their session's token, which a cross-site page can bring into an answer only by
// navigating the whole window (the session cookie is SameSite=Lax), once per guess of the
// many the attack needs. The session cookie and API tokens in headers are not
// compressed; an API token in a body is shown once.
func compress(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isStaticAsset(c) {
			return next(c)
		}
		res := c.Response()
		res.Header().Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
		if !acceptsGzip(c) {
			return next(c)
		}
		held := &heldAnswer{ResponseWriter: res.Writer, body: answerBuffers.Get().(*bytes.Buffer)}
		res.Writer = held
		sent := false
		defer func() {
			res.Writer = held.ResponseWriter
			if !sent {
				// An error or a panic: none of the answer went out, so the error page can.
				res.Committed, res.Status, res.Size = false, 0, 0
			}
			putAnswerBuffer(held.body)
		}()
		if err := next(c); err != nil {
			return err
		}
		sent = true
		return held.send()
	}
}

func acceptsGzip(c echo.Context) bool {
	return static.AcceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding))
}

// isStaticAsset reports whether the request is for a file of package static, which
// needs neither a user, nor a CSRF token, nor compressing.
func isStaticAsset(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, static.Prefix)
}

// heldAnswer keeps an answer's status and body until send.
type heldAnswer struct {
	http.ResponseWriter
	status int
	body   *bytes.Buffer
}

func (h *heldAnswer) WriteHeader(status int) { h.status = status }

func (h *heldAnswer) Write(p []byte) (int, error) { return h.body.Write(p) }

// send writes the held answer, compressed if it is text and long enough.
func (h *heldAnswer) send() error {
	if h.status == 0 {
		return nil // nothing was answered
	}
	header, body := h.Header(), h.body.Bytes()
	if len(body) >= minCompressed && header.Get(echo.HeaderContentEncoding) == "" && isText(header.Get(echo.HeaderContentType)) {
		zipped := answerBuffers.Get().(*bytes.Buffer)
		defer putAnswerBuffer(zipped)
		if err := gzipInto(zipped, body); err != nil {
			return err
		}
		header.Set(echo.HeaderContentEncoding, "gzip")
		body = zipped.Bytes()
	}
	if len(body) > 0 {
		header.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	}
	h.ResponseWriter.WriteHeader(h.status)
	_, err := h.ResponseWriter.Write(body)
	return err
}

func isText(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.HasPrefix(contentType, echo.MIMEApplicationJSON)
}

// gzipSlots holds the gzip writers, made as first needed, one per core; an empty slot
// makes its writer.
var gzipSlots = func() chan *gzip.Writer {
	slots := make(chan *gzip.Writer, runtime.GOMAXPROCS(0))
	for range cap(slots) {
		slots <- nil
	}
	return slots
}()

// gzipInto compresses src into dst, waiting for a free writer.
func gzipInto(dst *bytes.Buffer, src []byte) error {
	zw := <-gzipSlots
	defer func() { gzipSlots <- zw }()
	if zw == nil {
		zw, _ = gzip.NewWriterLevel(dst, gzip.BestSpeed)
	} else {
		zw.Reset(dst)
	}
	if _, err := zw.Write(src); err != nil {
		return err
	}
	return zw.Close()
}

// answerBuffers keeps the buffers answers are held and compressed in.
var answerBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putAnswerBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledPage {
		buf.Reset()
		answerBuffers.Put(buf)
	}
}
