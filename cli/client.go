package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"dbcollab/links"
)

// requestTimeout bounds one API call, so that a server that accepts the connection and
// never answers does not hang the terminal.
const requestTimeout = 30 * time.Second

// maxAnswer bounds how much of an answer is read: the API's answers are a few kilobytes.
const maxAnswer = 1 << 20

// Client calls the dbcollab JSON API (/v1) on behalf of one API token.
type Client struct {
	// BaseURL is the API's URL without the /v1 prefix or a trailing slash.
	BaseURL string
	Token   string
	HTTP    *http.Client
}

// NewClient returns a client for the API at baseURL. It does not follow redirects: the
// API never redirects, so a redirect means the URL points at something else, and
// following it could carry the token elsewhere.
func NewClient(baseURL, token string) *Client {
	return &Client{
		BaseURL: strings.TrimSuffix(baseURL, "/"),
		Token:   token,
		HTTP: &http.Client{
			Timeout:       requestTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// ID is an identifier as the API sends it. The contract does not say whether ids are
// JSON strings or numbers, so both are accepted and kept as text.
type ID string

func (id *ID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*id = ID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("an id must be a string or a number, not %s", b)
	}
	*id = ID(n.String())
	return nil
}

// Database is the part of the API's database the commands use.
type Database struct {
	ID    ID       `json:"id"`
	Name  string   `json:"name"`
	Owner APIOwner `json:"owner"`
}

// APIOwner is the owner of a database.
type APIOwner struct {
	Email string `json:"email"`
}

// Collaborator is a row of a database's collaborators: the owner, an accepted
// collaborator or a pending invitation.
type Collaborator struct {
	ID    ID     `json:"id"`
	Email string `json:"email"`
	// Username is nil while the invitation is pending.
	Username *string `json:"username"`
	Status   string  `json:"status"`
	Role     string  `json:"role"`
}

// APIError is an answer with a status other than the one expected.
type APIError struct {
	Status int
	// Message is the API's {"error": ...}, or else a short excerpt of the body.
	Message string
	// Fields are the API's {"errors": {"email": ["is invalid"]}}.
	Fields map[string][]string
	// fromAPI is true when the answer is the API's JSON error, not some other server's page.
	fromAPI bool
}

func (e *APIError) Error() string {
	status := strconv.Itoa(e.Status) + " " + http.StatusText(e.Status)
	if e.Message == "" {
		return status
	}
	return status + ": " + e.Message
}

// UnreachableError is a request that got no answer at all.
type UnreachableError struct {
	BaseURL string
	Err     error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("Could not reach the API at %s: %v", shown(e.BaseURL), e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// CreateToken exchanges an e-mail address and password for a new API token.
func (c *Client) CreateToken(ctx context.Context, email, password string) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	in := map[string]string{"email": email, "password": password}
	if err := c.do(ctx, http.MethodPost, links.APITokens, in, &out); err != nil {
		return "", err
	}
	if out.Token == "" {
		return "", &APIError{Status: http.StatusCreated, Message: `the answer has no "token"`}
	}
	return out.Token, nil
}

// RevokeToken revokes the client's own token on the server: it stops working at once.
func (c *Client) RevokeToken(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, links.APICurrentToken, nil, nil)
}

// Databases lists the databases the token's user owns or collaborates on; login uses it
// to check a token before storing it.
func (c *Client) Databases(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, links.APIDatabases, nil, nil)
}

// Database looks a database up by name or ID.
func (c *Client) Database(ctx context.Context, ref string) (Database, error) {
	var out struct {
		Database *Database `json:"database"`
	}
	if err := c.do(ctx, http.MethodGet, links.APIDatabase(ref), nil, &out); err != nil {
		return Database{}, err
	}
	if out.Database == nil || out.Database.ID == "" || out.Database.Name == "" {
		return Database{}, &APIError{Status: http.StatusOK, Message: `the answer has no "database" with an "id" and a "name"`}
	}
	return *out.Database, nil
}

// Collaborators lists a database's collaborators, the owner first.
func (c *Client) Collaborators(ctx context.Context, ref string) ([]Collaborator, error) {
	var out struct {
		Collaborators *[]Collaborator `json:"collaborators"`
	}
	if err := c.do(ctx, http.MethodGet, links.APICollaborators(ref), nil, &out); err != nil {
		return nil, err
	}
	if out.Collaborators == nil {
		return nil, &APIError{Status: http.StatusOK, Message: `the answer has no "collaborators"`}
	}
	return *out.Collaborators, nil
}

// Invite invites an address to collaborate on a database.
func (c *Client) Invite(ctx context.Context, ref, email string) (Collaborator, error) {
	var out struct {
		Collaborator Collaborator `json:"collaborator"`
	}
	in := map[string]map[string]string{"collaborator": {"email": email}}
	err := c.do(ctx, http.MethodPost, links.APICollaborators(ref), in, &out)
	return out.Collaborator, err
}

// TransferOwnership makes the accepted collaborator email the owner of a database, and
// returns the database as it is now.
func (c *Client) TransferOwnership(ctx context.Context, ref, email string) (Database, error) {
	var out struct {
		Database Database `json:"database"`
	}
	err := c.do(ctx, http.MethodPost, links.APIOwner(ref), map[string]string{"email": email}, &out)
	return out.Database, err
}

// Event is one membership change of a database.
type Event struct {
	Type string `json:"type"`
	// Actor is the username of who did it; nil for what nobody did (an expiry).
	Actor  *string   `json:"actor"`
	Target string    `json:"target"`
	At     time.Time `json:"at"`
}

// Events returns page (from 1) of a database's membership events, newest first.
func (c *Client) Events(ctx context.Context, ref string, page int) ([]Event, error) {
	var out struct {
		Events *[]Event `json:"events"`
	}
	if err := c.do(ctx, http.MethodGet, links.APIEvents(ref)+"?page="+strconv.Itoa(page), nil, &out); err != nil {
		return nil, err
	}
	if out.Events == nil {
		return nil, &APIError{Status: http.StatusOK, Message: `the answer has no "events"`}
	}
	return *out.Events, nil
}

// Revoke removes a collaborator, cancels an invitation, or (on one's own row) leaves.
func (c *Client) Revoke(ctx context.Context, ref string, id ID) error {
	return c.do(ctx, http.MethodDelete, links.APICollaborator(ref, string(id)), nil, nil)
}

// do sends in as JSON (if not nil), and decodes a 2xx answer into out (if not nil).
// Anything else is an *APIError or an *UnreachableError.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, body)
	if err != nil {
		return fmt.Errorf("Invalid API URL %q: %w", shown(c.BaseURL), unwrapURLError(err))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "dbcollab-cli")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return &UnreachableError{BaseURL: c.BaseURL, Err: unwrapURLError(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return &UnreachableError{BaseURL: c.BaseURL, Err: unwrapURLError(err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return answerError(resp, data)
	}
	if out == nil {
		return nil
	}
	if !isJSON(resp) {
		return &APIError{Status: resp.StatusCode, Message: "the answer is not JSON but " + contentType(resp)}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &APIError{Status: resp.StatusCode, Message: "the answer is not the expected JSON: " + err.Error()}
	}
	return nil
}

// answerError reads the API's {"error", "errors"}, or, from something that is not the
// API, keeps the first line of what it said.
func answerError(resp *http.Response, data []byte) *APIError {
	e := &APIError{Status: resp.StatusCode}
	var body struct {
		Error  string              `json:"error"`
		Errors map[string][]string `json:"errors"`
	}
	if isJSON(resp) && json.Unmarshal(data, &body) == nil && body.Error != "" {
		e.Message, e.Fields, e.fromAPI = body.Error, body.Errors, true
		return e
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		e.Message = "redirected to " + shown(loc)
		return e
	}
	if m := htmlTitle.FindSubmatch(data); m != nil {
		e.Message = fmt.Sprintf("a web page titled %q", html.UnescapeString(strings.TrimSpace(string(m[1]))))
		return e
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(data)), "\n")
	if r := []rune(line); len(r) > 200 {
		line = string(r[:200]) + "..."
	}
	e.Message = line
	return e
}

// htmlTitle finds a web page's title: a page where JSON was expected says most by it.
var htmlTitle = regexp.MustCompile(`(?is)<title>(.*?)</title>`)

func isJSON(resp *http.Response) bool {
	media, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return err == nil && media == "application/json"
}

func contentType(resp *http.Response) string {
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		return ct
	}
	return "an unlabelled body"
}

// unwrapURLError drops the `Get "http://...":` prefix: the message names the URL itself.
func unwrapURLError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

// DatabaseCredentials is how the token's user connects to a database's PostgreSQL.
type DatabaseCredentials struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Database string `json:"database"`
	User     string `json:"user"`
	URI      string `json:"uri"`
	// Password is only in the answer of a reset: dbcollab keeps no copy of it.
	Password string `json:"password"`
}

