package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"dbcollab/internal/pgtest"
)

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = "/usr/bin/chromium"

var (
	// repoRoot is the module's root, where the binary is built from.
	repoRoot string
	// binary is the dbcollab binary built once for the whole run.
	binary string
	// allocator starts the one Chromium every test shares; nil without Chromium.
	allocator context.Context
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	runDir, err := os.MkdirTemp("", "dbcollab-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(runDir)

	if repoRoot, err = filepath.Abs(".."); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	binary = filepath.Join(runDir, "dbcollab")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build: %v\n%s", err, out)
		return 1
	}

	if _, err := os.Stat(chromiumPath); err == nil {
		browserTmp := filepath.Join(runDir, "chromium-tmp")
		if err := os.Mkdir(browserTmp, 0o700); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 1
		}
		ctx, cancel := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(chromiumPath),
			chromedp.Headless,
			chromedp.NoSandbox, // Chromium refuses to start as root with its sandbox.
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("password-store", "basic"),
			chromedp.Flag("hide-scrollbars", true),
			chromedp.WindowSize(1280, 800),
			chromedp.UserDataDir(filepath.Join(runDir, "chromium-profile")),
			// Otherwise Chromium leaves org.chromium.Chromium.* folders in the system temp dir.
			chromedp.Env("TMPDIR="+browserTmp),
		)
		// Cancelling waits for Chromium to exit, before runDir goes.
		defer cancel()
		allocator = ctx
	}
	// pgtest stops the PostgreSQL cluster of the tests that started one.
	return pgtest.Main(m)
}
