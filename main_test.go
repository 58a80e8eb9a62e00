package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v3"

	"dbcollab/server"
)

// parseServe runs the serve command's flag parsing with args and returns its config.
func parseServe(t *testing.T, args ...string) server.Config {
	t.Helper()
	cmd := serveCommand()
	var got server.Config
	cmd.Action = func(_ context.Context, c *cli.Command) error {
		got = serveConfig(c)
		return nil
	}
	if err := cmd.Run(t.Context(), append([]string{"serve"}, args...)); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestEveryServeFlagIsAlsoReadFromItsEnvironmentVariable(t *testing.T) {
	for _, f := range serveCommand().Flags {
		name := f.Names()[0]
		want := "DBCOLLAB_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		sourced, ok := f.(interface{ GetEnvVars() []string })
		if !ok || len(sourced.GetEnvVars()) != 1 || sourced.GetEnvVars()[0] != want {
			t.Errorf("--%s: environment variables %v, want [%s]", name, sourced.GetEnvVars(), want)
		}
	}
}

func TestServeDefaults(t *testing.T) {
	got := parseServe(t)
	want := server.Config{Addr: "localhost:8080", DBPath: "dbcollab.db", MailFrom: "dbcollab <no-reply@localhost>",
		InviteTTL: 168 * time.Hour, InviteLimit: 50, OutboxRetention: 720 * time.Hour,
		InviteLimitPerInviter: 100, InviteLimitPerRecipient: 5, PostgresReconcileEvery: 5 * time.Minute, SessionTTL: 720 * time.Hour}
	if got != want {
		t.Errorf("defaults = %+v, want %+v", got, want)
	}
}

func TestServeReadsTheEnvironmentAndFlagsWin(t *testing.T) {
	for name, value := range map[string]string{
		"ADDR": "127.0.0.1:9999", "DB": "/tmp/env.db", "BASE_URL": "https://db.example.com",
		"SMTP_URL": "smtp://mail.example.com:2525", "MAIL_FROM": "ops@example.com", "SESSION_SECRET": "s3cret",
		"SESSION_SECRET_FILE": "/run/secrets/dbcollab", "DEMO": "true", "INVITE_TTL": "90m", "INVITE_LIMIT": "0",
		"OUTBOX_RETENTION": "48h", "TRUSTED_PROXIES": "10.0.0.0/8",
		"INVITE_LIMIT_PER_INVITER": "0", "INVITE_LIMIT_PER_RECIPIENT": "9", "SESSION_TTL": "12h",
		"POSTGRES_URL": "postgres://admin@pg.example.com:5432/postgres", "POSTGRES_RECONCILE_EVERY": "1m",
	} {
		t.Setenv("DBCOLLAB_"+name, value)
	}
	want := server.Config{Addr: "127.0.0.1:9999", DBPath: "/tmp/env.db", BaseURL: "https://db.example.com",
		SMTPURL: "smtp://mail.example.com:2525", MailFrom: "ops@example.com", SessionSecret: "s3cret",
		SessionSecretFile: "/run/secrets/dbcollab", Demo: true, InviteTTL: 90 * time.Minute, InviteLimit: 0, OutboxRetention: 48 * time.Hour, TrustedProxies: "10.0.0.0/8",
		InviteLimitPerInviter: 0, InviteLimitPerRecipient: 9, SessionTTL: 12 * time.Hour,
		PostgresURL: "postgres://admin@pg.example.com:5432/postgres", PostgresReconcileEvery: time.Minute}
	if got := parseServe(t); got != want {
		t.Errorf("from the environment = %+v, want %+v", got, want)
	}
	want.Addr, want.InviteLimit = "127.0.0.1:7777", 7
	if got := parseServe(t, "--addr", "127.0.0.1:7777", "--invite-limit", "7"); got != want {
		t.Errorf("flags over the environment = %+v, want %+v", got, want)
	}
}

// TestReadmeConfigurationTableListsEveryServeFlagWithItsDefault: the README's
// Configuration table has one row per serve flag, and its default is the real one: a
// default in backticks parses to what no flag gives, and "none"/"off"/words stand for
// the zero value.
func TestReadmeConfigurationTableListsEveryServeFlagWithItsDefault(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, _ := strings.Cut(string(readme), "\n## Configuration\n")
	table, _, _ = strings.Cut(table, "\n\n**")
	defaults := map[string][]string{}
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, " | ")
		if len(cells) < 3 || !strings.HasPrefix(cells[0], "| `--") {
			continue
		}
		name := strings.Trim(strings.TrimPrefix(cells[0], "| "), "`-")
		defaults[name] = append(defaults[name], cells[1])
	}
	builtIn := parseServe(t)
	for _, f := range serveCommand().Flags {
		name := f.Names()[0]
		rows := defaults[name]
		delete(defaults, name)
		if len(rows) != 1 {
			t.Errorf("--%s: %d rows in the README's Configuration table, want 1", name, len(rows))
			continue
		}
		value, quoted := strings.CutPrefix(rows[0], "`")
		if quoted {
			value = strings.TrimSuffix(value, "`")
		} else if _, ok := f.(*cli.BoolFlag); ok {
			value = "false"
		} else if _, ok := f.(*cli.StringFlag); !ok {
			t.Errorf("--%s: README default %q is not a value", name, rows[0])
			continue
		} else {
			value = ""
		}
		if got := parseServe(t, "--"+name+"="+value); got != builtIn {
			t.Errorf("--%s: README default %q, but the built-in default differs from it", name, rows[0])
		}
	}
	for name := range defaults {
		t.Errorf("--%s is in the README's Configuration table but not a serve flag", name)
	}
}