// credentialsAnswer is the API's answer: the credentials and whose they are.
type credentialsAnswer struct {
	Credentials *DatabaseCredentials `json:"credentials"`
	Username    string               `json:"username"`
}

// Credentials returns the token's user's credentials on a database, without password,
// and the user's username.
func (c *Client) Credentials(ctx context.Context, ref string) (DatabaseCredentials, string, error) {
	var out credentialsAnswer
	if err := c.do(ctx, http.MethodGet, links.APICredentials(ref), nil, &out); err != nil {
		return DatabaseCredentials{}, "", err
	}
	return out.check(http.StatusOK, false)
}

// ResetCredentials gives the token's user a new password on a database (the previous
// one stops working) and returns the credentials with it.
func (c *Client) ResetCredentials(ctx context.Context, ref string) (DatabaseCredentials, string, error) {
	var out credentialsAnswer
	if err := c.do(ctx, http.MethodPost, links.APICredentials(ref), nil, &out); err != nil {
		return DatabaseCredentials{}, "", err
	}
	return out.check(http.StatusCreated, true)
}

func (a credentialsAnswer) check(status int, withPassword bool) (DatabaseCredentials, string, error) {
	c := a.Credentials
	if c == nil || c.Host == "" || c.Port == 0 || c.Database == "" || c.User == "" || c.URI == "" || a.Username == "" {
		return DatabaseCredentials{}, "", &APIError{Status: status,
			Message: `the answer has no "credentials" with "host", "port", "database", "user" and "uri", or no "username"`}
	}
	if withPassword && c.Password == "" {
		return DatabaseCredentials{}, "", &APIError{Status: status, Message: `the answer has no "password"`}
	}
	return *c, a.Username, nil
}
