package store

import (
	"context"
	"fmt"
)

// SettingOrCreate returns the value stored under key, storing candidate first if there
// is none. Used for secrets generated once, such as the session keys.
func (s *Store) SettingOrCreate(ctx context.Context, key string, candidate []byte) ([]byte, error) {
	var value []byte
	err := s.Tx(ctx, func(tx WriteTx) error {
		if _, err := tx.tx.ExecContext(ctx,
			`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, candidate); err != nil {
			return err
		}
		return tx.q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&value)
	})
	if err != nil {
		return nil, fmt.Errorf("store: setting %s: %w", key, err)
	}
	return value, nil
}
