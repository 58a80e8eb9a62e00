package handlers_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"dbcollab/static"
)

// Every GET route, as the route table lists them, answers HEAD as it answers GET: the
// same status, type and redirect, without a body.
func TestHeadAnswersLikeGetOnEveryGetRoute(t *testing.T) {
	w := newMatrixWorld(t, false)
	routes := 0
	for _, served := range w.h.server.Routes().Routes() {
		if served.Method != http.MethodGet {
			continue
		}
		i := slicesIndex(served.Path)
		if i < 0 {
			t.Errorf("GET %s has no row in the authorization matrix", served.Path)
			continue
		}
		route := matrixRoutes[i]
		routes++
		t.Run(served.Path, func(t *testing.T) {
			for _, r := range []role{anonymous, owner} {
				answer := func(method string) *response {
					c := w.newCase(t, route, r, dbName)
					if route.setup != nil {
						route.setup(c)
					}
					_, path := c.request(route)
					return c.sendTo(method, path)
				}
				get, head := answer(http.MethodGet), answer(http.MethodHead)
				if head.status != get.status || head.header.Get("Location") != get.header.Get("Location") ||
					mediaType(head) != mediaType(get) {
					t.Errorf("as %s: HEAD %d %q to %q, GET %d %q to %q", r,
						head.status, mediaType(head), head.header.Get("Location"), get.status, mediaType(get), get.header.Get("Location"))
				}
				if head.body != "" {
					t.Errorf("as %s: HEAD has a body of %d bytes", r, len(head.body))
				}
			}
		})
	}
	if routes < 10 {
		t.Errorf("only %d GET routes", routes)
	}
}

func slicesIndex(path string) int {
	for i, r := range matrixRoutes {
		if r.method == http.MethodGet && r.path == path {
			return i
		}
	}
	return -1
}

func mediaType(r *response) string {
	t, _, _ := strings.Cut(r.header.Get("Content-Type"), ";")
	return t
}

// A health checker's HEAD on the home page or the log-in page gets what GET gets, and no
// body, nor does a HEAD on the stylesheet (8 KB: more than the server buffers before
// writing): the answer that follows on the same connection starts right after its headers.
func TestHeadOnHomeAndLogin(t *testing.T) {
	h := newHarness(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	heads := []string{"/", "/login", static.URL("app.css")}
	for _, path := range heads {
		fmt.Fprintf(conn, "HEAD %s HTTP/1.1\r\nHost: dbcollab.test\r\n\r\n", path)
	}
	fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: dbcollab.test\r\n\r\n")
	in := bufio.NewReader(conn)
	want := map[string]string{"/": "303 /login", "/login": "200 text/html", static.URL("app.css"): "200 text/css"}
	for _, path := range heads {
		res, err := http.ReadResponse(in, &http.Request{Method: http.MethodHead})
		if err != nil {
			t.Fatal(err)
		}
		got := strconv.Itoa(res.StatusCode) + " " + res.Header.Get("Location")
		if res.StatusCode == http.StatusOK {
			got = strconv.Itoa(res.StatusCode) + " " + strings.Split(res.Header.Get("Content-Type"), ";")[0]
		}
		if got != want[path] {
			t.Errorf("HEAD %s: %s, want %s", path, got, want[path])
		}
	}
	res, err := http.ReadResponse(in, &http.Request{Method: http.MethodGet})
	if err != nil {
		t.Fatalf("the answer after the HEADs: %v (a HEAD sent a body?)", err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Errorf("GET /healthz after the HEADs: %d %q", res.StatusCode, body)
	}
}
