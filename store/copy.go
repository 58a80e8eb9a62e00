package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ErrTargetNotEmpty is Copy refusing a target that already holds data.
var ErrTargetNotEmpty = errors.New("the target already holds data")

// ownTables are the tables Copy does not copy: each store keeps its own.
var ownTables = []string{"schema_migrations"}

// replacedTables are the tables a target may hold rows in and still count as empty:
// settings holds the session secret a server generates on its first start, and the
// source's replaces it, so that people stay signed in across the move.
var replacedTables = []string{"settings"}

// TableCount is how many rows one table holds on each side of a copy.
type TableCount struct {
	Table          string
	Source, Target int64
}

// Copy copies the SQLite store at from into the empty PostgreSQL store at to, in one
// transaction on the target: every table of the source's schema, IDs kept, identity
// sequences moved past the largest ID, then every table counted on both sides. It
// applies the source's pending migrations first, and refuses a source that is not a
// dbcollab store, one a newer dbcollab wrote, and a target that holds data.
func Copy(ctx context.Context, from, to string) ([]TableCount, error) {
	if err := checkSource(ctx, from); err != nil {
		return nil, err
	}
	if !isPostgresURL(to) {
		return nil, errors.New("store: copy: --to must be a postgres:// URL")
	}
	// Both schemas brought up to date by the usual door, then used directly.
	for _, dsn := range []string{from, to} {
		st, err := Open(dsn)
		if err != nil {
			return nil, err
		}
		st.Close()
	}
	return copyStore(ctx, from, to)
}

// copyStore is Copy on two stores whose schemas are current.
func copyStore(ctx context.Context, from, to string) ([]TableCount, error) {
	src, err := sql.Open("sqlite", "file:"+(&url.URL{Path: from}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, fmt.Errorf("store: copy: open %s: %w", from, err)
	}
	defer src.Close()
	dst, err := sql.Open("pgx", to)
	if err != nil {
		return nil, fmt.Errorf("store: copy: open the target: %w", err)
	}
	defer dst.Close()

	// One snapshot of the source for the rows and the counts alike.
	srcTx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: copy: read %s: %w", from, err)
	}
	defer srcTx.Rollback()
	tables, err := sourceTables(ctx, srcTx)
	if err != nil {
		return nil, err
	}
	dstTx, err := dst.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: copy: begin on the target: %w", err)
	}
	defer dstTx.Rollback()
	c := copier{src: srcTx, dst: dstTx}
	counts, err := c.copy(ctx, tables)
	if err != nil {
		return nil, err
	}
	if err := dstTx.Commit(); err != nil {
		return nil, fmt.Errorf("store: copy: commit on the target: %w", err)
	}
	// The planner's statistics of the rows copied, which autovacuum would gather only
	// after its first minute: the target's first queries are planned as later ones.
	if _, err := dst.ExecContext(ctx, `ANALYZE`); err != nil {
		return counts, fmt.Errorf("store: copy: every row was copied, but analyzing the target failed (autovacuum will do it): %w", err)
	}
	return counts, nil
}

