// Command dbcollab serves the collaborators dashboard of dedicated PostgreSQL databases,
// and is the command-line client of its API.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v3"

	"dbcollab/access"
	dbcli "dbcollab/cli"
	"dbcollab/mailer"
	"dbcollab/server"
	"dbcollab/service"
)

func main() {
	err := root().Run(context.Background(), os.Args)
	os.Exit(dbcli.ExitCode(os.Stderr, err))
}

func root() *cli.Command {
	return &cli.Command{
		Name:         "dbcollab",
		Usage:        "share a dedicated PostgreSQL database with the people you work with",
		Flags:        []cli.Flag{dbcli.DatabaseFlag()},
		Commands:     append([]*cli.Command{serveCommand(), storeCopyCommand()}, dbcli.Commands()...),
		Action:       dbcli.RootAction,
		OnUsageError: dbcli.OnUsageError,
		// main reports every error once, with its exit status, through dbcli.ExitCode.
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
	}
}

func serveCommand() *cli.Command {
	env := func(name string) cli.ValueSourceChain { return cli.EnvVars("DBCOLLAB_" + name) }
	return &cli.Command{
		Name:         "serve",
		Usage:        "run the dashboard",
		OnUsageError: dbcli.OnUsageError,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "localhost:8080", Usage: "address to listen on", Sources: env("ADDR")},
			&cli.StringFlag{Name: "db", Value: "dbcollab.db", Usage: "SQLite file, or a postgres:// URL for PostgreSQL", Sources: env("DB")},
			&cli.StringFlag{Name: "base-url", Usage: "public URL of the dashboard, for links in e-mails (default: from --addr)", Sources: env("BASE_URL")},
			&cli.StringFlag{Name: "smtp-url", Usage: "smtp://[user:pass@]host:port to send e-mail (default: print e-mails to the log)", Sources: env("SMTP_URL")},
			&cli.StringFlag{Name: "mail-from", Value: "dbcollab <no-reply@localhost>", Usage: "sender of the e-mails", Sources: env("MAIL_FROM")},
			&cli.StringFlag{Name: "session-secret", Usage: "secret the session cookie keys and the access token key derive from (default: generated once, kept in the database)", Sources: env("SESSION_SECRET")},
			&cli.StringFlag{Name: "session-secret-file", Usage: "file holding the session secret, instead of --session-secret", Sources: env("SESSION_SECRET_FILE")},
			&cli.BoolFlag{Name: "demo", Usage: "on an empty database, create demo accounts and data", Sources: env("DEMO")},
			&cli.DurationFlag{Name: "invite-ttl", Value: service.DefaultInviteTTL, Usage: "how long an invitation link works after it was last sent", Sources: env("INVITE_TTL")},
			&cli.IntFlag{Name: "invite-limit", Value: service.DefaultInviteLimit, Usage: "invitations and resends per database per rolling 24 hours (0: no limit)", Sources: env("INVITE_LIMIT")},
			&cli.StringFlag{Name: "trusted-proxies", Usage: "CIDR[,CIDR…] of reverse proxies whose X-Forwarded-For gives the client address (default: none)", Sources: env("TRUSTED_PROXIES")},
			&cli.DurationFlag{Name: "outbox-retention", Value: mailer.DefaultRetention, Usage: "how long delivered and refused e-mails are kept, without their bodies (0: for good)", Sources: env("OUTBOX_RETENTION")},
			&cli.IntFlag{Name: "invite-limit-per-inviter", Value: service.DefaultInviteLimitPerInviter, Usage: "invitations and resends one account sends per rolling 24 hours, across databases (0: no limit)", Sources: env("INVITE_LIMIT_PER_INVITER")},
			&cli.DurationFlag{Name: "session-ttl", Value: service.DefaultSessionTTL, Usage: "how long a dashboard session lasts without being used", Sources: env("SESSION_TTL")},
			&cli.IntFlag{Name: "invite-limit-per-recipient", Value: service.DefaultInviteLimitPerRecipient, Usage: "invitation e-mails one address receives per rolling 24 hours, across databases (0: no limit)", Sources: env("INVITE_LIMIT_PER_RECIPIENT")},
			&cli.StringFlag{Name: "postgres-url", Usage: "postgres://ADMIN@HOST:PORT/postgres of the PostgreSQL server the databases live on (default: none attached)", Sources: env("POSTGRES_URL")},
			&cli.DurationFlag{Name: "postgres-reconcile-every", Value: access.DefaultReconcileEvery, Usage: "how often PostgreSQL's roles and databases are compared with the dashboard's and repaired (0: at start only)", Sources: env("POSTGRES_RECONCILE_EVERY")},
			&cli.DurationFlag{Name: "drain", Usage: "on SIGTERM or SIGINT, keep serving this long with /healthz answering 503, for a load balancer to stop sending requests before the listener closes (0: close it at once)", Sources: env("DRAIN")},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
			defer stop()
			log := slog.New(slog.NewTextHandler(os.Stderr, nil))
			return server.Run(ctx, serveConfig(cmd), log, os.Stdout)
		},
	}
}

// serveConfig reads the serve command's flags, each from its flag or its environment variable.
func serveConfig(cmd *cli.Command) server.Config {
	return server.Config{
		Addr:                    cmd.String("addr"),
		DBPath:                  cmd.String("db"),
		BaseURL:                 cmd.String("base-url"),
		SMTPURL:                 cmd.String("smtp-url"),
		MailFrom:                cmd.String("mail-from"),
		SessionSecret:           cmd.String("session-secret"),
		SessionSecretFile:       cmd.String("session-secret-file"),
		Demo:                    cmd.Bool("demo"),
		InviteTTL:               cmd.Duration("invite-ttl"),
		InviteLimit:             cmd.Int("invite-limit"),
		TrustedProxies:          cmd.String("trusted-proxies"),
		OutboxRetention:         cmd.Duration("outbox-retention"),
		InviteLimitPerInviter:   cmd.Int("invite-limit-per-inviter"),
		InviteLimitPerRecipient: cmd.Int("invite-limit-per-recipient"),
		PostgresURL:             cmd.String("postgres-url"),
		PostgresReconcileEvery:  cmd.Duration("postgres-reconcile-every"),
		SessionTTL:              cmd.Duration("session-ttl"),
		Drain:                   cmd.Duration("drain"),
	}
}
