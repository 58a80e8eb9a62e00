package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"

	urfave "github.com/urfave/cli/v3"
	"golang.org/x/term"
)

func loginCommand() *urfave.Command {
	return &urfave.Command{
		Name:  "login",
		Usage: "log in to the API and keep a token for the other commands",
		UsageText: "dbcollab login [--api-url URL] --email EMAIL    (password from stdin, or prompted in a terminal)\n" +
			"dbcollab login [--api-url URL] --api-token -    (token from stdin, or prompted in a terminal)\n" +
			"dbcollab login [--api-url URL] --api-token TOKEN    (readable by other users of the machine: avoid)",
		Description: "Keeps the API's URL and an API token in $XDG_CONFIG_HOME/dbcollab/auth.json\n" +
			"(~/.config/dbcollab/auth.json without XDG_CONFIG_HOME), readable by you only.\n" +
			"DBCOLLAB_API_URL and DBCOLLAB_API_TOKEN override what is kept there.\n\n" +
			"A token given as --api-token TOKEN can be read by other users of the machine in the\n" +
			"process list (ps, /proc/PID/cmdline). Prefer --api-token - and the token on standard\n" +
			"input, or no login at all: set DBCOLLAB_API_TOKEN (and DBCOLLAB_API_URL) instead.",
		Flags: []urfave.Flag{
			&urfave.StringFlag{Name: "api-url", Value: DefaultAPIURL, Usage: "`URL` of the dbcollab server", Sources: urfave.EnvVars("DBCOLLAB_API_URL")},
			&urfave.StringFlag{Name: "email", Usage: "e-mail `ADDRESS` of your account"},
			&urfave.StringFlag{Name: "api-token", Usage: "an API `TOKEN` created on the dashboard's account page, instead of --email; - reads it from standard input (prefer it, or DBCOLLAB_API_TOKEN: a token written here is visible to other users of the machine)"},
		},
		OnUsageError: OnUsageError,
		Action:       login,
	}
}

// tokenOnCommandLine warns, after a log-in with --api-token TOKEN, that the token was exposed.
const tokenOnCommandLine = "Warning: a token on the command line can be read by other users of this machine; " +
	"next time pipe it to dbcollab login --api-token -, or set DBCOLLAB_API_TOKEN"

func login(ctx context.Context, cmd *urfave.Command) error {
	if _, err := arguments(cmd); err != nil {
		return err
	}
	apiURL, err := parseAPIURL(cmd.String("api-url"))
	if err != nil {
		return usage(cmd, "%v", err)
	}
	email, token := strings.TrimSpace(cmd.String("email")), strings.TrimSpace(cmd.String("api-token"))
	switch {
	case email != "" && token != "":
		return usage(cmd, "Give either --email or --api-token, not both")
	case email == "" && token == "":
		return usage(cmd, "Missing --email (or --api-token)")
	}
	w := cmd.Root().Writer
	if token != "" {
		onCommandLine := token != "-"
		if !onCommandLine {
			if token, err = readSecret(cmd.Root().Reader, cmd.Root().ErrWriter, "API token"); err != nil {
				return err
			}
		}
		// Check the token before keeping it: a typo would otherwise only show on the next command.
		if err := NewClient(apiURL, token).Databases(ctx); err != nil {
			return explainLogin(err, "The API token was refused by "+shown(apiURL))
		}
		path, err := saveCredentials(Credentials{APIURL: apiURL, Token: token})
		if err != nil {
			return err
		}
		// Only a token that works is worth the warning: a refused one opens nothing.
		if onCommandLine {
			warn(cmd.Root().ErrWriter, tokenOnCommandLine)
		}
		return say(w, "Logged in on %s with the API token (kept in %s)", shown(apiURL), path)
	}
	password, err := readSecret(cmd.Root().Reader, cmd.Root().ErrWriter, "password")
	if err != nil {
		return err
	}
	token, err = NewClient(apiURL, "").CreateToken(ctx, email, password)
	if err != nil {
		return explainLogin(err, "Wrong e-mail or password")
	}
	path, err := saveCredentials(Credentials{APIURL: apiURL, Token: token})
	if err != nil {
		return err
	}
	return say(w, "Logged in as %s on %s (token kept in %s)", email, shown(apiURL), path)
}

// parseAPIURL accepts an http(s) URL with a host, and drops a trailing slash. An empty
// one (DBCOLLAB_API_URL set to nothing) is the default.
func parseAPIURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return DefaultAPIURL, nil
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if s, ok := shownURL(raw); ok {
			return "", fmt.Errorf("The API URL must be an http:// or https:// URL, like %s, not %q", DefaultAPIURL, s)
		}
		return "", fmt.Errorf("The API URL must be an http:// or https:// URL, like %s", DefaultAPIURL)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

func explainLogin(err error, refused string) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	switch {
	case apiErr.Status == http.StatusUnauthorized && apiErr.fromAPI:
		return errors.New(refused)
	case apiErr.Status == http.StatusTooManyRequests && apiErr.fromAPI:
		return errors.New(apiErr.Message) // the log-in throttle says how long to wait
	}
	return unexpected(apiErr)
}

// readSecret reads the first line of a piped stdin, or prompts for what (a password, an
// API token) without echo when stdin is a terminal.
func readSecret(in io.Reader, prompt io.Writer, what string) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return promptSecret(int(f.Fd()), prompt, what)
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("Cannot read the %s from standard input: %w", what, err)
	}
	secret := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if what != "password" { // a password may begin or end with a space; a token never does
		secret = strings.TrimSpace(secret)
	}
	if secret == "" {
		return "", fmt.Errorf("No %s on standard input: pipe it in, or run dbcollab login in a terminal to be prompted", what)
	}
	return secret, nil
}

// promptSecret turns echo off while the secret is typed, and back on even when the
// prompt is left with Ctrl-C, which would otherwise leave the terminal silent.
func promptSecret(fd int, prompt io.Writer, what string) (string, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("Cannot prompt for the %s: %w", what, err)
	}
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt)
	defer signal.Stop(interrupted)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-interrupted:
			term.Restore(fd, state)
			fmt.Fprintln(prompt)
			os.Exit(130) // what a shell reports for a process ended by SIGINT
		case <-done:
		}
	}()
	fmt.Fprint(prompt, strings.ToUpper(what[:1])+what[1:]+": ")
	secret, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("Cannot read the %s: %w", what, err)
	}
	return string(secret), nil
}