// checkSource refuses what is not a dbcollab SQLite store, without creating or changing
// it, and a store with migrations this binary does not know.
func checkSource(ctx context.Context, from string) error {
	if isPostgresURL(from) {
		return fmt.Errorf("store: copy: --from %s is not a SQLite file", from)
	}
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("store: copy: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: from}).EscapedPath()+"?mode=ro")
	if err != nil {
		return fmt.Errorf("store: copy: open %s: %w", from, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("store: copy: %s is not a dbcollab store: %w", from, err)
	}
	defer rows.Close()
	known, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("store: list migrations: %w", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return fmt.Errorf("store: copy: read %s: %w", from, err)
		}
		if !slices.Contains(known, path.Join("migrations", name)) {
			return fmt.Errorf("store: copy: %s was written by a newer dbcollab (its migration %s is unknown to this one): copy it with that version", from, name)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: copy: %s is not a dbcollab store: %w", from, err)
	}
	return nil
}

// sourceTable is one table to copy, its columns, and the tables its rows refer to.
type sourceTable struct {
	name    string
	columns []string
	refers  []string
}

// sourceTables lists the source's tables from its schema, those referred to before
// those referring to them, so that every foreign key holds as rows arrive.
func sourceTables(ctx context.Context, src *sql.Tx) ([]sourceTable, error) {
	names, err := queryStrings(ctx, src, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	byName := map[string]sourceTable{}
	for _, name := range names {
		if slices.Contains(ownTables, name) {
			continue
		}
		t := sourceTable{name: name}
		if t.columns, err = queryStrings(ctx, src, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, name); err != nil {
			return nil, err
		}
		if t.refers, err = queryStrings(ctx, src, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?) WHERE "table" <> ?`, name, name); err != nil {
			return nil, err
		}
		byName[name] = t
	}
	var ordered []sourceTable
	placed := map[string]bool{}
	var place func(name string, path []string) error
	place = func(name string, path []string) error {
		if placed[name] {
			return nil
		}
		if slices.Contains(path, name) {
			return fmt.Errorf("store: copy: the foreign keys of %s form a cycle", strings.Join(append(path, name), " → "))
		}
		t, ok := byName[name]
		if !ok {
			return nil // refers to a table it does not copy
		}
		for _, r := range t.refers {
			if err := place(r, append(path, name)); err != nil {
				return err
			}
		}
		placed[name] = true
		ordered = append(ordered, t)
		return nil
	}
	for _, name := range names {
		if err := place(name, nil); err != nil {
			return nil, err
		}
	}
	return ordered, nil
}

// copier copies rows from a SQLite transaction into a PostgreSQL one.
type copier struct {
	src, dst *sql.Tx
}

func (c copier) copy(ctx context.Context, tables []sourceTable) ([]TableCount, error) {
	types, err := c.targetColumnTypes(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if _, ok := types[t.name]; !ok {
			return nil, fmt.Errorf("store: copy: the target has no table %s: is it a dbcollab store of the same version?", t.name)
		}
	}
	// Locks each table (ACCESS EXCLUSIVE) until the commit, so nothing writes between
	// the emptiness check and the copy; and the target's triggers (version counters,
	// row counts) would count again what the copied columns already hold.
	for _, t := range tables {
		if _, err := c.dst.ExecContext(ctx, `ALTER TABLE `+ident(t.name)+` DISABLE TRIGGER USER`); err != nil {
			return nil, fmt.Errorf("store: copy: %s: %w", t.name, err)
		}
	}
	if err := c.checkEmpty(ctx, tables); err != nil {
		return nil, err
	}
	for _, t := range tables {
		if err := c.copyRows(ctx, t, types[t.name]); err != nil {
			return nil, err
		}
	}
	for _, t := range tables {
		if _, err := c.dst.ExecContext(ctx, `ALTER TABLE `+ident(t.name)+` ENABLE TRIGGER USER`); err != nil {
			return nil, fmt.Errorf("store: copy: %s: %w", t.name, err)
		}
	}
	if err := c.advanceSequences(ctx); err != nil {
		return nil, err
	}
	return c.verify(ctx, tables, types)
}

// targetColumnTypes maps each table of the target to its columns' types.
func (c copier) targetColumnTypes(ctx context.Context) (map[string]map[string]string, error) {
	rows, err := c.dst.QueryContext(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema()`)
	if err != nil {
		return nil, fmt.Errorf("store: copy: read the target's schema: %w", err)
	}
	defer rows.Close()
	types := map[string]map[string]string{}
	for rows.Next() {
		var table, column, typ string
		if err := rows.Scan(&table, &column, &typ); err != nil {
			return nil, fmt.Errorf("store: copy: read the target's schema: %w", err)
		}
		if types[table] == nil {
			types[table] = map[string]string{}
		}
		types[table][column] = typ
	}
	return types, rows.Err()
}

func (c copier) checkEmpty(ctx context.Context, tables []sourceTable) error {
	var held []string
	for _, t := range tables {
		if slices.Contains(replacedTables, t.name) {
			if _, err := c.dst.ExecContext(ctx, `DELETE FROM `+ident(t.name)); err != nil {
				return fmt.Errorf("store: copy: %s: %w", t.name, err)
			}
			continue
		}
		n, err := count(ctx, c.dst, t.name)
		if err != nil {
			return err
		}
		if n > 0 {
			held = append(held, fmt.Sprintf("%s: %d", t.name, n))
		}
	}
	if len(held) > 0 {
		return fmt.Errorf("store: copy: %w (%s rows): store-copy only fills an empty store", ErrTargetNotEmpty, strings.Join(held, ", "))
	}
	return nil
}

// copyRows inserts every row of t, in the order of its rowid, which is the order of its
// IDs where it has some.
func (c copier) copyRows(ctx context.Context, t sourceTable, types map[string]string) error {
	quoted := make([]string, len(t.columns))
	params := make([]string, len(t.columns))
	for i, col := range t.columns {
		if _, ok := types[col]; !ok {
			return fmt.Errorf("store: copy: the target's table %s has no column %s", t.name, col)
		}
		quoted[i], params[i] = ident(col), fmt.Sprintf("$%d", i+1)
	}
	insert, err := c.dst.PrepareContext(ctx, `INSERT INTO `+ident(t.name)+` (`+strings.Join(quoted, ", ")+`) VALUES (`+strings.Join(params, ", ")+`)`)
	if err != nil {
		return fmt.Errorf("store: copy: %s: %w", t.name, err)
	}
	defer insert.Close()
	rows, err := c.src.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+ident(t.name)+` ORDER BY rowid`)
	if err != nil {
		return fmt.Errorf("store: copy: read %s: %w", t.name, err)
	}
	defer rows.Close()
	values := make([]any, len(t.columns))
	ptrs := make([]any, len(t.columns))
	for i := range values {
		ptrs[i] = &values[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("store: copy: read %s: %w", t.name, err)
		}
		for i, col := range t.columns {
			values[i] = convert(values[i], types[col])
		}
		if _, err := insert.ExecContext(ctx, values...); err != nil {
			return fmt.Errorf("store: copy: %s: %w", t.name, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: copy: read %s: %w", t.name, err)
	}
	return nil
}

// convert turns a value as SQLite keeps it into what the target's column of type typ
// takes: SQLite has no booleans, and keeps text and blobs in either kind of column.
func convert(v any, typ string) any {
	switch typ {
	case "boolean":
		if n, ok := v.(int64); ok {
			return n != 0
		}
	case "bytea":
		if s, ok := v.(string); ok {
			return []byte(s)
		}
	case "text", "character varying":
		if b, ok := v.([]byte); ok {
			return string(b)
		}
	}
	return v
}

// advanceSequences sets every identity and serial sequence of the target past the
// largest ID of its column, so the next insert gets a fresh one.
func (c copier) advanceSequences(ctx context.Context) error {
	rows, err := c.dst.QueryContext(ctx, `SELECT table_name, column_name, seq FROM (
			SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) AS seq
			FROM information_schema.columns WHERE table_schema = current_schema()) c
		WHERE seq IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("store: copy: list the target's sequences: %w", err)
	}
	type sequence struct{ table, column, name string }
	var seqs []sequence
	for rows.Next() {
		var s sequence
		if err := rows.Scan(&s.table, &s.column, &s.name); err != nil {
			rows.Close()
			return fmt.Errorf("store: copy: list the target's sequences: %w", err)
		}
		seqs = append(seqs, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: copy: list the target's sequences: %w", err)
	}
	for _, s := range seqs {
		if _, err := c.dst.ExecContext(ctx, `SELECT setval($1, coalesce((SELECT max(`+ident(s.column)+`) FROM `+ident(s.table)+`), 0) + 1, false)`, s.name); err != nil {
			return fmt.Errorf("store: copy: advance %s: %w", s.name, err)
		}
	}
	return nil
}

// verify counts every table on both sides, the target's tables the source lacks too.
func (c copier) verify(ctx context.Context, tables []sourceTable, types map[string]map[string]string) ([]TableCount, error) {
	var names []string
	for _, t := range tables {
		names = append(names, t.name)
	}
	copied := slices.Clone(names)
	for name := range types {
		if !slices.Contains(names, name) && !slices.Contains(ownTables, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var counts []TableCount
	var differ []string
	for _, name := range names {
		tc := TableCount{Table: name}
		var err error
		if slices.Contains(copied, name) {
			if tc.Source, err = count(ctx, c.src, name); err != nil {
				return nil, err
			}
		}
		if tc.Target, err = count(ctx, c.dst, name); err != nil {
			return nil, err
		}
		if tc.Source != tc.Target {
			differ = append(differ, fmt.Sprintf("%s: %d in the source, %d in the target", name, tc.Source, tc.Target))
		}
		counts = append(counts, tc)
	}
	if len(differ) > 0 {
		return counts, fmt.Errorf("store: copy: the counts differ (%s): nothing was copied", strings.Join(differ, "; "))
	}
	return counts, nil
}

// querier is a transaction on either side of a copy.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func count(ctx context.Context, q querier, table string) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+ident(table)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: copy: count %s: %w", table, err)
	}
	return n, nil
}

// queryStrings runs a query that answers one text column.
func queryStrings(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: copy: read the source's schema: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("store: copy: read the source's schema: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ident quotes a table or column name, the same way in both dialects.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }
