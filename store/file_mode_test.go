package store

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A copy of the file is a key (session secret, links not yet delivered): the file, its
// WAL and its shared memory are the owner's only, whatever the umask, and a file made
// readable by everyone before is narrowed on open.
func TestDatabaseFileWALAndSHMAreReadableByTheirOwnerOnly(t *testing.T) {
	sqliteOnly(t, "file modes")
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	for name, before := range map[string]os.FileMode{"new file": 0, "file readable by all": 0o666} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "dbcollab.db")
			if before != 0 {
				if err := os.WriteFile(path, nil, before); err != nil {
					t.Fatal(err)
				}
				for _, suffix := range []string{"-wal", "-shm"} {
					if err := os.WriteFile(path+suffix, nil, before); err != nil {
						t.Fatal(err)
					}
				}
			}
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			createUser(t, s, "olivia@example.com", "olivia") // a write: the WAL is in use
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				info, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if mode := info.Mode().Perm(); mode != 0o600 {
					t.Errorf("%s: mode %v, want -rw-------", filepath.Base(p), mode)
				}
			}
		})
	}
}
