// Command load measures dbcollab against the performance targets of issue 6 and prints
// each figure next to its target.
//
// It builds the real binary, generates a SQLite file or fills the empty PostgreSQL
// database -db names (an owner with databases of 100 and 1000 collaborators), starts the
// server on a loopback port, signs in as a browser does, and loads it with keep-alive
// connections. Figures that are compared are measured in the same run, in alternating
// rounds, as ratios: absolute times drift on a shared machine. It stops by itself; run
// it from the repository root:
//
//	go run ./e2e/load [-duration 6s] [-conns 32] [-db postgres://USER:PASSWORD@HOST:PORT/EMPTYDB]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type config struct {
	conns    int
	warmup   time.Duration
	duration time.Duration
	rounds   int
	starts   int
	keep     bool
	// db is an empty PostgreSQL store to load instead of a SQLite file.
	db string
}

func main() {
	var cfg config
	flag.IntVar(&cfg.conns, "conns", 32, "concurrent keep-alive connections (and API clients)")
	flag.DurationVar(&cfg.warmup, "warmup", time.Second, "load before each comparison, not measured")
	flag.DurationVar(&cfg.duration, "duration", 6*time.Second, "measured load per figure, split in rounds")
	flag.IntVar(&cfg.rounds, "rounds", 3, "alternating rounds of the two sides of a comparison")
	flag.IntVar(&cfg.starts, "starts", 5, "restarts on the existing database to time start-up")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (binary, databases, server logs)")
	flag.StringVar(&cfg.db, "db", "", "postgres://… of an empty PostgreSQL database to use as the store (default: a SQLite file in the temporary directory)")
	flag.Parse()

	// Bounded whatever happens: every phase is timed, and this is the backstop.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}
