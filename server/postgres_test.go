package server

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"dbcollab/internal/pgtest"
	"dbcollab/internal/testkit"
	"dbcollab/internal/teststore"
	"dbcollab/service"
)

func TestMain(m *testing.M) { os.Exit(teststore.Main(m)) }

// serve --demo --postgres-url makes my-dedicated-db on the server, with roles for its
// owner and its collaborator, and neither the log nor the output shows the admin's password.
func TestDemoWithPostgresURLCreatesTheDatabaseOnTheServer(t *testing.T) {
	cluster := pgtest.Start(t)
	var logged, out testkit.SyncBuffer
	cfg := Config{Addr: "127.0.0.1:0", DBPath: filepath.Join(t.TempDir(), "dbcollab.db"), Demo: true,
		PostgresURL: cluster.AdminURL(), PostgresReconcileEvery: time.Minute}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := Run(ctx, cfg, slog.New(slog.NewTextHandler(&logged, nil)), &out); err != nil {
			t.Error(err)
		}
	})
	defer func() { cancel(); wg.Wait() }()

	admin, err := pgx.Connect(t.Context(), cluster.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	deadline := time.Now().Add(time.Minute) // the demo's bcrypt is slow under -race
	for {
		var members int
		err := admin.QueryRow(t.Context(), `SELECT count(*) FROM pg_database d JOIN pg_auth_members am ON am.roleid = d.datdba
			JOIN pg_roles m ON m.oid = am.member WHERE d.datname = $1 AND m.rolcanlogin`, service.DemoDatabase).Scan(&members)
		if err != nil {
			t.Fatal(err)
		}
		if members == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s on the server has %d login members after a minute, want 2 (user1, user2)", service.DemoDatabase, members)
		}
		time.Sleep(20 * time.Millisecond)
	}
	u, _ := pgx.ParseConfig(cluster.AdminURL())
	if all := logged.String() + out.String(); strings.Contains(all, u.Password) {
		t.Errorf("the admin's password was shown:\n%s", all)
	}
}
