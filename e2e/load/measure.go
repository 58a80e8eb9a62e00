package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// browserHeaders are what a browser sends with a same-origin GET: its cookies, the
// fetch metadata the CSRF check reads, and the encodings it accepts.
func browserHeaders(cookies string) http.Header {
	return http.Header{
		"Cookie":          {cookies},
		"Sec-Fetch-Site":  {"same-origin"},
		"Accept-Encoding": {"gzip, deflate, br, zstd"},
		"User-Agent":      {"dbcollab-load"},
	}
}

// loadClient keeps at most conns keep-alive connections to the server and counts the
// connections it had to open. It does not decompress: bodies are read and dropped as
// they come, so that the client spends as little of the machine as it can.
type loadClient struct {
	http  *http.Client
	dials atomic.Int64
}

func newLoadClient(conns int) *loadClient {
	c := &loadClient{}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	c.http = &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				c.dials.Add(1)
				return dialer.DialContext(ctx, network, addr)
			},
			MaxConnsPerHost:     conns,
			MaxIdleConnsPerHost: conns,
			DisableCompression:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c
}

// result is what one phase of load measured.
type result struct {
	requests, errors int
	firstError       string
	elapsed          time.Duration
	latencies        []time.Duration // sorted
	bytes            int64           // response bytes read, as sent (compressed)
	serverCPU        time.Duration   // CPU time the server used meanwhile
}

// cpuPerRequest is the server's CPU time per request: unlike throughput, it hardly
// depends on what else the machine runs.
func (r result) cpuPerRequest() time.Duration {
	if r.requests == 0 {
		return 0
	}
	return r.serverCPU / time.Duration(r.requests)
}

func (r result) perSecond() float64 { return float64(r.requests) / r.elapsed.Seconds() }

func (r result) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
}

func (r result) String() string {
	s := fmt.Sprintf("%.0f/s, p50 %s, p99 %s, %d requests", r.perSecond(), ms(r.percentile(0.50)), ms(r.percentile(0.99)), r.requests)
	if r.requests > 0 {
		s += fmt.Sprintf(" of %s as sent", kb(int(r.bytes/int64(r.requests))))
	}
	if r.errors > 0 {
		s += fmt.Sprintf(", %d errors (first: %s)", r.errors, r.firstError)
	}
	return s
}

// load runs conns workers that each send the request newRequest makes and read the
// whole answer, again and again, for duration. An answer whose status is not want is an
// error. serverCPU reads the server's CPU time.
func load(ctx context.Context, c *loadClient, conns int, duration time.Duration, want int, serverCPU func() time.Duration,
	newRequest func() (*http.Request, error)) result {
	var (
		mu  sync.Mutex
		all result
		wg  sync.WaitGroup
	)
	cpuBefore, begin := serverCPU(), time.Now()
	stopAt := begin.Add(duration)
	for range conns {
		wg.Go(func() {
			var mine result
			for {
				start := time.Now()
				if start.After(stopAt) || ctx.Err() != nil {
					break
				}
				status, size, err := send(c, newRequest)
				mine.requests++
				mine.bytes += size
				mine.latencies = append(mine.latencies, time.Since(start))
				if err == nil && status != want {
					err = fmt.Errorf("status %d, want %d", status, want)
				}
				if err != nil {
					mine.errors++
					if mine.firstError == "" {
						mine.firstError = err.Error()
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			all = all.merge(mine)
		})
	}
	wg.Wait()
	all.elapsed, all.serverCPU = time.Since(begin), serverCPU()-cpuBefore
	return all
}

// merge adds o's measurements to r's.
func (r result) merge(o result) result {
	r.requests += o.requests
	r.errors += o.errors
	r.bytes += o.bytes
	r.elapsed += o.elapsed
	r.serverCPU += o.serverCPU
	if r.firstError == "" {
		r.firstError = o.firstError
	}
	r.latencies = append(r.latencies, o.latencies...)
	slices.Sort(r.latencies)
	return r
}

func send(c *loadClient, newRequest func() (*http.Request, error)) (int, int64, error) {
	req, err := newRequest()
	if err != nil {
		return 0, 0, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	size, err := io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, size, err
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
